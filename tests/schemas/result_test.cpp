#include "schemas/result.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace cx {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Err("odd: " + std::to_string(n));
  return n / 2;
}

Result<void> CheckEven(int n) {
  Result<int> half = Half(n);
  if (!half) return half.error().Prefixed("check");
  return Ok();
}

TEST(ResultTest, HoldsTheValueOrTheError) {
  Result<int> four = Half(8);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(*four, 4);
  Result<int> odd = Half(3);
  ASSERT_FALSE(odd.ok());
  EXPECT_FALSE(static_cast<bool>(odd));
  EXPECT_EQ(odd.error().message(), "odd: 3");
}

TEST(ResultTest, VoidResultForwardsAnErrorWithContext) {
  EXPECT_TRUE(CheckEven(2).ok());
  Result<void> failed = CheckEven(5);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "check: odd: 5");
}

TEST(ResultTest, AUsageErrorStaysOneThroughContext) {
  EXPECT_FALSE(Err("disk full").usage());
  Result<void> refused = Err::Usage("input already replayed");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().usage());
  Err prefixed = refused.error().Prefixed("replay");
  EXPECT_TRUE(prefixed.usage());
  EXPECT_EQ(prefixed.message(), "replay: input already replayed");
}

TEST(ResultTest, MovesOutAMoveOnlyValue) {
  Result<std::unique_ptr<int>> made = std::make_unique<int>(7);
  ASSERT_TRUE(made.ok());
  std::unique_ptr<int> owned = std::move(made).value();
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, 7);
}

}  // namespace
}  // namespace cx
