#include "generate/customer_permutation.h"

#include <gtest/gtest.h>

#include <set>

namespace cx::gen {
namespace {

TEST(CustomerPermutation, IsABijectionThatShuffles) {
  for (uint64_t n : {1ULL, 2ULL, 3ULL, 17ULL, 1000ULL, 65'537ULL}) {
    CustomerPermutation permutation(n, 1234);
    std::set<uint64_t> seen;
    uint64_t fixed_points = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t v = permutation(i);
      ASSERT_LT(v, n);
      seen.insert(v);
      fixed_points += v == i;
    }
    EXPECT_EQ(seen.size(), n);
    if (n >= 1000) {
      EXPECT_LT(fixed_points, n / 100);
    }
  }
}

}  // namespace
}  // namespace cx::gen
