#include "runtime/notify/notify_message.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace cx {
namespace {

Alert MakeAlert() {
  Alert alert;
  alert.alert_id = "a-1";
  alert.customer_id = "c/42 <x>";
  alert.kind = AlertKind::kSlaBreach;
  alert.severity = Severity::kCritical;
  alert.ts = EventTime::FromMillis(1'790'000'000'000);
  alert.tier = Tier::kVip;
  alert.channel = "chat";
  alert.queue = "billing";
  alert.reasons = {{"chat_first_reply_breach", "no agent reply for 180 s & counting", {"e-1"}}};
  return alert;
}

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  return root;
}

TEST(NotifyMessage, SlackAlertIsBlockKitWithWhoWhyWhatAndLink) {
  const std::string body = SlackAlertBody(MakeAlert(), "https://cx.example.com/");
  simdjson::dom::parser parser;
  simdjson::dom::element root = Parse(parser, body);
  simdjson::dom::array blocks;
  ASSERT_EQ(root["blocks"].get_array().get(blocks), simdjson::SUCCESS);
  std::string_view header;
  ASSERT_EQ(blocks.at(0)["text"]["text"].get_string().get(header), simdjson::SUCCESS);
  EXPECT_EQ(header, "sla_breach (critical)");
  std::string_view who;
  ASSERT_EQ(blocks.at(1)["text"]["text"].get_string().get(who), simdjson::SUCCESS);
  EXPECT_NE(who.find("*Who*"), std::string_view::npos);
  EXPECT_NE(who.find("c/42 &lt;x&gt;"), std::string_view::npos);  // mrkdwn-escaped
  EXPECT_NE(who.find("vip"), std::string_view::npos);
  EXPECT_NE(who.find("queue billing"), std::string_view::npos);
  std::string_view why;
  ASSERT_EQ(blocks.at(2)["text"]["text"].get_string().get(why), simdjson::SUCCESS);
  EXPECT_NE(why.find("180 s &amp; counting"), std::string_view::npos);
  std::string_view what;
  ASSERT_EQ(blocks.at(3)["text"]["text"].get_string().get(what), simdjson::SUCCESS);
  EXPECT_NE(what.find("apologise"), std::string_view::npos);
  std::string_view url;
  ASSERT_EQ(blocks.at(4)["elements"].at(0)["url"].get_string().get(url), simdjson::SUCCESS);
  EXPECT_EQ(url, "https://cx.example.com/#customer=c%2F42%20%3Cx%3E");
  std::string_view text;
  ASSERT_EQ(root["text"].get_string().get(text), simdjson::SUCCESS);
  EXPECT_FALSE(text.empty());
}

TEST(NotifyMessage, SlackWithoutPublicUrlHasNoLink) {
  const std::string body = SlackAlertBody(MakeAlert(), "");
  EXPECT_EQ(body.find("\"actions\""), std::string::npos);
}

TEST(NotifyMessage, ProactiveChatOffersAChatWithTheAlert) {
  Alert alert = MakeAlert();
  alert.kind = AlertKind::kNeedsHelp;
  alert.severity = Severity::kWarning;
  const std::string body = ProactiveChatBody(alert);
  simdjson::dom::parser parser;
  simdjson::dom::element root = Parse(parser, body);
  std::string_view value;
  ASSERT_EQ(root["type"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "proactive_chat.offer");
  ASSERT_EQ(root["action"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "offer_chat");
  ASSERT_EQ(root["ts"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value.substr(0, 4), "2026");
  ASSERT_EQ(root["alert"]["kind"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "needs_help");
  ASSERT_EQ(root["customer_id"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "c/42 <x>");
}

TEST(NotifyMessage, EscalationBodies) {
  Escalation escalation;
  escalation.ts = EventTime::FromMillis(1'790'000'000'000);
  escalation.snapshot.case_id = "case-1";
  escalation.snapshot.customer_id = "c-9";
  escalation.snapshot.severity = Severity::kCritical;
  escalation.snapshot.alerts = {{"a-1",
                                 AlertKind::kAtRisk,
                                 Severity::kCritical,
                                 escalation.ts,
                                 {{"risk", "risk score 85", {}}}}};
  simdjson::dom::parser parser;
  std::string_view value;
  simdjson::dom::element json = Parse(parser, EscalationBody(escalation));
  ASSERT_EQ(json["type"].get_string().get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "case.escalated");
  const std::string slack = SlackEscalationBody(escalation, "https://cx.example.com");
  simdjson::dom::parser slack_parser;
  simdjson::dom::element root = Parse(slack_parser, slack);
  EXPECT_NE(slack.find("https://cx.example.com/#case=case-1"), std::string::npos);
  EXPECT_NE(slack.find("risk score 85"), std::string::npos);
  EXPECT_NE(slack.find("Nobody has claimed this critical case"), std::string::npos);
  EXPECT_NE(slack.find("A manager calls back"), std::string::npos);  // at_risk: senior_callback
  std::string_view header;
  ASSERT_EQ(root["blocks"].at(0)["text"]["text"].get_string().get(header), simdjson::SUCCESS);
  EXPECT_EQ(header, "Escalated: critical case unclaimed");
}

}  // namespace
}  // namespace cx
