#include "state/store/departed_filter.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "state/store/customer_key.h"

namespace cx {
namespace {

uint64_t HashOf(const std::string& id) { return CustomerKey(id).hash; }

TEST(DepartedFilterTest, EmptyContainsNothing) {
  DepartedFilter filter;
  EXPECT_TRUE(filter.empty());
  EXPECT_FALSE(filter.MayContain(HashOf("c-1")));
  EXPECT_EQ(filter.bytes(), 0u);
}

TEST(DepartedFilterTest, EveryAddedHashIsFoundAndFewOthersAre) {
  DepartedFilter filter;
  constexpr int kAdded = 1'000'000;  // ten layers: 1 Ki, 2 Ki, ..., 512 Ki hashes
  size_t grown = 0;
  for (int n = 0; n < kAdded; ++n) {
    grown += filter.Add(HashOf("c-" + std::to_string(n)));
  }
  EXPECT_EQ(filter.size(), static_cast<uint64_t>(kAdded));
  EXPECT_EQ(grown, filter.bytes()) << "Add reports each layer's memory once";
  // 12 bits per hash over the layers' capacity (1 047 552 hashes): 1.5 MiB.
  EXPECT_EQ(filter.bytes(), 1'047'552u * 12 / 8);
  for (int n = 0; n < kAdded; ++n) {
    ASSERT_TRUE(filter.MayContain(HashOf("c-" + std::to_string(n)))) << n;
  }
  int false_positives = 0;
  constexpr int kOthers = 1'000'000;
  for (int n = 0; n < kOthers; ++n) {
    false_positives += filter.MayContain(HashOf("other-" + std::to_string(n))) ? 1 : 0;
  }
  // ≈ 0.5 % per full layer at 12 bits per hash, ten nearly full layers: ≈ 5 %.
  EXPECT_LT(false_positives, kOthers * 7 / 100) << false_positives;
  EXPECT_GT(false_positives, 0) << "a filter this small cannot be exact";
}

// A replay's slice holds the customers of one range of the hash's top bits (CustomerSlice,
// runtime/shard/shard.h):
// its filter must still use all of its blocks. Before the filter mixed the hashes again, the
// first slice of two passed 59 % of the customers never added over thirteen layers.
TEST(DepartedFilterTest, HashesOfOneSliceSpreadOverTheWholeFilter) {
  const auto of_first_slice = [](const std::string& prefix, int count) {
    std::vector<uint64_t> hashes;
    for (int n = 0; hashes.size() < static_cast<size_t>(count); ++n) {
      const uint64_t hash = HashOf(prefix + std::to_string(n));
      if (hash >> 63 == 0) {  // the first of two CustomerSlices

        hashes.push_back(hash);
      }
    }
    return hashes;
  };
  DepartedFilter filter;
  for (const uint64_t hash : of_first_slice("c-", 1'000'000)) {
    filter.Add(hash);
  }
  int false_positives = 0;
  constexpr int kOthers = 1'000'000;
  for (const uint64_t hash : of_first_slice("other-", kOthers)) {
    false_positives += filter.MayContain(hash) ? 1 : 0;
  }
  // As for hashes of every slice (above): ≈ 5 %; with half the blocks it was ≈ 50 %.
  EXPECT_LT(false_positives, kOthers * 7 / 100) << false_positives;
}

TEST(DepartedFilterTest, ClearForgetsEverything) {
  DepartedFilter filter;
  EXPECT_GT(filter.Add(HashOf("c-1")), 0u) << "the first layer is allocated";
  EXPECT_EQ(filter.Add(HashOf("c-2")), 0u);
  EXPECT_TRUE(filter.MayContain(HashOf("c-1")));
  filter.Clear();
  EXPECT_TRUE(filter.empty());
  EXPECT_EQ(filter.size(), 0u);
  EXPECT_FALSE(filter.MayContain(HashOf("c-1")));
}

}  // namespace
}  // namespace cx
