#include "runtime/kafka/record_tally.h"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace cx {
namespace {

using std::chrono::nanoseconds;

Event Make(EventType type, Action action, std::string_view reason = {}) {
  Event e;
  e.type = type;
  e.action = action;
  e.reason = reason;
  return e;
}

TEST(RecordTally, CountsRecordsByTopicAndDecodedOnesByType) {
  RecordTally tally;
  EXPECT_TRUE(tally.empty());
  const Event click = Make(EventType::kClick, Action::kPageView);
  const Event call = Make(EventType::kCall, Action::kQueued, "billing");
  tally.AddRecord("cx.clicks", &click, nanoseconds(100));
  tally.AddRecord("cx.calls", &call, nanoseconds(300));
  tally.AddRecord("cx.clicks", nullptr, nanoseconds(50));  // a dead letter
  tally.AddRecord("cx.clicks", &click, nanoseconds(70));
  EXPECT_FALSE(tally.empty());
  EXPECT_EQ(tally.records(), 4U);
  ASSERT_EQ(tally.topics().size(), 2U);
  EXPECT_EQ(tally.topics()[0].topic, "cx.clicks");
  EXPECT_EQ(tally.topics()[0].records, 3U);
  EXPECT_EQ(tally.topics()[1].topic, "cx.calls");
  EXPECT_EQ(tally.topics()[1].records, 1U);
  EXPECT_EQ(tally.decoded()[static_cast<size_t>(EventType::kClick)], 2U);
  EXPECT_EQ(tally.decoded()[static_cast<size_t>(EventType::kCall)], 1U);
  EXPECT_EQ(tally.decoded()[static_cast<size_t>(EventType::kChat)], 0U);
  EXPECT_EQ(tally.processing_times(), (std::vector<nanoseconds>{nanoseconds(100), nanoseconds(300),
                                                                nanoseconds(50), nanoseconds(70)}));
}

TEST(RecordTally, CountsTheContactsAppliedEventsOpenedByReasonAndChannel) {
  RecordTally tally;
  std::string reason = "billing";
  tally.AddApplied(Make(EventType::kCall, Action::kQueued, reason));
  reason = "delivery";  // the event's reason is a view: the tally keeps its own copy
  tally.AddApplied(Make(EventType::kCall, Action::kQueued, "billing"));
  tally.AddApplied(Make(EventType::kChat, Action::kStarted, "billing"));
  tally.AddApplied(Make(EventType::kChat, Action::kMessage, "billing"));  // opens none
  tally.AddApplied(Make(EventType::kClick, Action::kPageView));           // opens none
  ASSERT_EQ(tally.contacts().size(), 2U);
  EXPECT_EQ(tally.contacts()[0].reason, "billing");
  EXPECT_EQ(tally.contacts()[0].channel, ContactChannel::kCall);
  EXPECT_EQ(tally.contacts()[0].contacts, 2U);
  EXPECT_EQ(tally.contacts()[1].channel, ContactChannel::kChat);
  EXPECT_EQ(tally.contacts()[1].contacts, 1U);
}

TEST(RecordTally, KeepsWhatTheSignalMetricsNeedAndNoIds) {
  RecordTally tally;
  Signal met;
  met.kind = SignalKind::kSlaMet;
  met.customer_id = "c-secret";
  met.channel = "chat";
  met.sla = SlaKind::kChatFirstReply;
  met.elapsed_ms = 42'000;
  tally.AddSignal(met);
  EXPECT_FALSE(tally.empty());  // signals alone are something to report
  Signal risk;
  risk.kind = SignalKind::kRiskUpdated;
  risk.customer_id = "c-secret";
  risk.score = 71;
  tally.AddSignal(risk);
  Signal repeat;
  repeat.kind = SignalKind::kContactRepeat;
  repeat.channel = "call";
  std::string reason = "billing";
  repeat.reason = reason;
  tally.AddSignal(repeat);
  tally.AddSignal(repeat);
  repeat.channel = "email";  // not a contact channel: counts nowhere
  tally.AddSignal(repeat);

  ASSERT_EQ(tally.signals().size(), 2U);
  EXPECT_EQ(tally.signals()[0].kind, SignalKind::kSlaMet);
  EXPECT_EQ(tally.signals()[0].channel, ContactChannel::kChat);
  EXPECT_EQ(tally.signals()[0].sla, SlaKind::kChatFirstReply);
  EXPECT_EQ(tally.signals()[0].elapsed_ms, 42'000);
  EXPECT_EQ(tally.signals()[1].kind, SignalKind::kRiskUpdated);
  EXPECT_EQ(tally.signals()[1].score, 71);
  EXPECT_EQ(tally.signals()[1].customer_hash, std::hash<std::string_view>{}("c-secret"));
  ASSERT_EQ(tally.repeats().size(), 1U);
  EXPECT_EQ(tally.repeats()[0].reason, "billing");
  EXPECT_EQ(tally.repeats()[0].channel, ContactChannel::kCall);
  EXPECT_EQ(tally.repeats()[0].contacts, 2U);
  EXPECT_EQ(tally.records(), 0U);

  tally.Clear();
  EXPECT_TRUE(tally.empty());
  EXPECT_TRUE(tally.signals().empty());
  EXPECT_TRUE(tally.repeats().empty());
}

TEST(RecordTally, ClearForgetsTheRecordsAndKeepsTheTopics) {
  RecordTally tally;
  const Event call = Make(EventType::kCall, Action::kQueued, "billing");
  tally.AddRecord("cx.calls", &call, nanoseconds(1));
  tally.AddApplied(call);
  tally.Clear();
  EXPECT_TRUE(tally.empty());
  EXPECT_EQ(tally.records(), 0U);
  ASSERT_EQ(tally.topics().size(), 1U);
  EXPECT_EQ(tally.topics()[0].records, 0U);
  EXPECT_EQ(tally.decoded()[static_cast<size_t>(EventType::kCall)], 0U);
  EXPECT_TRUE(tally.contacts().empty());
  tally.AddRecord("cx.calls", &call, nanoseconds(1));
  EXPECT_EQ(tally.topics()[0].records, 1U);
}

}  // namespace
}  // namespace cx
