#include <string_view>

#include "schemas/field_slots.h"
#include "schemas/timestamp.h"

namespace cx {

namespace {

constexpr size_t kMaxIdChars = 128;
constexpr int64_t kMaxCount = 9'007'199'254'740'991;  // 2^53 - 1, exact in every JSON reader
constexpr int64_t kMinHttpStatus = 100;
constexpr int64_t kMaxHttpStatus = 599;

// Code points in valid UTF-8: the bytes that do not continue a sequence.
size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct Range {
  int64_t min;
  int64_t max;
};

// Checks one field at a time against `fields`; the first failure wins and is kept in `why`.
class Checker {
 public:
  Checker(const FieldSlots& fields, DecodeFailure& why) : fields_(fields), why_(why) {}

  bool failed() const { return why_.error != DecodeError::kOk; }
  DecodeError error() const { return why_.error; }

  bool Fail(DecodeError error, FieldId id, std::string_view detail = {}) {
    if (!failed()) why_ = DecodeFailure{error, FieldName(id), detail};
    return false;
  }

  // A string field. Required fields must be present; optional ones may be absent (out stays
  // empty). `min_chars`/`max_chars` count code points.
  // Inlined: eight calls per event, each little more than the call itself.
  [[gnu::always_inline]] bool String(FieldId id, bool required, std::string_view& out,
                                     size_t min_chars = 0, size_t max_chars = SIZE_MAX) {
    if (failed()) return false;
    if (!fields_.Has(id)) return !required || Fail(DecodeError::kMissingField, id);
    const FieldSlot& slot = fields_.Get(id);
    if (slot.kind != JsonKind::kString)
      return Fail(DecodeError::kWrongType, id, "expected a string");
    const size_t bytes = slot.text.size();
    if (bytes > max_chars || bytes < min_chars * 4) {  // a code point is 1 to 4 bytes
      const size_t chars = CodePoints(slot.text);
      if (chars < min_chars) return Fail(DecodeError::kInvalidValue, id, "too short");
      if (chars > max_chars) return Fail(DecodeError::kInvalidValue, id, "too long");
    }
    out = slot.text;
    return true;
  }

  // An integer field; out of `range` is `range_error`. Absent optional fields return true and
  // leave `out` alone.
  template <typename T>
  bool Integer(FieldId id, bool required, T& out, Range range,
               DecodeError range_error = DecodeError::kInvalidValue) {
    if (failed()) return false;
    if (!fields_.Has(id)) return !required || Fail(DecodeError::kMissingField, id);
    const FieldSlot& slot = fields_.Get(id);
    if (slot.kind == JsonKind::kHugeInteger) return Fail(range_error, id, "out of range");
    if (slot.kind != JsonKind::kInteger)
      return Fail(DecodeError::kWrongType, id, "expected an integer");
    if (slot.integer < range.min || slot.integer > range.max)
      return Fail(range_error, id, "out of range");
    out = static_cast<T>(slot.integer);
    return true;
  }

  bool Bool(FieldId id, int8_t& out) {
    if (failed()) return false;
    if (!fields_.Has(id)) return true;
    const FieldSlot& slot = fields_.Get(id);
    if (slot.kind != JsonKind::kBool)
      return Fail(DecodeError::kWrongType, id, "expected a boolean");
    out = slot.boolean ? 1 : 0;
    return true;
  }

  // A string field whose value must be one of `names`, mapped to `values`; `unknown` when not.
  template <typename E, size_t N>
  bool Enum(FieldId id, bool required, const std::string_view (&names)[N], const E (&values)[N],
            DecodeError unknown, E& out) {
    std::string_view text;
    if (!String(id, required, text)) return false;
    if (!fields_.Has(id)) return true;
    for (size_t i = 0; i < N; ++i) {
      if (names[i] == text) {
        out = values[i];
        return true;
      }
    }
    return Fail(unknown, id, "not one of the allowed values");
  }

  bool Timestamp(EventTime& out) {
    if (failed()) return false;
    if (!fields_.Has(FieldId::kTs)) return Fail(DecodeError::kMissingField, FieldId::kTs);
    const FieldSlot& slot = fields_.Get(FieldId::kTs);
    switch (slot.kind) {
      case JsonKind::kString:
        if (ParseRfc3339(slot.text, out)) return true;
        return Fail(DecodeError::kBadTimestamp, FieldId::kTs, "not RFC 3339 with an offset");
      case JsonKind::kInteger:
        if (slot.integer >= kMinEpochMillis && slot.integer <= kMaxEpochMillis) {
          out = EventTime::FromMillis(slot.integer);
          return true;
        }
        return Fail(DecodeError::kBadTimestamp, FieldId::kTs, "epoch milliseconds out of range");
      case JsonKind::kHugeInteger:
      case JsonKind::kFraction:
        return Fail(DecodeError::kBadTimestamp, FieldId::kTs, "not integer epoch milliseconds");
      default:
        return Fail(DecodeError::kWrongType, FieldId::kTs, "expected a string or an integer");
    }
  }

