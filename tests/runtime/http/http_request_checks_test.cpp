#include "runtime/http/http_request_checks.h"

#include <string>

#include <gtest/gtest.h>

namespace cx {
namespace {

TEST(DecodeCustomerIdTest, AcceptsPlainAndPercentEncodedIds) {
  EXPECT_EQ(DecodeCustomerId("c-42"), "c-42");
  EXPECT_EQ(DecodeCustomerId("a%2Fb%20c"), "a/b c");
  EXPECT_EQ(DecodeCustomerId("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(DecodeCustomerId(std::string(128, 'x')), std::string(128, 'x'));
  // 128 two-byte code points are 256 bytes but 128 characters.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "%C3%A9";
  ASSERT_TRUE(DecodeCustomerId(wide).has_value());
  EXPECT_EQ(DecodeCustomerId(wide)->size(), 256U);
}

TEST(DecodeCustomerIdTest, RejectsBadIds) {
  EXPECT_FALSE(DecodeCustomerId(""));
  EXPECT_FALSE(DecodeCustomerId(std::string(129, 'x')));
  EXPECT_FALSE(DecodeCustomerId("a/b"));
  EXPECT_FALSE(DecodeCustomerId("%"));
  EXPECT_FALSE(DecodeCustomerId("ab%4"));
  EXPECT_FALSE(DecodeCustomerId("ab%zz"));
  EXPECT_FALSE(DecodeCustomerId("a%00b"));      // control character
  EXPECT_FALSE(DecodeCustomerId("a%0Ab"));      // newline
  EXPECT_FALSE(DecodeCustomerId("a%7Fb"));      // DEL
  EXPECT_FALSE(DecodeCustomerId("%C3"));        // truncated UTF-8
  EXPECT_FALSE(DecodeCustomerId("%C0%AF"));     // overlong
  EXPECT_FALSE(DecodeCustomerId("%ED%A0%80"));  // surrogate
  EXPECT_FALSE(DecodeCustomerId("%FF"));
}

TEST(BearerTokenTest, MatchesOnlyTheExactToken) {
  EXPECT_TRUE(BearerTokenMatches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(BearerTokenMatches("bearer s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer s3crett", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer S3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("s3cret", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("", "s3cret"));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
}

TEST(EventStreamTest, AcceptHeaderAndFraming) {
  EXPECT_TRUE(AcceptsEventStream("text/event-stream"));
  EXPECT_TRUE(AcceptsEventStream("application/json, text/event-stream;q=0.5"));
  EXPECT_FALSE(AcceptsEventStream("application/json"));
  EXPECT_EQ(FormatSseEvent("{\"a\":1}"), "data: {\"a\":1}\n\n");
  EXPECT_EQ(FormatSseEvent("one\ntwo\r\nthree"), "data: one\ndata: two\ndata: three\n\n");
}

TEST(QueryParameterTest, FindsNamedValues) {
  EXPECT_EQ(QueryParameter("limit=20", "limit"), "20");
  EXPECT_EQ(QueryParameter("a=1&limit=5&b=2", "limit"), "5");
  EXPECT_EQ(QueryParameter("limits=5", "limit"), "");
  EXPECT_EQ(QueryParameter("", "limit"), "");
}

TEST(OversizedHeaderStatusTest, LongRequestLineIs414OtherwiseHeadersAre431) {
  // The parser stopped inside the request line: it is still in the unparsed bytes.
  const std::string long_line = "GET /" + std::string(100, 'a') + " HTTP/1.1";
  EXPECT_EQ(OversizedHeaderStatus("", long_line + "\r\nHost: x\r\n", 64), 414U);
  EXPECT_EQ(OversizedHeaderStatus("", "GET /" + std::string(100, 'a'), 64), 414U);  // no CRLF
  EXPECT_EQ(OversizedHeaderStatus("", "GET /" + std::string(59, 'a') + "\r\n", 64), 431U);
  // The parser got through the request line: the headers are what is too large.
  EXPECT_EQ(OversizedHeaderStatus("/healthz", "X: " + std::string(100, 'b'), 64), 431U);
  EXPECT_EQ(OversizedHeaderStatus("/" + std::string(100, 'a'), "X: b", 64), 414U);
}

TEST(SplitTargetTest, SplitsAtTheFirstQuestionMark) {
  EXPECT_EQ(SplitTarget("/alerts?limit=2?x").path, "/alerts");
  EXPECT_EQ(SplitTarget("/alerts?limit=2?x").query, "limit=2?x");
  EXPECT_EQ(SplitTarget("/healthz").path, "/healthz");
  EXPECT_TRUE(SplitTarget("/healthz").query.empty());
  EXPECT_TRUE(SplitTarget("/x?").query.empty());
}

TEST(AlertsLimitTest, AnIntegerFromZeroTo100000) {
  EXPECT_EQ(AlertsLimit(""), 0u);
  EXPECT_EQ(AlertsLimit("a=1&limit=20"), 20u);
  EXPECT_EQ(AlertsLimit("limit=100000"), 100000u);
  EXPECT_EQ(AlertsLimit("limit="), 0u);
  EXPECT_FALSE(AlertsLimit("limit=100001"));
  EXPECT_FALSE(AlertsLimit("limit=-1"));
  EXPECT_FALSE(AlertsLimit("limit=2x"));
  EXPECT_FALSE(AlertsLimit("limit=99999999999999999999999"));
}

}  // namespace
}  // namespace cx
