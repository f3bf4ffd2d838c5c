#include "generate/rng.h"

#include <gtest/gtest.h>

namespace cx::gen {
namespace {

TEST(Rng, SameSeedSameNumbersAndBoundsHold) {
  Rng a(77), b(77), c(78);
  EXPECT_EQ(a.Next(), b.Next());
  EXPECT_NE(a.Next(), c.Next());
  Rng r(1);
  int64_t low = 0, high = 0;
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    int64_t v = r.Between(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    low += v == -3;
    high += v == 3;
    double u = r.Unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    int64_t d = r.ExpMillis(10'000, 2'000, 60'000);
    ASSERT_GE(d, 2'000);
    ASSERT_LE(d, 60'000);
    sum += static_cast<double>(d);
  }
  EXPECT_NEAR(low / 100'000.0, 1 / 7.0, 0.01);
  EXPECT_NEAR(high / 100'000.0, 1 / 7.0, 0.01);
  EXPECT_NEAR(sum / 100'000, 10'000, 300);
}

}  // namespace
}  // namespace cx::gen
