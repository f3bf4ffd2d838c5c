#include "schemas/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace cx {
namespace {

Alert SpecAlert() {
  Alert alert;
  alert.alert_id = "a-1f2e";
  alert.customer_id = "c-42";
  alert.kind = AlertKind::kSlaBreach;
  alert.severity = Severity::kCritical;
  alert.ts = EventTime::FromMillis(1'791'190'980'000);  // 2026-10-05T09:03:00Z
  alert.contact_id = "chat-9";
  alert.reasons.push_back({"chat_first_reply_breach", "no agent reply for 180 s", {"e-1", "e-2"}});
  alert.effort_score = 35;
  alert.risk_score = 0;
  return alert;
}

TEST(JsonWriterTest, AlertLooksExactlyLikeTheSpecExample) {
  std::string out;
  AppendAlertJson(SpecAlert(), out);
  EXPECT_EQ(
      out, R"({"alert_id":"a-1f2e","customer_id":"c-42","kind":"sla_breach","severity":"critical",)"
           R"("ts":"2026-10-05T09:03:00.000Z","contact_id":"chat-9",)"
           R"("reasons":[{"code":"chat_first_reply_breach","detail":"no agent reply for 180 s",)"
           R"("event_ids":["e-1","e-2"]}],"effort_score":35,"risk_score":0,)"
           R"("recommended_action":"apologise_and_compensate"})");
}

TEST(JsonWriterTest, AlertOmitsEmptyContactIdAndAppends) {
  Alert alert = SpecAlert();
  alert.contact_id.clear();
  alert.kind = AlertKind::kNeedsHelp;
  alert.severity = Severity::kWarning;
  alert.reasons.clear();
  std::string out = "X";
  AppendAlertJson(alert, out);
  EXPECT_EQ(out.substr(0, 2), "X{");
  EXPECT_EQ(out.find("contact_id"), std::string::npos);
  EXPECT_NE(out.find(R"("reasons":[],)"), std::string::npos);
  EXPECT_NE(out.find(R"("recommended_action":"offer_chat"})"), std::string::npos);
  EXPECT_NE(out.back(), '\n');
}

TEST(JsonWriterTest, AlertContextFollowsContactIdAndIsOmittedWhenUnknown) {
  Alert alert = SpecAlert();
  alert.tier = Tier::kVip;
  alert.channel = "chat";
  alert.queue = "billing";
  alert.reason = "refund";
  std::string out;
  AppendAlertJson(alert, out);
  EXPECT_NE(out.find(R"("contact_id":"chat-9","tier":"vip","channel":"chat","queue":"billing",)"
                     R"("reason":"refund","reasons":[)"),
            std::string::npos)
      << out;
  alert.tier = Tier::kUnset;
  alert.queue.clear();
  out.clear();
  AppendAlertJson(alert, out);
  EXPECT_EQ(out.find("\"tier\""), std::string::npos);
  EXPECT_EQ(out.find("\"queue\""), std::string::npos);
  EXPECT_NE(out.find(R"("channel":"chat","reason":"refund",)"), std::string::npos);
}

TEST(JsonWriterTest, RecommendedActionFollowsSpec) {
  EXPECT_EQ(RecommendedAction(AlertKind::kSlaBreach, Severity::kWarning), "callback");
  EXPECT_EQ(RecommendedAction(AlertKind::kSlaBreach, Severity::kCritical),
            "apologise_and_compensate");
  EXPECT_EQ(RecommendedAction(AlertKind::kRepeatContact, Severity::kCritical), "own_the_issue");
  EXPECT_EQ(RecommendedAction(AlertKind::kHighEffort, Severity::kWarning), "callback");
  EXPECT_EQ(RecommendedAction(AlertKind::kAtRisk, Severity::kCritical), "senior_callback");
  EXPECT_EQ(RecommendedAction(AlertKind::kLowScore, Severity::kCritical), "callback");
  EXPECT_EQ(RecommendedAction(AlertKind::kNeedsHelp, Severity::kWarning), "offer_chat");
  EXPECT_EQ(ToString(SignalKind::kContactRepeat), "contact.repeat");
  EXPECT_EQ(ToString(SlaKind::kChatNextReply), "chat_next_reply");
}

TEST(JsonWriterTest, EscapesStrings) {
  std::string out;
  AppendJsonString(std::string_view("a\"b\\c\n\t\x01 é\x7f", 12), out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 é\x7f\"");
  out.clear();
  AppendJsonString(
      "ok\xff"
      "end\xc3",
      out);
  EXPECT_EQ(out,
            "\"ok\xEF\xBF\xBD"
            "end\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, AlertAndSignalFieldsAreEscapedLikeAnyString) {
  const std::string awkward = "say \"hi\"\\ \x01 caf\xc3\xa9 \xff end";
  std::string escaped;
  AppendJsonString(awkward, escaped);
  Alert alert = SpecAlert();
  alert.reasons[0].detail = awkward;
  alert.queue = awkward;
  std::string out;
  AppendAlertJson(alert, out);
  EXPECT_NE(out.find(R"("queue":)" + escaped + ","), std::string::npos) << out;
  EXPECT_NE(out.find(R"("detail":)" + escaped + ","), std::string::npos) << out;
  Signal signal;
  signal.kind = SignalKind::kContactRepeat;
  signal.reason = awkward;
  out.clear();
  AppendSignalJson(signal, out);
  EXPECT_NE(out.find(R"("reason":)" + escaped + ","), std::string::npos) << out;
}

// The writers check a field eight bytes at a time for bytes that need escaping (or are not
// ASCII): every byte value, at every position of fields of 1 to 17 bytes (whole words, tails and
// both), is written as is exactly when JSON allows it, and the output reads back (simdjson) as
// the field, a lone byte >= 0x80 (not UTF-8) as U+FFFD.
TEST(JsonWriterTest, EveryByteAtEveryPositionOfAFieldIsEscapedExactlyWhenItMustBe) {
  Signal signal;
  signal.kind = SignalKind::kContactRepeat;
  simdjson::dom::parser parser;
  for (size_t size = 1; size <= 40; ++size) {  // one to two 16-byte blocks and a tail
    for (size_t at = 0; at < size; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        signal.reason.assign(size, 'a');
        signal.reason[at] = static_cast<char>(byte);
        const bool as_is = byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\';
        std::string out;
        AppendSignalJson(signal, out);
        const std::string raw = R"("reason":")" + signal.reason + R"(")";
        ASSERT_EQ(out.find(raw) != std::string::npos, as_is)
            << "size " << size << ", byte " << byte << " at " << at << ": " << out;
        std::string_view read_back;
        ASSERT_EQ(parser.parse(out)["reason"].get_string().get(read_back), simdjson::SUCCESS)
            << out;
        std::string expected = signal.reason;
        if (byte >= 0x80) {
          expected.replace(at, 1, "\xEF\xBF\xBD");
        }
        ASSERT_EQ(read_back, expected) << "size " << size << ", byte " << byte << " at " << at;
      }
    }
  }
}

TEST(JsonWriterTest, SignalsCarryTheirKindsFields) {
  Signal s;
  s.signal_id = "s-1";
  s.kind = SignalKind::kEffortUpdated;
  s.customer_id = "c-1";
  s.ts = EventTime::FromMillis(0);
  s.score = 40;
  s.previous = 30;
  s.event_ids = {"e-9"};
  std::string out;
  AppendSignalJson(s, out);
  EXPECT_EQ(out,
            R"({"signal_id":"s-1","type":"effort.updated","customer_id":"c-1",)"
            R"("ts":"1970-01-01T00:00:00.000Z","score":40,"previous":30,"event_ids":["e-9"]})");
}

TEST(JsonWriterTest, ContactRepeatCarriesItsReasonWhenKnown) {
  Signal s;
  s.signal_id = "s-2";
  s.kind = SignalKind::kContactRepeat;
  s.customer_id = "c-1";
  s.ts = EventTime::FromMillis(0);
  s.contact_id = "call-2";
  s.channel = "call";
  s.count_7d = 2;
  s.same_reason = true;
  s.reason = "billing";
  s.event_ids = {"e-3"};
  std::string out;
  AppendSignalJson(s, out);
  EXPECT_EQ(out, R"({"signal_id":"s-2","type":"contact.repeat","customer_id":"c-1",)"
                 R"("ts":"1970-01-01T00:00:00.000Z","contact_id":"call-2","channel":"call",)"
                 R"("count_7d":2,"same_reason":true,"reason":"billing","event_ids":["e-3"]})");
  s.reason.clear();
  out.clear();
  AppendSignalJson(s, out);
  EXPECT_EQ(out.find("\"reason\""), std::string::npos) << out;
}

TEST(JsonWriterTest, DeadLetterKeepsUtf8AsStringAndOtherBytesAsBase64) {
  DeadLetter dl;
  dl.original = "{\"a\":1";
  dl.error = DecodeError::kInvalidJson;
  dl.message = "invalid_json: not valid JSON";
  dl.source = FileSource{"in.jsonl", 7};
  std::string out;
  AppendDeadLetterJson(dl, out);
  EXPECT_EQ(out, R"({"error":"invalid_json","message":"invalid_json: not valid JSON",)"
                 R"("source":{"file":"in.jsonl","line":7},"original":"{\"a\":1"})");
  dl.original = std::string("\xff\x00\x01\x02", 4);
  dl.field = "ts";
  dl.source = KafkaSource{"cx.clicks", 3, 12345};
  out.clear();
  AppendDeadLetterJson(dl, out);
  EXPECT_EQ(out, R"({"error":"invalid_json","field":"ts","message":"invalid_json: not valid JSON",)"
                 R"("source":{"topic":"cx.clicks","partition":3,"offset":12345},)"
                 R"("original_base64":"/wABAg=="})");
  for (const auto& [bytes, b64] : std::vector<std::pair<std::string, std::string>>{
           {"\xff", "/w=="}, {"\xff\xfe", "//4="}, {"\xff\xfe\xfd", "//79"}, {"\xc3", "ww=="}}) {
    dl.original = bytes;
    out.clear();
    AppendDeadLetterJson(dl, out);
    EXPECT_NE(out.find("\"original_base64\":\"" + b64 + "\""), std::string::npos) << out;
  }
}

// Writes one sample of every output kind and validates them against their JSON Schemas with
// tests/schemas/check_examples.py (python3-jsonschema).
TEST(JsonWriterTest, OutputValidatesAgainstTheSchemas) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(CXPULSE_BINARY_DIR) / "schemas_writer_samples";
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::vector<std::string>& lines) {
    std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
    for (const auto& line : lines) f << line << '\n';
    return (dir / name).string();
  };
  auto validate = [&](const std::string& schema, const std::string& file) {
    const std::string cmd = std::string(CXPULSE_PYTHON) + " " + CXPULSE_SOURCE_DIR +
                            "/tests/schemas/check_examples.py --validate " + CXPULSE_SOURCE_DIR +
                            "/schemas/json " + schema + " " + file + " > " + file + ".log 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << schema << ": see " << file << ".log";
  };

  std::vector<std::string> alerts;
  for (int k = 0; k < kAlertKindCount; ++k) {
    for (Severity sev : {Severity::kWarning, Severity::kCritical}) {
      Alert a = SpecAlert();
      a.kind = static_cast<AlertKind>(k);
      a.severity = sev;
      if (k % 2) a.contact_id.clear();
      if (k % 3 == 0) {
        a.tier = sev == Severity::kCritical ? Tier::kVip : Tier::kStandard;
        a.channel = "phone";
        a.queue = "billing";
        a.reason = "refund";
      }
      a.reasons.push_back({"x\"y", "détail\n", {}});
      alerts.emplace_back();
      AppendAlertJson(a, alerts.back());
    }
  }
  validate("alert.schema.json", write("alerts.jsonl", alerts));

  const std::pair<SignalKind, const char*> kinds[] = {
      {SignalKind::kSlaBreached, "signal.sla_breached.schema.json"},
      {SignalKind::kSlaMet, "signal.sla_met.schema.json"},
      {SignalKind::kSlaEnded, "signal.sla_ended.schema.json"},
      {SignalKind::kContactRepeat, "signal.contact_repeat.schema.json"},
      {SignalKind::kEffortUpdated, "signal.effort_updated.schema.json"},
      {SignalKind::kRiskUpdated, "signal.risk_updated.schema.json"}};
  for (const auto& [kind, schema] : kinds) {
    Signal s;
    s.signal_id = "s-1";
    s.kind = kind;
    s.customer_id = "c-1";
    s.ts = EventTime::FromMillis(1'791'190'980'123);
    s.contact_id = "call-1";
    s.channel = "call";
    s.sla = SlaKind::kCallAnswer;
    s.target_ms = 20'000;
    s.elapsed_ms = 25'000;
    s.outcome = kind == SignalKind::kSlaBreached ? SlaOutcome::kBreached
                : kind == SignalKind::kSlaEnded  ? SlaOutcome::kAbandoned
                                                 : SlaOutcome::kAnswered;
    s.count_7d = 3;
    s.reason = "billing";  // written for contact.repeat only
    s.score = 70;
    s.previous = 60;
    s.event_ids = {"e-1", "e-2"};
    std::string line;
    AppendSignalJson(s, line);
    validate(schema, write(std::string(schema) + ".jsonl", {line}));
  }

  std::vector<std::string> dead;
  for (const std::string& original : {std::string("{\"a\":"), std::string("\xff\xfe")}) {
    DeadLetter dl;
    dl.original = original;
    dl.message = "invalid_json: x";
    dl.source = FileSource{"in.jsonl", 2};
    dead.emplace_back();
    AppendDeadLetterJson(dl, dead.back());
    dl.source = KafkaSource{"cx.calls", 0, 0};
    dl.field = "contact_id";
    dead.emplace_back();
    AppendDeadLetterJson(dl, dead.back());
    // A cut record: only its first bytes, with the size and hash of all of them.
    dl.error = DecodeError::kTooLarge;
    dl.field.clear();
    dl.original_size = 200 * 1024;
    dl.original_sha256 = std::string(64, 'a');
    dead.emplace_back();
    AppendDeadLetterJson(dl, dead.back());
  }
  validate("deadletter.schema.json", write("deadletters.jsonl", dead));
}

}  // namespace
}  // namespace cx
