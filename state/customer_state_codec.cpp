#include "state/customer_state_codec.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace cx {
namespace {

// Format versions. v1: everything but Session::cancel_intent_seen. v2: appends it. v3: then
// appends the contacts' channel/queue/reason (EncodeContactContext). v4 (current): then the
// survey answers (EncodeSurveys).
constexpr uint8_t kVersion1 = 1;
constexpr uint8_t kVersion2 = 2;
constexpr uint8_t kVersion3 = 3;
constexpr uint8_t kVersion4 = 4;
constexpr uint8_t kCurrentVersion = kVersion4;
constexpr size_t kHeaderSize = 9;
// Collections longer than this are rejected as garbage.
constexpr uint64_t kMaxCount = 1u << 16;

// Writes into `out` from its start through a cursor: the string is grown rarely (Grow) and each
// value is stored in place, instead of a capacity check and size update per byte. Finish()
// trims `out` to what was written; call it once at the end. Each write keeps its position in a
// local: a store through a char pointer may alias any member, so a member cursor would be
// reloaded after every byte.
class Writer {
 public:
  explicit Writer(std::string& out, EventTime base) : out_(out), base_(base) {}

  void Byte(uint8_t v) {
    *Room(1) = static_cast<char>(v);
    pos_ += 1;
  }
  void Fixed64(uint64_t v) {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(Room(8), &v, 8);  // little-endian
    pos_ += 8;
  }
  void Varint(uint64_t v) {
    char* p = Room(kMaxVarintBytes);
    size_t n = 0;
    while (v >= 0x80) {
      p[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    p[n++] = static_cast<char>(v);
    pos_ += n;
  }
  void Zigzag(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  // 0 = Min, 1 = Max, else 2 + zigzag(t - base).
  void Time(EventTime t) {
    if (t == EventTime::Min()) return Varint(0);
    if (t == EventTime::Max()) return Varint(1);
    const int64_t delta =
        static_cast<int64_t>(static_cast<uint64_t>(t.ms) - static_cast<uint64_t>(base_.ms));
    const uint64_t z = (static_cast<uint64_t>(delta) << 1) ^ static_cast<uint64_t>(delta >> 63);
    Varint(z + 2);
  }
  void String(const std::string& s) {
    Varint(s.size());
    std::memcpy(Room(s.size()), s.data(), s.size());
    pos_ += s.size();
  }
  void Double(double v) { Fixed64(std::bit_cast<uint64_t>(v)); }
  void Finish() { out_.resize(pos_); }

 private:
  static constexpr size_t kMaxVarintBytes = 10;
  static constexpr size_t kGrowStep = 256;

  // Where the next `n` bytes go.
  char* Room(size_t n) {
    if (out_.size() - pos_ < n) Grow(n);
    return out_.data() + pos_;
  }
  // Makes room for `n` more bytes: up to the string's capacity at least, so that a reused
  // string grows (and zero-fills) about once per state, not once per kGrowStep.
  [[gnu::noinline, gnu::cold]] void Grow(size_t n) {
    out_.resize(std::max(out_.capacity(), pos_ + n + kGrowStep));
  }

  std::string& out_;
  size_t pos_ = 0;
  EventTime base_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  [[nodiscard]] bool Byte(uint8_t& v) {
    if (pos_ >= in_.size()) return false;
    v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  [[nodiscard]] bool Fixed64(uint64_t& v) {
    if (in_.size() - pos_ < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  [[nodiscard]] bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = 0;
      if (!Byte(b)) return false;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  [[nodiscard]] bool Zigzag(int64_t& v) {
    uint64_t z = 0;
    if (!Varint(z)) return false;
    v = static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
    return true;
  }
  [[nodiscard]] bool Time(EventTime& t) {
    uint64_t z = 0;
    if (!Varint(z)) return false;
    if (z == 0) {
      t = EventTime::Min();
    } else if (z == 1) {
      t = EventTime::Max();
    } else {
      z -= 2;
      const uint64_t delta = (z >> 1) ^ (~(z & 1) + 1);
      t = EventTime{static_cast<int64_t>(static_cast<uint64_t>(base_.ms) + delta)};
    }
    return true;
  }
  [[nodiscard]] bool Count(size_t& n) {
    uint64_t v = 0;
    if (!Varint(v) || v > kMaxCount || v > in_.size() - pos_) return false;
    n = static_cast<size_t>(v);
    return true;
  }
  [[nodiscard]] bool String(std::string& s) {
    size_t n = 0;
    if (!Count(n)) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool Double(double& v) {
    uint64_t bits = 0;
    if (!Fixed64(bits)) return false;
    v = std::bit_cast<double>(bits);
    return true;
  }
  [[nodiscard]] bool Small(uint8_t& v, uint8_t max) { return Byte(v) && v <= max; }
  [[nodiscard]] bool Bool(bool& b) {
    uint8_t v = 0;
    if (!Small(v, 1)) return false;
    b = v != 0;
    return true;
  }
  void SetBase(EventTime base) { base_ = base; }
  [[nodiscard]] bool AtEnd() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  EventTime base_;
};

void EncodeContact(Writer& w, const Contact& c) {
  w.String(c.contact_id);
  w.String(c.open_event_id);
  w.Byte(static_cast<uint8_t>(c.type));
  w.Byte(static_cast<uint8_t>(c.counted | (c.abandoned << 1) | (c.abandon_alerted << 2)));
  w.Byte(c.first_sla_flags);
  w.Time(c.opened);
  w.Time(c.last_event);
  w.Time(c.started);
  w.Time(c.answered);
  w.Time(c.closed);
  w.Varint(c.messages.size());
  for (const ChatMessage& m : c.messages) {
    w.Time(m.ts);
    w.Byte(static_cast<uint8_t>(static_cast<uint8_t>(m.author) | (m.sla_flags << 2)));
  }
}

[[nodiscard]] bool DecodeContact(Reader& r, Contact& c) {
  uint8_t type = 0, bits = 0;
  size_t n = 0;
  if (!r.String(c.contact_id) || !r.String(c.open_event_id) || !r.Small(type, 3) ||
      !r.Small(bits, 7) || !r.Small(c.first_sla_flags, 15) || !r.Time(c.opened) ||
      !r.Time(c.last_event) || !r.Time(c.started) || !r.Time(c.answered) || !r.Time(c.closed) ||
      !r.Count(n)) {
    return false;
  }
  if (type != static_cast<uint8_t>(EventType::kCall) &&
      type != static_cast<uint8_t>(EventType::kChat)) {
    return false;
  }
  c.type = static_cast<EventType>(type);
  c.counted = bits & 1;
  c.abandoned = bits & 2;
  c.abandon_alerted = bits & 4;
  c.messages.resize(n);
  for (ChatMessage& m : c.messages) {
    uint8_t packed = 0;
    if (!r.Time(m.ts) || !r.Small(packed, 63)) return false;
    m.author = static_cast<Author>(packed & 3);
    m.sla_flags = packed >> 2;
  }
  return true;
}

void EncodeBody(Writer& w, const CustomerState& s) {
  w.Byte(static_cast<uint8_t>(s.tier));
  w.Time(s.next_deadline);
  w.Varint(s.seen.size());
  for (const SeenEvent& e : s.seen) {
    w.Fixed64(e.id_hash);
    w.Time(e.ts);
  }
  w.Varint(s.contacts.size());
  for (const Contact& c : s.contacts) EncodeContact(w, c);
  w.Varint(s.history.size());
  for (const ContactRecord& h : s.history) {
    w.Fixed64(h.contact_hash);
    w.Fixed64(h.channel_hash);
    w.Byte(h.reason_hash != 0);
    if (h.reason_hash != 0) w.Fixed64(h.reason_hash);
    w.Time(h.ts);
    w.Byte(h.effort_points);
  }
  w.Varint(s.breaches.size());
  for (EventTime t : s.breaches) w.Time(t);
  w.Time(s.last_self_service);
  w.Varint(s.clicks.size());
  for (const ClickMark& c : s.clicks) {
    w.Fixed64(c.element_hash);
    w.Time(c.ts);
    w.Byte(c.in_burst);
  }
  const Session& ss = s.session;
  w.Fixed64(ss.id_hash);
  w.Time(ss.start);
  w.Time(ss.last);
  w.Zigzag(ss.help_dwell_ms);
  w.Byte(ss.failed_searches);
  w.Byte(ss.needs_help_raised);
  w.Varint(ss.pages.size());
  for (const PageMark& p : ss.pages) {
    w.Time(p.ts);
    w.Byte(p.help);
  }
  for (const DecayingScore* d : {&s.effort, &s.risk}) {
    w.Time(d->at);
    if (d->at != EventTime::Min()) w.Double(d->value);
  }
  w.Byte(s.effort_emitted);
  w.Byte(s.risk_emitted);
  w.Byte(static_cast<uint8_t>(s.effort_armed | (s.risk_armed << 1)));
  uint8_t mask = 0;
  for (size_t i = 0; i < s.alerts.size(); ++i) {
    if (s.alerts[i].ts != EventTime::Min()) mask |= static_cast<uint8_t>(1u << i);
  }
  w.Byte(mask);
  for (size_t i = 0; i < s.alerts.size(); ++i) {
    const AlertRecord& a = s.alerts[i];
    if (a.ts == EventTime::Min()) continue;
    w.Time(a.ts);
    w.Byte(static_cast<uint8_t>(a.severity));
  }
}

[[nodiscard]] bool DecodeScores(Reader& r, CustomerState& s) {
  for (DecayingScore* d : {&s.effort, &s.risk}) {
    if (!r.Time(d->at)) return false;
    d->value = 0;
    if (d->at != EventTime::Min() && !r.Double(d->value)) return false;
  }
  uint8_t armed = 0, mask = 0;
  if (!r.Byte(s.effort_emitted) || !r.Byte(s.risk_emitted) || !r.Small(armed, 3) ||
      !r.Small(mask, (1u << kAlertKindCount) - 1)) {
    return false;
  }
  s.effort_armed = armed & 1;
  s.risk_armed = armed & 2;
  s.alerts.Clear();
  for (size_t i = 0; i < s.alerts.size(); ++i) {
    if (!(mask & (1u << i))) continue;
    AlertRecord& a = s.alerts.Mutable(i);
    uint8_t sev = 0;
    if (!r.Time(a.ts) || !r.Small(sev, 1)) return false;
    a.severity = static_cast<Severity>(sev);
  }
  return true;
}

[[nodiscard]] bool DecodeBody(Reader& r, CustomerState& s) {
  uint8_t tier = 0;
  size_t n = 0;
  if (!r.Small(tier, 2) || !r.Time(s.next_deadline) || !r.Count(n)) return false;
  s.tier = static_cast<Tier>(tier);
  s.seen.resize(n);
  for (SeenEvent& e : s.seen) {
    if (!r.Fixed64(e.id_hash) || !r.Time(e.ts)) return false;
  }
  if (!r.Count(n)) return false;
  s.contacts.resize(n);
  for (Contact& c : s.contacts) {
    if (!DecodeContact(r, c)) return false;
  }
  if (!r.Count(n)) return false;
  s.history.resize(n);
  for (ContactRecord& h : s.history) {
    bool has_reason = false;
    h.reason_hash = 0;
    if (!r.Fixed64(h.contact_hash) || !r.Fixed64(h.channel_hash) || !r.Bool(has_reason) ||
        (has_reason && !r.Fixed64(h.reason_hash)) || !r.Time(h.ts) || !r.Byte(h.effort_points)) {
      return false;
    }
  }
  if (!r.Count(n)) return false;
  s.breaches.resize(n);
  for (EventTime& t : s.breaches) {
    if (!r.Time(t)) return false;
  }
  if (!r.Time(s.last_self_service) || !r.Count(n)) return false;
  s.clicks.resize(n);
  for (ClickMark& c : s.clicks) {
    if (!r.Fixed64(c.element_hash) || !r.Time(c.ts) || !r.Bool(c.in_burst)) return false;
  }
  Session& ss = s.session;
  if (!r.Fixed64(ss.id_hash) || !r.Time(ss.start) || !r.Time(ss.last) ||
      !r.Zigzag(ss.help_dwell_ms) || !r.Byte(ss.failed_searches) || !r.Bool(ss.needs_help_raised) ||
      !r.Count(n)) {
    return false;
  }
  ss.pages.resize(n);
  for (PageMark& p : ss.pages) {
    if (!r.Time(p.ts) || !r.Bool(p.help)) return false;
  }
  return DecodeScores(r, s);
}

// v3 tail: the number of contacts with any context, then for each its index in
// state.contacts, channel, queue and reason. One zero byte when no contact has context.
void EncodeContactContext(Writer& w, const CustomerState& s) {
  auto has_context = [](const Contact& c) {
    return !c.channel.empty() || !c.queue.empty() || !c.reason.empty();
  };
  w.Varint(static_cast<uint64_t>(std::count_if(s.contacts.begin(), s.contacts.end(), has_context)));
  for (size_t i = 0; i < s.contacts.size(); ++i) {
    const Contact& c = s.contacts[i];
    if (!has_context(c)) continue;
    w.Varint(i);
    w.String(c.channel);
    w.String(c.queue);
    w.String(c.reason);
  }
}

[[nodiscard]] bool DecodeContactContext(Reader& r, CustomerState& s) {
  size_t n = 0;
  if (!r.Count(n) || n > s.contacts.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    uint64_t i = 0;
    if (!r.Varint(i) || i >= s.contacts.size()) return false;
    Contact& c = s.contacts[static_cast<size_t>(i)];
    if (!r.String(c.channel) || !r.String(c.queue) || !r.String(c.reason)) return false;
  }
  return true;
}

// v4 tail: the number of survey answers, then for each its ts, survey kind, score, contact id
// and comment.
void EncodeSurveys(Writer& w, const CustomerState& s) {
  w.Varint(s.surveys.size());
  for (const SurveyAnswer& a : s.surveys) {
    w.Time(a.ts);
    w.Byte(static_cast<uint8_t>(a.survey));
    w.Zigzag(a.score);
    w.String(a.contact_id);
    w.String(a.comment);
  }
}

[[nodiscard]] bool DecodeSurveys(Reader& r, CustomerState& s) {
  size_t n = 0;
  if (!r.Count(n) || n > kMaxSurveyAnswers) return false;
  s.surveys.resize(n);
  for (SurveyAnswer& a : s.surveys) {
    uint8_t kind = 0;
    int64_t score = 0;
    if (!r.Time(a.ts) || !r.Byte(kind) || kind > static_cast<uint8_t>(SurveyKind::kCes) ||
        !r.Zigzag(score) || score < 0 || score > 10 || !r.String(a.contact_id) ||
        !r.String(a.comment)) {
      return false;
    }
    a.survey = static_cast<SurveyKind>(kind);
    a.score = static_cast<int32_t>(score);
  }
  return true;
}

}  // namespace

void EncodeCustomerState(const CustomerState& state, std::string& out) {
  Writer w(out, state.last_activity);
  w.Byte(kCurrentVersion);
  w.Fixed64(static_cast<uint64_t>(state.last_activity.ms));
  EncodeBody(w, state);
  w.Byte(state.session.cancel_intent_seen);
  EncodeContactContext(w, state);
  EncodeSurveys(w, state);
  w.Finish();
}

bool DecodeCustomerState(std::string_view bytes, CustomerState& out) {
  if (bytes.size() < kHeaderSize) return false;
  const auto version = static_cast<uint8_t>(bytes[0]);
  if (version < kVersion1 || version > kCurrentVersion) return false;
  out = CustomerState{};
  out.last_activity = LastActivityOfEncoded(bytes);
  Reader r(bytes.substr(kHeaderSize));
  r.SetBase(out.last_activity);
  if (!DecodeBody(r, out)) return false;
  if (version >= kVersion2 && !r.Bool(out.session.cancel_intent_seen)) return false;
  if (version >= kVersion3 && !DecodeContactContext(r, out)) return false;
  if (version >= kVersion4 && !DecodeSurveys(r, out)) return false;
  return r.AtEnd();
}

std::string UndecodableStateReason(std::string_view bytes) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) > kCurrentVersion) {
    return "state format v" + std::to_string(static_cast<uint8_t>(bytes[0])) +
           " is newer than this build supports (\u2264 v" + std::to_string(kCurrentVersion) +
           "); upgrade cxpulse";
  }
  return "a stored customer state of " + std::to_string(bytes.size()) +
         " bytes does not decode (corrupt)";
}

EventTime LastActivityOfEncoded(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return EventTime::Min();
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[1 + i])) << (8 * i);
  }
  return EventTime{static_cast<int64_t>(v)};
}

}  // namespace cx
