#include "runtime/shard/state_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "processors/engine.h"
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
      R"({"event_id":"e1","customer_id":"c\"1","type":"call","action":"queued","contact_id":"k1","ts":1791190000000})");
  Apply(
      rules, state,
      R"({"event_id":"e2","customer_id":"c\"1","type":"survey","survey":"nps","score":2,"ts":1791190001000})");
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
  simdjson::dom::array risk_reasons;
  ASSERT_EQ(doc["score_reasons"]["risk"].get(risk_reasons), simdjson::SUCCESS);
  ASSERT_EQ(risk_reasons.size(), 1u);
  EXPECT_EQ(std::string_view(risk_reasons.at(0)["code"]), "survey_or_cancel_intent");
}

}  // namespace
}  // namespace cx
