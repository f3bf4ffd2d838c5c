// A live record must be keyed by its event's customer_id (issue 14, defect 5): a null or other
// key makes the record a key_mismatch dead letter instead of being applied to a shard that does
// not own the customer.
#include "runtime/shard/record_key.h"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "runtime/shard/dead_letters.h"
#include "schemas/decoder.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

constexpr std::string_view kAnswered =
    R"({"event_id":"e-1","customer_id":"c-42","type":"call","ts":"2026-10-05T08:00:00Z",)"
    R"("action":"answered","contact_id":"call-1"})";

TEST(RecordKey, TheCustomersOwnKeyPasses) {
  DecodeFailure why;
  EXPECT_TRUE(CheckRecordKey(std::string_view("c-42"), "c-42", why));
  EXPECT_EQ(why.error, DecodeError::kOk);
}

TEST(RecordKey, ANullEmptyOrOtherKeyIsAKeyMismatch) {
  for (std::optional<std::string_view> key :
       {std::optional<std::string_view>(), std::optional<std::string_view>(""),
        std::optional<std::string_view>("c-43"), std::optional<std::string_view>("c-42 "),
        std::optional<std::string_view>("C-42")}) {
    DecodeFailure why;
    EXPECT_FALSE(CheckRecordKey(key, "c-42", why)) << key.value_or("(null)");
    EXPECT_EQ(why.error, DecodeError::kKeyMismatch);
    EXPECT_EQ(why.field, "customer_id");
  }
}

TEST(RecordKey, ADecodedEventWithANullKeyBecomesAKeyMismatchDeadLetter) {
  Decoder decoder;
  Event event;
  DecodeFailure why;
  ASSERT_EQ(decoder.Decode(kAnswered, EventTime::Max(), event, why), DecodeError::kOk);
  ASSERT_FALSE(CheckRecordKey(std::nullopt, event.customer_id, why));
  DeadLetter letter = MakeDeadLetter(kAnswered, why, KafkaSource{"cx.calls", 3, 1207});
  std::string json;
  AppendDeadLetterJson(letter, json);
  EXPECT_NE(json.find(R"("error":"key_mismatch")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("field":"customer_id")"), std::string::npos) << json;
  EXPECT_NE(json.find("the record has no key"), std::string::npos) << json;
  EXPECT_EQ(letter.original, kAnswered);
}

}  // namespace
}  // namespace cx
