// LineReader: the lines of a file without their ends, with their numbers and offsets.
#include "runtime/replay/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

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

// Lines of varying lengths around the 1 MiB reads, one longer than two reads, "\r\n" ends, and
// a last line without its end.
std::string VariedLines() {
  std::string text;
  for (int i = 0; text.size() < (size_t{5} << 20); ++i) {
    text.append(static_cast<size_t>(i * 7919 % 3001), static_cast<char>('a' + i % 26));
    text.append(i % 5 == 0 ? "\r\n" : "\n");
    if (i == 300) {
      text.append(size_t{3} << 20, 'x');
      text.append("\n");
    }
  }
  text.append("last");
  return text;
}

struct ReadLine {
  std::string text;
  uint64_t number;
  uint64_t offset;
  bool operator==(const ReadLine&) const = default;
};

std::vector<ReadLine> ReadAll(LineReader& reader) {
  std::vector<ReadLine> lines;
  std::string_view line;
  for (;;) {
    Result<bool> next = reader.Next(line);
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !*next) {
      return lines;
    }
    lines.push_back({std::string(line), reader.line_number(), reader.offset()});
  }
}

// Whether the filesystem under `path` takes O_DIRECT (tmpfs does not).
bool TakesDirectReads(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) {
    return false;
  }
  ::close(fd);
  return true;
}

TEST_F(LineReaderTest, ReadsPastThePageCacheGiveTheSameLinesNumbersAndOffsets) {
  const std::string path = dir_.Path("varied.jsonl");
  std::ofstream(path, std::ios::binary) << VariedLines();
  Result<std::unique_ptr<LineReader>> cached = LineReader::Open(path, InputCaching::kUse);
  Result<std::unique_ptr<LineReader>> direct = LineReader::Open(path, InputCaching::kBypass);
  ASSERT_TRUE(cached.ok() && direct.ok());
  EXPECT_FALSE((*cached)->direct());
  EXPECT_EQ((*direct)->direct(), TakesDirectReads(path));
  // A file this small is read through the page cache unless asked otherwise.
  Result<std::unique_ptr<LineReader>> automatic = LineReader::Open(path);
  ASSERT_TRUE(automatic.ok());
  EXPECT_FALSE((*automatic)->direct());

  const std::vector<ReadLine> expected = ReadAll(**cached);
  ASSERT_GT(expected.size(), 1000u);
  EXPECT_EQ(expected.back().text, "last");
  EXPECT_EQ(ReadAll(**direct), expected);
}

TEST_F(LineReaderTest, ContinuesPastThePageCacheFromAnUnalignedOffset) {
  const std::string path = dir_.Path("varied.jsonl");
  std::ofstream(path, std::ios::binary) << VariedLines();
  Result<std::unique_ptr<LineReader>> cached = LineReader::Open(path, InputCaching::kUse);
  ASSERT_TRUE(cached.ok());
  const std::vector<ReadLine> all = ReadAll(**cached);
  for (const size_t from : {size_t{0}, size_t{1}, size_t{299}, size_t{302}, all.size() - 2}) {
    Result<std::unique_ptr<LineReader>> direct = LineReader::Open(path, InputCaching::kBypass);
    ASSERT_TRUE(direct.ok());
    ASSERT_TRUE((*direct)->SkipTo(all[from].offset, all[from].number).ok());
    const std::vector<ReadLine> rest = ReadAll(**direct);
    EXPECT_EQ(rest,
              std::vector<ReadLine>(all.begin() + static_cast<ptrdiff_t>(from) + 1, all.end()))
        << "continuing after line " << all[from].number;
  }
}

}  // namespace
}  // namespace cx
