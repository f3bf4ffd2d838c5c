#include "runtime/shard/state_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "processors/engine.h"
#include "processors/risk.h"
#include "schemas/decoder.h"

namespace cx {
namespace {

void Apply(const RulesConfig& rules, CustomerState& state, const std::string& json) {
  Decoder decoder;
  Event event;
  DecodeFailure why;
  ASSERT_EQ(decoder.Decode(json, EventTime::Max(), event, why), DecodeError::kOk) << json;
  Emissions out;
  (void)ApplyEvent(rules, event.customer_id, state, event, event.ts, out);
}

TEST(StateJson, ScoresContactsAndReasons) {
  RulesConfig rules;
  CustomerState state;
  Apply(
      rules, state,
      R"({"event_id":"e1","customer_id":"c\"1","type":"call","action":"queued","contact_id":"k1","queue":"retention","ts":1791190000000})");
  Apply(
      rules, state,
      R"({"event_id":"e2","customer_id":"c\"1","type":"survey","survey":"nps","score":2,"contact_id":"k1","comment":"Too \"slow\"","ts":1791190001000})");
  std::string out;
  AppendCustomerStateJson("c\"1", state, rules, state.last_activity, out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(std::string_view(doc["customer_id"]), "c\"1");
  EXPECT_EQ(int64_t(doc["risk_score"]), 40);
  simdjson::dom::array open;
  ASSERT_EQ(doc["open_contacts"].get(open), simdjson::SUCCESS);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(std::string_view(open.at(0)["contact_id"]), "k1");
  EXPECT_EQ(std::string_view(open.at(0)["queue"]), "retention");
  EXPECT_TRUE(open.at(0)["reason"].is_null()) << out;
  simdjson::dom::array surveys;
  ASSERT_EQ(doc["surveys"].get(surveys), simdjson::SUCCESS) << out;
  ASSERT_EQ(surveys.size(), 1u);
  EXPECT_EQ(std::string_view(surveys.at(0)["survey"]), "nps");
  EXPECT_EQ(int64_t(surveys.at(0)["score"]), 2);
  EXPECT_EQ(std::string_view(surveys.at(0)["contact_id"]), "k1");
  EXPECT_EQ(std::string_view(surveys.at(0)["comment"]), "Too \"slow\"");
  simdjson::dom::array risk_reasons;
  ASSERT_EQ(doc["score_reasons"]["risk"].get(risk_reasons), simdjson::SUCCESS);
  ASSERT_EQ(risk_reasons.size(), 1u);
  EXPECT_EQ(std::string_view(risk_reasons.at(0)["code"]), "survey_or_cancel_intent");
}

// The explanation counts contacts with the score's own window and boundary: a contact exactly
// 7 days back counts for the +20 "many contacts" condition, and the JSON says so.
TEST(StateJson, ContactCountMatchesTheRiskScore) {
  RulesConfig rules;
  CustomerState state;
  const int64_t now = 1791190000000;
  const int64_t day = 86'400'000;
  int n = 0;
  for (int64_t ts : {now - 7 * day, now - day, now}) {
    ++n;
    Apply(rules, state,
          R"({"event_id":"e)" + std::to_string(n) +
              R"(","customer_id":"c1","type":"call","action":"queued","contact_id":"k)" +
              std::to_string(n) + R"(","ts":)" + std::to_string(ts) + "}");
  }
  const EventTime at = EventTime::FromMillis(now);
  const RiskParts parts = ExplainRisk(rules, state, at);
  ASSERT_EQ(parts.contacts, 3);
  std::string out;
  AppendCustomerStateJson("c1", state, rules, at, out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(out).get(doc), simdjson::SUCCESS) << out;
  EXPECT_EQ(int64_t(doc["contacts_7d"]), 3);
  EXPECT_EQ(int64_t(doc["risk_score"]), RiskScore(rules, state, at));
  bool many_contacts = false;
  for (simdjson::dom::element reason : doc["score_reasons"]["risk"].get_array()) {
    if (std::string_view(reason["code"]) == "many_contacts") many_contacts = true;
  }
  EXPECT_TRUE(many_contacts) << out;
}

// Right after a help-dwell needs_help, the state shows the dwell that triggered it.
TEST(StateJson, ShowsTheHelpDwellBehindANeedsHelp) {
  RulesConfig rules;
  CustomerState state;
  const int64_t t0 = 1791190000000;
  Apply(
      rules, state,
      R"({"event_id":"e1","customer_id":"c1","type":"click","action":"page_view","page":"/help/x","session_id":"s","ts":1791190000000})");
  Emissions out;
  FireDueTimers(rules, "c1", state, EventTime::FromMillis(t0 + 91'000), out);
  ASSERT_EQ(out.alerts.size(), 1u);
  ASSERT_EQ(out.alerts[0].kind, AlertKind::kNeedsHelp);
  std::string json;
  AppendCustomerStateJson("c1", state, rules, EventTime::FromMillis(t0 + 91'000), json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_GE(int64_t(doc["session"]["help_dwell_ms"]), 90'000) << json;
  EXPECT_TRUE(bool(doc["session"]["needs_help_raised"]));
}

}  // namespace
}  // namespace cx
