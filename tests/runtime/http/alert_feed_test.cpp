#include "runtime/http/http_alert_feed.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/json_writer.h"

namespace cx {
namespace {

Alert MakeAlert(std::string id, AlertKind kind) {
  Alert alert;
  alert.alert_id = std::move(id);
  alert.customer_id = "c-1";
  alert.kind = kind;
  alert.ts = EventTime::FromMillis(1'790'000'000'000);
  alert.reasons.push_back({"contact_us", "pressed contact us", {"e-1"}});
  return alert;
}

TEST(AlertFeedTest, KeepsTheNewestAlertsNewestFirst) {
  AlertFeed feed(2);
  EXPECT_EQ(feed.RecentJson(), "[]");
  feed.Publish("{\"n\":1}");
  feed.Publish("{\"n\":2}");
  feed.Publish("{\"n\":3}");
  EXPECT_EQ(feed.size(), 2U);
  EXPECT_EQ(feed.published(), 3U);
  EXPECT_EQ(feed.RecentJson(), "[{\"n\":3},{\"n\":2}]");
  EXPECT_EQ(feed.RecentJson(1), "[{\"n\":3}]");
}

TEST(AlertFeedTest, KeepsACommittedAlertAsTheJsonItsTopicGot) {
  AlertFeed feed(10);
  const Alert alert = MakeAlert("a-1", AlertKind::kNeedsHelp);
  std::string topic_json;
  AppendAlertJson(alert, topic_json);
  feed.OnAlertCommitted(alert, topic_json, std::chrono::milliseconds(3));
  EXPECT_EQ(feed.RecentJson(), "[" + topic_json + "]");
  EXPECT_NE(topic_json.find("\"recommended_action\":\"offer_chat\""), std::string::npos);
}

TEST(AlertFeedTest, SubscribersSeeNewAlertsUntilUnsubscribed) {
  AlertFeed feed(10);
  std::vector<std::string> seen;
  uint64_t id = feed.Subscribe([&](const AlertFeed::AlertJson& json) { seen.push_back(*json); });
  EXPECT_EQ(feed.subscribers(), 1U);
  feed.Publish("{\"n\":1}");
  feed.Unsubscribe(id);
  feed.Publish("{\"n\":2}");
  EXPECT_EQ(feed.subscribers(), 0U);
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0], "{\"n\":1}");
}

TEST(AlertFeedTest, CapacityBelowOneKeepsOne) {
  AlertFeed feed(0);
  feed.Publish("{}");
  feed.Publish("[]");
  EXPECT_EQ(feed.size(), 1U);
}

}  // namespace
}  // namespace cx