 private:
  const FieldSlots& fields_;
  DecodeFailure& why_;
};

constexpr std::string_view kTypeNames[] = {"click", "call", "chat", "survey"};
constexpr EventType kTypes[] = {EventType::kClick, EventType::kCall, EventType::kChat,
                                EventType::kSurvey};
constexpr std::string_view kTierNames[] = {"standard", "vip"};
constexpr Tier kTiers[] = {Tier::kStandard, Tier::kVip};
constexpr std::string_view kClickActionNames[] = {"page_view", "click", "search", "error",
                                                  "contact_us"};
constexpr Action kClickActions[] = {Action::kPageView, Action::kClick, Action::kSearch,
                                    Action::kError, Action::kContactUs};
constexpr std::string_view kCallActionNames[] = {"queued", "answered", "transferred", "ended",
                                                 "abandoned"};
constexpr Action kCallActions[] = {Action::kQueued, Action::kAnswered, Action::kTransferred,
                                   Action::kEnded, Action::kAbandoned};
constexpr std::string_view kChatActionNames[] = {"started", "message", "transferred", "ended",
                                                 "abandoned"};
constexpr Action kChatActions[] = {Action::kStarted, Action::kMessage, Action::kTransferred,
                                   Action::kEnded, Action::kAbandoned};
constexpr std::string_view kAuthorNames[] = {"customer", "agent", "bot"};
constexpr Author kAuthors[] = {Author::kCustomer, Author::kAgent, Author::kBot};
constexpr std::string_view kSurveyNames[] = {"csat", "nps", "ces"};
constexpr SurveyKind kSurveys[] = {SurveyKind::kCsat, SurveyKind::kNps, SurveyKind::kCes};

Range ScoreRange(SurveyKind kind) {
  switch (kind) {
    case SurveyKind::kCsat:
      return {1, 5};
    case SurveyKind::kNps:
      return {0, 10};
    case SurveyKind::kCes:
      return {1, 7};
    case SurveyKind::kNone:
      break;
  }
  return {0, -1};
}

void CheckClick(Checker& c, Event& e) {
  c.Enum(FieldId::kAction, true, kClickActionNames, kClickActions, DecodeError::kUnknownAction,
         e.action);
  c.String(FieldId::kSessionId, false, e.session_id);
  switch (e.action) {
    case Action::kPageView:
      c.String(FieldId::kPage, true, e.page, 1);
      break;
    case Action::kClick:
      c.String(FieldId::kPage, true, e.page, 1);
      c.String(FieldId::kElement, true, e.element, 1);
      break;
    case Action::kSearch:
      c.Integer(FieldId::kResults, true, e.results, {0, kMaxCount});
      c.String(FieldId::kQuery, false, e.query);
      c.String(FieldId::kPage, false, e.page);
      break;
    case Action::kError:
      c.String(FieldId::kPage, true, e.page, 1);
      c.Integer(FieldId::kStatus, true, e.status, {kMinHttpStatus, kMaxHttpStatus});
      break;
    default:
      break;
  }
}

void CheckContact(Checker& c, Event& e) {
  if (e.type == EventType::kCall) {
    c.Enum(FieldId::kAction, true, kCallActionNames, kCallActions, DecodeError::kUnknownAction,
           e.action);
  } else {
    c.Enum(FieldId::kAction, true, kChatActionNames, kChatActions, DecodeError::kUnknownAction,
           e.action);
  }
  c.String(FieldId::kContactId, true, e.contact_id, 1, kMaxIdChars);
  switch (e.action) {
    case Action::kQueued:
    case Action::kStarted:
      c.String(FieldId::kQueue, false, e.queue);
      c.String(FieldId::kReason, false, e.reason);
      break;
    case Action::kAnswered:
      c.String(FieldId::kAgentId, false, e.agent_id);
      break;
    case Action::kMessage:
      c.Enum(FieldId::kAuthor, true, kAuthorNames, kAuthors, DecodeError::kInvalidValue, e.author);
      break;
    case Action::kEnded:
      c.Bool(FieldId::kResolved, e.resolved);
      if (e.type == EventType::kCall) c.Integer(FieldId::kHoldMs, false, e.hold_ms, {0, kMaxCount});
      break;
    default:
      break;
  }
}

void CheckSurvey(Checker& c, Event& e) {
  c.Enum(FieldId::kSurvey, true, kSurveyNames, kSurveys, DecodeError::kUnknownSurvey, e.survey);
  c.Integer(FieldId::kScore, true, e.score, ScoreRange(e.survey), DecodeError::kScoreOutOfRange);
  c.String(FieldId::kContactId, false, e.contact_id, 1, kMaxIdChars);
  c.String(FieldId::kComment, false, e.comment);
}

}  // namespace

DecodeError BuildEvent(const FieldSlots& fields, EventTime not_after, Event& out,
                       DecodeFailure& why) {
  out = Event{};
  Checker c(fields, why);
  c.String(FieldId::kEventId, true, out.event_id, 1, kMaxIdChars);
  c.String(FieldId::kCustomerId, true, out.customer_id, 1, kMaxIdChars);
  c.Enum(FieldId::kType, true, kTypeNames, kTypes, DecodeError::kUnknownType, out.type);
  c.Timestamp(out.ts);
  c.Enum(FieldId::kTier, false, kTierNames, kTiers, DecodeError::kInvalidValue, out.tier);
  c.String(FieldId::kChannel, false, out.channel);
  if (c.failed()) return c.error();
  switch (out.type) {
    case EventType::kClick:
      CheckClick(c, out);
      break;
    case EventType::kCall:
    case EventType::kChat:
      CheckContact(c, out);
      break;
    case EventType::kSurvey:
      CheckSurvey(c, out);
      break;
  }
  if (c.failed()) return c.error();
  if (out.ts > not_after) {
    c.Fail(DecodeError::kFutureTimestamp, FieldId::kTs, "later than the allowed clock skew");
    return c.error();
  }
  return DecodeError::kOk;
}

}  // namespace cx
