// LineReader: the lines of a file without their ends, with their numbers and offsets.
#include "runtime/replay/line_reader.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/common/temp_dir.h"

namespace cx {
namespace {

class LineReaderTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(LineReaderTest, LinesComeWithoutTheirEndsAndWithTheirNumbersAndOffsets) {
  const std::string path = dir_.Path("input.jsonl");
  std::ofstream(path, std::ios::binary) << "one\r\ntwo\n\nlast";
  Result<std::unique_ptr<LineReader>> reader = LineReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string_view line;
  const std::vector<std::pair<std::string, uint64_t>> expected = {
      {"one", 5}, {"two", 9}, {"", 10}, {"last", 14}};
  for (const auto& [text, offset] : expected) {
    Result<bool> next = (*reader)->Next(line);
    ASSERT_TRUE(next.ok() && *next);
    EXPECT_EQ(line, text);
    EXPECT_EQ((*reader)->offset(), offset);
  }
  EXPECT_EQ((*reader)->line_number(), 4u);
  Result<bool> end = (*reader)->Next(line);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

}  // namespace
}  // namespace cx
