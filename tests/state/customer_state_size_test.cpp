#include "state/customer_state_size.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace cx
