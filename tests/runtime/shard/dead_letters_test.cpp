#include "runtime/shard/dead_letters.h"

#include <gtest/gtest.h>

#include <string>

#include "schemas/json_writer.h"

namespace cx {
namespace {

DecodeFailure TooLarge() {
  DecodeFailure why;
  why.error = DecodeError::kTooLarge;
  return why;
}

std::string ControlBytes(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i % 32);
  return bytes;
}

// A 200 KiB record of control bytes (valid UTF-8, 6 bytes each once escaped) used to make a
// 1.2 MB dead letter, over what Kafka accepts: it must now be cut to a bounded prefix.
TEST(DeadLettersTest, OversizedControlBytesGiveABoundedDeadLetter) {
  const std::string bytes = ControlBytes(200 * 1024);
  DeadLetter dead_letter = MakeDeadLetter(bytes, TooLarge(), KafkaSource{"cx.clicks", 3, 99});
  EXPECT_TRUE(dead_letter.truncated());
  EXPECT_EQ(dead_letter.original, bytes.substr(0, kMaxDeadLetterOriginalBytes));
  EXPECT_EQ(dead_letter.original_size, bytes.size());
  std::string json;
  AppendDeadLetterJson(dead_letter, json);
  EXPECT_LE(json.size(), kMaxDeadLetterJsonBytes);
  EXPECT_LT(json.size(), size_t{1000000});  // librdkafka's default message.max.bytes
  EXPECT_NE(json.find("\"original\":\"\\u0000\\u0001"), std::string::npos);
  EXPECT_NE(json.find(",\"original_size\":204800,\"original_sha256\":\""), std::string::npos);
  EXPECT_TRUE(json.ends_with(",\"original_truncated\":true}")) << json.substr(json.size() - 200);
}

TEST(DeadLettersTest, OversizedBinaryIsCutBeforeBase64) {
  const std::string bytes(300 * 1024, '\xff');
  DeadLetter dead_letter = MakeDeadLetter(bytes, TooLarge(), FileSource{"in.jsonl", 2});
  std::string json;
  AppendDeadLetterJson(dead_letter, json);
  EXPECT_LE(json.size(), kMaxDeadLetterJsonBytes);
  EXPECT_NE(json.find("\"original_base64\":\"////"), std::string::npos);
  EXPECT_NE(json.find("\"original_size\":307200"), std::string::npos);
}

TEST(DeadLettersTest, HashIsSha256OfAllTheBytes) {
  // hashlib.sha256(b"a" * 65537).hexdigest() in Python.
  DeadLetter dead_letter;
  SetDeadLetterOriginal(std::string(65537, 'a'), dead_letter);
  EXPECT_EQ(dead_letter.original.size(), kMaxDeadLetterOriginalBytes);
  EXPECT_EQ(dead_letter.original_sha256,
            "008ffc88d3c96a9f307524eb361e47c5222a887fc45fa0c1fb8d429c5c23b430");
}

TEST(DeadLettersTest, CutNeverSplitsAUtf8Character) {
  // "é" is 2 bytes: with one ASCII byte first, a character straddles the 64 KiB bound.
  std::string bytes = "x";
  while (bytes.size() < 70 * 1024) bytes += "\xc3\xa9";
  DeadLetter dead_letter;
  SetDeadLetterOriginal(bytes, dead_letter);
  EXPECT_EQ(dead_letter.original.size(), kMaxDeadLetterOriginalBytes - 1);
  std::string json;
  AppendDeadLetterJson(dead_letter, json);
  EXPECT_NE(json.find("\"original\":\"x\xc3\xa9"), std::string::npos);  // still a JSON string
  EXPECT_EQ(json.find("original_base64"), std::string::npos);
}

TEST(DeadLettersTest, RecordsUpToTheEventLimitAreKeptWhole) {
  const std::string bytes = ControlBytes(kMaxDeadLetterOriginalBytes);
  DeadLetter dead_letter = MakeDeadLetter(bytes, TooLarge(), FileSource{"in.jsonl", 1});
  EXPECT_FALSE(dead_letter.truncated());
  EXPECT_EQ(dead_letter.original, bytes);
  std::string json;
  AppendDeadLetterJson(dead_letter, json);
  EXPECT_EQ(json.find("original_size"), std::string::npos);
  EXPECT_EQ(json.find("original_truncated"), std::string::npos);
}

}  // namespace
}  // namespace cx
