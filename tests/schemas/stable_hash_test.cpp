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

// The streaming form hashes exactly what StableId does: a part fed in pieces equals the joined
// part, and a copied prefix continues like the whole list (the rules hash the customer once).
TEST(StableHasherTest, PiecesAndPrefixesGiveTheSameIds) {
  EXPECT_EQ(StableHasher().Part("c-42").Part("low_score").Part("n1").Id(),
            "4cc6d1e6afca1628e2f3f17b0e3a7ed2");
  const StableHasher customer = StableHasher().Part("c-42");
  StableHasher copy = customer;
  EXPECT_EQ(copy.Part("low_score").Part("n1").Id(), StableId({"c-42", "low_score", "n1"}));
  EXPECT_EQ(StableHasher(customer)
                .Part("sla.breached")
                .BeginPart(17)
                .Piece("k-1")
                .Piece("|")
                .Piece("call_answer")
                .Piece("|")
                .Piece("7")
                .Id(),
            StableId({"c-42", "sla.breached", "k-1|call_answer|7"}));
  EXPECT_NE(StableHasher(customer).BeginPart(2).Piece("a").Piece("b").Id(),
            StableHasher(customer).Part("a").Part("b").Id());
  EXPECT_EQ(Fnv1a128({"ab", "c"}), StableHasher().Part("ab").Part("c").Value());
}

TEST(Fnv1a64Test, MatchesTheReferenceValues) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);  // the FNV reference test vector
}

}  // namespace
}  // namespace cx
