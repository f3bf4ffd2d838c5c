#include "runtime/config/memory_limit.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace cx {
namespace {

TEST(MemoryLimitFromCgroupV2, BytesOrNothing) {
  EXPECT_EQ(*MemoryLimitFromCgroupV2("2147483648\n"), uint64_t{2} << 30);
  EXPECT_FALSE(MemoryLimitFromCgroupV2("max\n").has_value());
  EXPECT_FALSE(MemoryLimitFromCgroupV2("").has_value());
  EXPECT_FALSE(MemoryLimitFromCgroupV2("2G").has_value());
  EXPECT_FALSE(MemoryLimitFromCgroupV2("0").has_value());
}

TEST(MemoryLimitFromCgroupV1, BytesOrNothingWhenUnlimited) {
  EXPECT_EQ(*MemoryLimitFromCgroupV1("1073741824\n"), uint64_t{1} << 30);
  // What v1 reads when no limit is set (PAGE_COUNTER_MAX pages of 4 KiB).
  EXPECT_FALSE(MemoryLimitFromCgroupV1("9223372036854771712\n").has_value());
  EXPECT_FALSE(MemoryLimitFromCgroupV1("-1").has_value());
  EXPECT_FALSE(MemoryLimitFromCgroupV1("x").has_value());
}

TEST(AvailableMemoryBytes, IsTheMachinesOrLess) {
  const uint64_t available = AvailableMemoryBytes();
  EXPECT_GT(available, 0u);
  if (std::optional<uint64_t> limit = ReadCgroupMemoryLimit()) {
    EXPECT_LE(available, *limit);
  }
}

}  // namespace
}  // namespace cx
