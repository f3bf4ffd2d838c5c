#include "schemas/decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace cx {
namespace {

constexpr std::string_view kHead =
    R"({"event_id":"e-1","customer_id":"c-42","ts":"2026-10-05T09:00:00.250Z",)";
constexpr int64_t kTs = 1'791'190'800'250;

class DecoderTest : public ::testing::Test {
 protected:
  DecodeError Run(std::string_view json, EventTime not_after = EventTime::Max()) {
    return decoder_.Decode(json, not_after, event_, why_);
  }
  // Decodes kHead + `rest` (the remaining fields and the closing brace).
  DecodeError With(std::string_view rest) { return Run(std::string(kHead) + std::string(rest)); }

  Decoder decoder_;
  Event event_;
  DecodeFailure why_;
};

TEST_F(DecoderTest, DecodesEveryClickAction) {
  ASSERT_EQ(With(R"("type":"click","action":"page_view","page":"/help","session_id":"s1",)"
                 R"("tier":"vip","channel":"web"})"),
            DecodeError::kOk)
      << why_.Message();
  EXPECT_EQ(event_.type, EventType::kClick);
  EXPECT_EQ(event_.action, Action::kPageView);
  EXPECT_EQ(event_.ts.ms, kTs);
  EXPECT_EQ(event_.event_id, "e-1");
  EXPECT_EQ(event_.customer_id, "c-42");
  EXPECT_EQ(event_.page, "/help");
  EXPECT_EQ(event_.session_id, "s1");
  EXPECT_EQ(event_.tier, Tier::kVip);
  EXPECT_EQ(event_.channel, "web");

  ASSERT_EQ(With(R"("type":"click","action":"click","page":"/p","element":"#b"})"),
            DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kClick);
  EXPECT_EQ(event_.element, "#b");
  EXPECT_EQ(event_.tier, Tier::kUnset);
  EXPECT_TRUE(event_.session_id.empty());

  ASSERT_EQ(With(R"("type":"click","action":"search","results":0,"query":"q"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kSearch);
  EXPECT_EQ(event_.results, 0);
  EXPECT_EQ(event_.query, "q");

  ASSERT_EQ(With(R"("type":"click","action":"error","page":"/p","status":503})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kError);
  EXPECT_EQ(event_.status, 503);

  ASSERT_EQ(With(R"("type":"click","action":"contact_us"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kContactUs);
}

TEST_F(DecoderTest, DecodesEveryCallAction) {
  ASSERT_EQ(With(R"("type":"call","action":"queued","contact_id":"k1","queue":"q","reason":"r"})"),
            DecodeError::kOk);
  EXPECT_EQ(event_.type, EventType::kCall);
  EXPECT_EQ(event_.action, Action::kQueued);
  EXPECT_EQ(event_.contact_id, "k1");
  EXPECT_EQ(event_.queue, "q");
  EXPECT_EQ(event_.reason, "r");
  ASSERT_EQ(With(R"("type":"call","action":"answered","contact_id":"k1","agent_id":"a"})"),
            DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kAnswered);
  EXPECT_EQ(event_.agent_id, "a");
  ASSERT_EQ(With(R"("type":"call","action":"transferred","contact_id":"k1"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kTransferred);
  ASSERT_EQ(
      With(R"("type":"call","action":"ended","contact_id":"k1","resolved":true,"hold_ms":7})"),
      DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kEnded);
  EXPECT_EQ(event_.resolved, 1);
  EXPECT_EQ(event_.hold_ms, 7);
  ASSERT_EQ(With(R"("type":"call","action":"ended","contact_id":"k1"})"), DecodeError::kOk);
  EXPECT_EQ(event_.resolved, -1);
  EXPECT_EQ(event_.hold_ms, -1);
  ASSERT_EQ(With(R"("type":"call","action":"abandoned","contact_id":"k1"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kAbandoned);
}

TEST_F(DecoderTest, DecodesEveryChatAction) {
  ASSERT_EQ(With(R"("type":"chat","action":"started","contact_id":"h","reason":"r"})"),
            DecodeError::kOk);
  EXPECT_EQ(event_.type, EventType::kChat);
  EXPECT_EQ(event_.action, Action::kStarted);
  EXPECT_EQ(event_.reason, "r");
  for (auto [name, author] : {std::pair{"customer", Author::kCustomer},
                              std::pair{"agent", Author::kAgent}, std::pair{"bot", Author::kBot}}) {
    ASSERT_EQ(With(std::string(R"("type":"chat","action":"message","contact_id":"h","author":")") +
                   name + "\"}"),
              DecodeError::kOk);
    EXPECT_EQ(event_.action, Action::kMessage);
    EXPECT_EQ(event_.author, author);
  }
  ASSERT_EQ(With(R"("type":"chat","action":"transferred","contact_id":"h"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kTransferred);
  ASSERT_EQ(With(R"("type":"chat","action":"ended","contact_id":"h","resolved":false})"),
            DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kEnded);
  EXPECT_EQ(event_.resolved, 0);
  ASSERT_EQ(With(R"("type":"chat","action":"abandoned","contact_id":"h"})"), DecodeError::kOk);
  EXPECT_EQ(event_.action, Action::kAbandoned);
}

TEST_F(DecoderTest, DecodesSurveysAndChecksScoreRangesPerKind) {
  struct Case {
    const char* kind;
    SurveyKind expected;
    int lo, hi;
  };
  for (const Case& c : {Case{"csat", SurveyKind::kCsat, 1, 5}, Case{"nps", SurveyKind::kNps, 0, 10},
                        Case{"ces", SurveyKind::kCes, 1, 7}}) {
    auto json = [&](int score) {
      return std::string(R"("type":"survey","survey":")") + c.kind + R"(","score":)" +
             std::to_string(score) + R"(,"contact_id":"k","comment":"x"})";
    };
    for (int score = c.lo; score <= c.hi; ++score) {
      ASSERT_EQ(With(json(score)), DecodeError::kOk) << c.kind << score;
      EXPECT_EQ(event_.type, EventType::kSurvey);
      EXPECT_EQ(event_.action, Action::kNone);
      EXPECT_EQ(event_.survey, c.expected);
      EXPECT_EQ(event_.score, score);
      EXPECT_EQ(event_.contact_id, "k");
    }
    EXPECT_EQ(With(json(c.lo - 1)), DecodeError::kScoreOutOfRange) << c.kind;
    EXPECT_EQ(With(json(c.hi + 1)), DecodeError::kScoreOutOfRange) << c.kind;
    EXPECT_EQ(why_.field, "score");
  }
}

TEST_F(DecoderTest, ReportsEveryErrorCodeWithItsField) {
  struct Case {
    std::string json;
    DecodeError error;
    std::string_view field;
  };
  const std::string h(kHead);
  const Case cases[] = {
      {"{", DecodeError::kInvalidJson, ""},
      {"[1]", DecodeError::kNotAnObject, ""},
      {h + R"("action":"x"})", DecodeError::kMissingField, "type"},
      {h + R"("type":"call","action":"queued"})", DecodeError::kMissingField, "contact_id"},
      {h + R"("type":"click","action":"search","results":"1"})", DecodeError::kWrongType,
       "results"},
      {h + R"("type":"click","action":"contact_us","tier":"gold"})", DecodeError::kInvalidValue,
       "tier"},
      {h + R"("type":"sms"})", DecodeError::kUnknownType, "type"},
      {h + R"("type":"chat","action":"queued","contact_id":"h"})", DecodeError::kUnknownAction,
       "action"},
      {h + R"("type":"survey","survey":"xyz","score":1})", DecodeError::kUnknownSurvey, "survey"},
      {h + R"("type":"survey","survey":"nps","score":11})", DecodeError::kScoreOutOfRange, "score"},
      {h + R"("type":"click","action":"contact_us","type":"click"})", DecodeError::kDuplicateField,
       "type"},
      {R"({"event_id":"e","customer_id":"c","type":"click","action":"contact_us","ts":"2026-02-30T00:00:00Z"})",
       DecodeError::kBadTimestamp, "ts"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Run(c.json), c.error) << c.json;
    EXPECT_EQ(why_.error, c.error);
    EXPECT_EQ(why_.field, c.field) << c.json;
    EXPECT_NE(why_.Message().find(ToString(c.error)), std::string::npos);
  }
}

TEST_F(DecoderTest, FutureTimestampsAreRejectedAfterEverythingElse) {
  const std::string json = std::string(kHead) + R"("type":"click","action":"contact_us"})";
  EXPECT_EQ(Run(json, EventTime::FromMillis(kTs)), DecodeError::kOk);
  EXPECT_EQ(Run(json, EventTime::FromMillis(kTs - 1)), DecodeError::kFutureTimestamp);
  EXPECT_EQ(why_.field, "ts");
  EXPECT_EQ(Run(std::string(kHead) + R"("type":"click"})", EventTime::FromMillis(0)),
            DecodeError::kMissingField);
}

TEST_F(DecoderTest, TimestampsInEveryAcceptedForm) {
  auto ts = [&](std::string_view value) {
    const std::string json =
        R"({"event_id":"e","customer_id":"c","type":"click","action":"contact_us","ts":)" +
        std::string(value) + "}";
    const DecodeError error = Run(json);
    return error == DecodeError::kOk ? event_.ts.ms : -static_cast<int64_t>(error);
  };
  EXPECT_EQ(ts(R"("2026-10-05T12:00:00.250+03:00")"), kTs);
  EXPECT_EQ(ts(R"("2026-10-05T09:00:00.250999Z")"), kTs);
  EXPECT_EQ(ts("1791190800250"), kTs);
  EXPECT_EQ(ts("1791190800250.0"), kTs);
  EXPECT_EQ(ts("1.79119080025e12"), kTs);
  EXPECT_EQ(ts(R"("2028-02-29T00:00:00Z")"), 1'835'395'200'000);
  EXPECT_EQ(ts(R"("2026-02-29T00:00:00Z")"), -static_cast<int64_t>(DecodeError::kBadTimestamp));
  EXPECT_EQ(ts(R"("2026-04-31T00:00:00Z")"), -static_cast<int64_t>(DecodeError::kBadTimestamp));
  EXPECT_EQ(ts("-1"), -static_cast<int64_t>(DecodeError::kBadTimestamp));
  EXPECT_EQ(ts("1.5"), -static_cast<int64_t>(DecodeError::kBadTimestamp));
  EXPECT_EQ(ts("1e300"), -static_cast<int64_t>(DecodeError::kBadTimestamp));
  EXPECT_EQ(ts("null"), -static_cast<int64_t>(DecodeError::kWrongType));
}

TEST_F(DecoderTest, SizeLimitIs64KiB) {
  const std::string head = std::string(kHead) + R"("type":"click","action":"contact_us","pad":")";
  std::string json = head + std::string(kMaxEventBytes - head.size() - 2, 'x') + "\"}";
  ASSERT_EQ(json.size(), kMaxEventBytes);
  EXPECT_EQ(Run(json), DecodeError::kOk) << why_.Message();
  json.insert(head.size(), "x");
  EXPECT_EQ(Run(json), DecodeError::kTooLarge);
  EXPECT_EQ(Run(std::string(1 << 20, ' ')), DecodeError::kTooLarge);
}

TEST_F(DecoderTest, NestingDeeperThanTheLimitIsInvalidJson) {
  auto nested = [](int depth) {
    return std::string(kHead) + R"("type":"click","action":"contact_us","x":)" +
           std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  EXPECT_EQ(Run(nested(kMaxJsonDepth - 1)), DecodeError::kOk) << why_.Message();
  EXPECT_EQ(Run(nested(kMaxJsonDepth)), DecodeError::kInvalidJson);
  EXPECT_EQ(Run(nested(20000)), DecodeError::kInvalidJson);
}

TEST_F(DecoderTest, StringLengthsCountCodePoints) {
  auto with_id = [&](const std::string& id) {
    return Run(R"({"event_id":")" + id +
               R"(","customer_id":"c","type":"click","action":"contact_us","ts":0})");
  };
  std::string id;
  for (int i = 0; i < 128; ++i) id += "\xF0\x9F\x98\x80";  // 4 bytes, one code point
  EXPECT_EQ(with_id(id), DecodeError::kOk);
  EXPECT_EQ(event_.event_id.size(), 512u);
  EXPECT_EQ(with_id(id + "x"), DecodeError::kInvalidValue);
  EXPECT_EQ(with_id("\\ud83d\\ude00"), DecodeError::kOk);
  EXPECT_EQ(event_.event_id, "\xF0\x9F\x98\x80");
}

TEST_F(DecoderTest, PaddedVariantDecodesInPlace) {
  std::string json = std::string(kHead) + R"("type":"chat","action":"started","contact_id":"h"})";
  const size_t size = json.size();
  json.append(kDecoderPadding, '\0');
  ASSERT_EQ(
      decoder_.DecodePadded(std::string_view(json.data(), size), EventTime::Max(), event_, why_),
      DecodeError::kOk);
  EXPECT_EQ(event_.contact_id, "h");
  EXPECT_EQ(decoder_.DecodePadded(std::string_view(json.data(), size - 1), EventTime::Max(), event_,
                                  why_),
            DecodeError::kInvalidJson);
}

TEST_F(DecoderTest, NonObjectRootsAreToldFromInvalidJson) {
  for (std::string_view root : {"null", " true \n", "false", "1", "\"x\" ", "[]", "[{}]"}) {
    EXPECT_EQ(Run(root), DecodeError::kNotAnObject) << root;
  }
  for (std::string_view root : {"nullv    ", "nul", "truex", "[", "1x", "\"x", "", "  ", "{}{}"}) {
    EXPECT_EQ(Run(root), DecodeError::kInvalidJson) << root;
  }
  std::string padded = "nullv";
  padded.append(kDecoderPadding, '4');
  EXPECT_EQ(
      decoder_.DecodePadded(std::string_view(padded.data(), 4), EventTime::Max(), event_, why_),
      DecodeError::kNotAnObject);
}

// Keys are matched from their raw bytes when written plainly, and unescaped otherwise: a key
// written with escapes names the same field, and a key that only starts like a field's name
// names none.
TEST_F(DecoderTest, KeysWrittenWithEscapesNameTheSameFields) {
  ASSERT_EQ(Run(R"({"ev\u0065nt_id":"e-1","\u0063ustomer_id":"c-42","ts":1791190800250,)"
                R"("t\u0079pe":"chat","action":"started","contact_id":"h","re\u0061son":"r"})"),
            DecodeError::kOk)
      << why_.Message();
  EXPECT_EQ(event_.event_id, "e-1");
  EXPECT_EQ(event_.customer_id, "c-42");
  EXPECT_EQ(event_.type, EventType::kChat);
  EXPECT_EQ(event_.reason, "r");
  // The same field twice, once plain and once escaped, is a duplicate.
  EXPECT_EQ(With(R"("type":"click","action":"click","page":"/p","element":"#b","p\u0061ge":"/q"})"),
            DecodeError::kDuplicateField);
  EXPECT_EQ(why_.field, "page");
  // A bad escape in a key is invalid JSON, whether or not the key would name a field.
  EXPECT_EQ(With(R"("type":"click","action":"contact_us","ty\qe":1})"), DecodeError::kInvalidJson);
}

TEST_F(DecoderTest, KeysThatOnlyStartLikeAFieldNameAreUnknown) {
  ASSERT_EQ(With(R"("type":"click","action":"page_view","page":"/p","pages":"/x","pag":"/y",)"
                 R"("page\"":"/z","customer_id_":"c-0","t":1,"tss":2,"session_idx":"s"})"),
            DecodeError::kOk)
      << why_.Message();
  EXPECT_EQ(event_.page, "/p");
  EXPECT_EQ(event_.customer_id, "c-42");
  EXPECT_TRUE(event_.session_id.empty());
  // ... and the one field missing is still missing.
  EXPECT_EQ(Run(R"({"event_id":"e-1","customer_id":"c-42","tss":1791190800250,"type":"click",)"
                R"("action":"contact_us"})"),
            DecodeError::kMissingField);
  EXPECT_EQ(why_.field, "ts");
}

TEST_F(DecoderTest, ErrorNamesAreStable) {
  const char* names[] = {"ok",
                         "too_large",
                         "invalid_json",
                         "not_an_object",
                         "missing_field",
                         "wrong_type",
                         "invalid_value",
                         "unknown_type",
                         "unknown_action",
                         "unknown_survey",
                         "score_out_of_range",
                         "bad_timestamp",
                         "future_timestamp",
                         "duplicate_field",
                         "key_mismatch"};
  for (int i = 0; i < kDecodeErrorCount; ++i) {
    EXPECT_EQ(ToString(static_cast<DecodeError>(i)), names[i]);
  }
}

}  // namespace
}  // namespace cx
