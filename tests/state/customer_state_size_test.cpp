#include "state/customer_state_size.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace cx {
namespace {

TEST(CustomerStateSizeTest, AnEmptyStateIsItsStruct) {
  EXPECT_EQ(ApproxMemoryBytes(CustomerState{}), sizeof(CustomerState));
}

TEST(CustomerStateSizeTest, CountsCapacityNotSize) {
  CustomerState state;
  state.seen.reserve(64);
  const size_t reserved = ApproxMemoryBytes(state);
  EXPECT_GE(reserved, sizeof(CustomerState) + 64 * sizeof(SeenEvent));
  state.seen.resize(10);
  EXPECT_EQ(ApproxMemoryBytes(state), reserved);
}

TEST(CustomerStateSizeTest, CountsNestedVectorsAndLongStringsOnly) {
  CustomerState state;
  state.contacts.resize(1);
  const size_t one_contact = ApproxMemoryBytes(state);
  EXPECT_GE(one_contact, sizeof(CustomerState) + sizeof(Contact));
  state.contacts[0].queue = "billing";  // fits the string's own buffer
  EXPECT_EQ(ApproxMemoryBytes(state), one_contact);
  state.contacts[0].reason = std::string(100, 'r');
  state.contacts[0].messages.resize(8);
  EXPECT_GE(ApproxMemoryBytes(state), one_contact + 100 + 8 * sizeof(ChatMessage));
  state.surveys.resize(1);
  state.surveys[0].comment = std::string(500, 'c');
  EXPECT_GE(ApproxMemoryBytes(state), one_contact + 600 + sizeof(SurveyAnswer));
}

TEST(CustomerStateSizeTest, CountsTheAlertRecordsOnlyOnceAlerted) {
  CustomerState state;
  const size_t never = ApproxMemoryBytes(state);
  state.alerts.Mutable(static_cast<size_t>(AlertKind::kAtRisk)).ts = EventTime::FromMillis(1);
  EXPECT_GE(ApproxMemoryBytes(state), never + kAlertKindCount * sizeof(AlertRecord));
}

TEST(ReleaseSlackTest, GivesBackCapacityAndChangesNoValue) {
  CustomerState state;
  for (int i = 0; i < 40; ++i) {
    state.seen.push_back({static_cast<uint64_t>(i), EventTime::FromMillis(i)});
  }
  state.seen.erase(state.seen.begin(), state.seen.begin() + 35);  // a window pruned
  state.clicks.resize(20);
  state.clicks.clear();  // all pruned
  state.contacts.resize(3);
  state.contacts[0].messages.resize(9);
  state.contacts[0].messages.resize(2);
  state.contacts.pop_back();
  const CustomerState before = state;
  const size_t grown = ApproxMemoryBytes(state);

  ReleaseSlack(state);

  EXPECT_EQ(state, before);
  EXPECT_EQ(state.seen.capacity(), 5u);
  EXPECT_EQ(state.clicks.capacity(), 0u);
  EXPECT_EQ(state.contacts.capacity(), 2u);
  EXPECT_EQ(state.contacts[0].messages.capacity(), 2u);
  EXPECT_LT(ApproxMemoryBytes(state), grown);
}

TEST(AlertRecordsTest, ReadsNeverAlertedUntilWritten) {
  AlertRecords records;
  for (size_t k = 0; k < AlertRecords::size(); ++k) {
    EXPECT_EQ(records[k].ts, EventTime::Min());
  }
  EXPECT_EQ(records.HeapBytes(), 0u);
  records.Mutable(2) = {EventTime::FromMillis(7), Severity::kCritical};
  EXPECT_GT(records.HeapBytes(), 0u);
  EXPECT_EQ(records[2].ts, EventTime::FromMillis(7));
  EXPECT_EQ(records[2].severity, Severity::kCritical);
  EXPECT_EQ(records[1].ts, EventTime::Min());
  records.Clear();
  EXPECT_EQ(records.HeapBytes(), 0u);
  EXPECT_EQ(records[2].ts, EventTime::Min());
}

TEST(AlertRecordsTest, IsAValueType) {
  AlertRecords a;
  AlertRecords b;
  b.Mutable(0);  // a block of never-alerted records
  EXPECT_EQ(a, b);
  a.Mutable(4).ts = EventTime::FromMillis(3);
  EXPECT_NE(a, b);

  AlertRecords copy = a;  // deep: changing the copy leaves the original
  EXPECT_EQ(copy, a);
  copy.Mutable(4).ts = EventTime::FromMillis(9);
  EXPECT_EQ(a[4].ts, EventTime::FromMillis(3));
  b = copy;
  EXPECT_EQ(b[4].ts, EventTime::FromMillis(9));
  AlertRecords moved = std::move(copy);
  EXPECT_EQ(moved[4].ts, EventTime::FromMillis(9));
}

}  // namespace
}  // namespace cx
