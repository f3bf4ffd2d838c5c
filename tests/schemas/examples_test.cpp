#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "schemas/decoder.h"

namespace cx {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<fs::path> Examples(const char* kind) {
  std::vector<fs::path> paths;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CXPULSE_SOURCE_DIR) / "schemas" / "examples" / kind)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(ExamplesTest, DecoderAcceptsEveryValidExample) {
  const auto paths = Examples("valid");
  ASSERT_GE(paths.size(), 30u);
  Decoder decoder;
  for (const auto& path : paths) {
    Event event;
    DecodeFailure why;
    const DecodeError error = decoder.Decode(ReadFile(path), EventTime::Max(), event, why);
    EXPECT_EQ(error, DecodeError::kOk) << path.filename() << ": " << why.Message();
    if (error == DecodeError::kOk) {
      EXPECT_FALSE(event.event_id.empty()) << path.filename();
      EXPECT_FALSE(event.customer_id.empty()) << path.filename();
    }
  }
}

TEST(ExamplesTest, DecoderRejectsEveryInvalidExampleWithTheCodeInItsName) {
  const auto paths = Examples("invalid");
  ASSERT_GE(paths.size(), 50u);
  Decoder decoder;
  for (const auto& path : paths) {
    const std::string name = path.filename().string();
    const std::string expected = name.substr(0, name.find('.'));
    Event event;
    DecodeFailure why;
    const DecodeError error = decoder.Decode(ReadFile(path), EventTime::Max(), event, why);
    EXPECT_EQ(ToString(error), expected) << name << ": " << why.Message();
  }
}

TEST(ExamplesTest, EveryRejectionCodeExpressibleInJsonSchemaHasAnExample) {
  std::set<std::string> codes;
  for (const auto& path : Examples("invalid")) {
    const std::string name = path.filename().string();
    codes.insert(name.substr(0, name.find('.')));
  }
  for (int i = 1; i < kDecodeErrorCount; ++i) {
    const auto error = static_cast<DecodeError>(i);
    if (error == DecodeError::kTooLarge || error == DecodeError::kFutureTimestamp ||
        error == DecodeError::kKeyMismatch) {
      continue;  // not a property of the event's bytes
    }
    EXPECT_TRUE(codes.count(std::string(ToString(error)))) << ToString(error);
  }
}

}  // namespace
}  // namespace cx
