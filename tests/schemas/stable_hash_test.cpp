#include "schemas/stable_hash.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

// Alert, signal and case ids are stored by users and compared across versions and re-runs: the
// same parts give the same 32 hex digits forever. Golden values from the first implementation.
TEST(StableIdTest, KeepsItsValuesAcrossVersions) {
  EXPECT_EQ(StableId({"c-42", "low_score", "n1"}), "4cc6d1e6afca1628e2f3f17b0e3a7ed2");
  EXPECT_EQ(StableId({}), "6c62272e07bb014262b821756295c58d");  // the FNV-1a 128 offset basis
  EXPECT_EQ(StableId({"case", "c-000000001", "0123456789abcdef0123456789abcdef"}),
            "36a60ca32cf85d96659284afa2d79b15");
}

TEST(StableIdTest, PartsAreLengthPrefixed) {
  EXPECT_NE(StableId({"ab", "c"}), StableId({"a", "bc"}));
  EXPECT_EQ(StableId({"ab", "c"}).size(), 32U);
}

TEST(Fnv1a64Test, MatchesTheReferenceValues) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);  // the FNV reference test vector
}

}  // namespace
}  // namespace cx
