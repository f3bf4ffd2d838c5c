#include "generate/invalid_line.h"

#include <array>

#include <fmt/format.h>

namespace cx::gen {
namespace {

constexpr size_t kOversizeBytes = 66 * 1024;

// `{"event_id":"x-N-k","customer_id":"c-N"` — the start every object-shaped bad line shares.
void AppendHead(std::string& out, EventWriter& writer, uint64_t customer, uint64_t bad_seq) {
  out += "{\"event_id\":\"x-";
  writer.AppendNumber(out, customer);
  out += '-';
  fmt::format_int seq(bad_seq);
  out.append(seq.data(), seq.size());
  out += "\",\"customer_id\":\"";
  writer.AppendCustomerId(out, customer);
  out += '"';
}

void AppendTsField(std::string& out, EventWriter& writer, EventTime ts) {
  out += ",\"ts\":";
  writer.AppendTs(out, ts, false);
}

// Returns the stream the line claims to belong to.
EventType AppendMissingField(std::string& out, EventWriter& writer, Rng& rng, uint64_t customer,
                             uint64_t bad_seq, EventTime ts) {
  switch (rng.Below(4)) {
    case 0:
      out += "{\"event_id\":\"x-";
      writer.AppendNumber(out, customer);
      out += '-';
      out += fmt::format_int(bad_seq).c_str();
      out += "\",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, ts);
      out += ",\"page\":\"/\"}";
      return EventType::kClick;
    case 1:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\",\"page\":\"/help\"}";
      return EventType::kClick;
    case 2:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, ts);
      out += '}';
      return EventType::kClick;
    default:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"call\",\"action\":\"queued\"";
      AppendTsField(out, writer, ts);
      out += ",\"reason\":\"billing\"}";
      return EventType::kCall;
  }
}

// Returns the stream the line claims to belong to.
EventType AppendMistyped(std::string& out, EventWriter& writer, Rng& rng, uint64_t customer,
                         uint64_t bad_seq, EventTime ts) {
  switch (rng.Below(3)) {
    case 0:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"search\"";
      AppendTsField(out, writer, ts);
      out += ",\"results\":\"many\"}";
      return EventType::kClick;
    case 1:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"survey\"";
      AppendTsField(out, writer, ts);
      out += ",\"survey\":\"csat\",\"score\":\"5\"}";
      return EventType::kSurvey;
    default:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\",\"ts\":true,\"page\":\"/\"}";
      return EventType::kClick;
  }
}

}  // namespace

std::string_view InvalidKindName(InvalidKind kind) {
  static constexpr std::array<std::string_view, kInvalidKindCount> kNames = {
      "not_json",       "not_object",    "missing_field",    "mistyped_field",
      "empty_event_id", "unknown_type",  "unknown_action",   "unknown_survey",
      "out_of_range",   "bad_timestamp", "future_timestamp", "oversize"};
  return kNames[static_cast<size_t>(kind)];
}

InvalidLine AppendInvalidLine(std::string& out, EventWriter& writer, Rng& rng, uint64_t customer,
                              uint64_t bad_seq, EventTime ts) {
  std::array<uint32_t, kInvalidKindCount> weights;
  weights.fill(10);
  weights[static_cast<size_t>(InvalidKind::kOversize)] = 1;
  auto kind = static_cast<InvalidKind>(rng.Pick(weights));
  EventType topic = EventType::kClick;
  switch (kind) {
    case InvalidKind::kNotJson:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, ts);
      out += ",\"page\":\"/he";
      break;
    case InvalidKind::kNotObject:
      out += "[\"x-";
      writer.AppendNumber(out, customer);
      out += "\",\"click\",\"page_view\"]";
      break;
    case InvalidKind::kMissingField:
      topic = AppendMissingField(out, writer, rng, customer, bad_seq, ts);
      break;
    case InvalidKind::kMistypedField:
      topic = AppendMistyped(out, writer, rng, customer, bad_seq, ts);
      break;
    case InvalidKind::kEmptyEventId:
      out += "{\"event_id\":\"\",\"customer_id\":\"";
      writer.AppendCustomerId(out, customer);
      out += "\",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, ts);
      out += ",\"page\":\"/\"}";
      break;
    case InvalidKind::kUnknownType:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"fax\",\"action\":\"sent\"";
      AppendTsField(out, writer, ts);
      out += '}';
      break;
    case InvalidKind::kUnknownAction:
      topic = EventType::kCall;
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"call\",\"action\":\"ringing\"";
      AppendTsField(out, writer, ts);
      out += ",\"contact_id\":\"call-x\"}";
      break;
    case InvalidKind::kUnknownSurvey:
      topic = EventType::kSurvey;
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"survey\"";
      AppendTsField(out, writer, ts);
      out += ",\"survey\":\"stars\",\"score\":4}";
      break;
    case InvalidKind::kOutOfRange: {
      static constexpr std::array<std::string_view, 4> kTails = {
          ",\"survey\":\"nps\",\"score\":11}", ",\"survey\":\"csat\",\"score\":0}",
          ",\"survey\":\"ces\",\"score\":8}", ""};
      size_t variant = rng.Below(kTails.size());
      topic = variant < 3 ? EventType::kSurvey : EventType::kClick;
      AppendHead(out, writer, customer, bad_seq);
      out += variant < 3 ? ",\"type\":\"survey\"" : ",\"type\":\"click\",\"action\":\"search\"";
      AppendTsField(out, writer, ts);
      out += variant < 3 ? kTails[variant] : ",\"results\":-1}";
      break;
    }
    case InvalidKind::kBadTimestamp: {
      static constexpr std::array<std::string_view, 4> kBadTs = {
          "\"2026-13-45T25:61:00Z\"", "\"yesterday\"", "\"2026-10-05 09:00:00\"", "\"\""};
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\",\"ts\":";
      out += kBadTs[rng.Below(kBadTs.size())];
      out += ",\"page\":\"/\"}";
      break;
    }
    case InvalidKind::kFutureTimestamp:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, EventTime::FromMillis(32'472'144'000'000));
      out += ",\"page\":\"/\"}";
      break;
    case InvalidKind::kOversize:
      AppendHead(out, writer, customer, bad_seq);
      out += ",\"type\":\"click\",\"action\":\"page_view\"";
      AppendTsField(out, writer, ts);
      out += ",\"page\":\"/\",\"padding\":\"";
      out.append(kOversizeBytes, 'x');
      out += "\"}";
      break;
  }
  return InvalidLine{kind, topic};
}

}  // namespace cx::gen
