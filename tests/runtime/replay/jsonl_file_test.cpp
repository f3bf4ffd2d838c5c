// JsonLinesFile: JSON Lines out through a buffer that a thread of its own writes out; what a
// replay's exactly-once checkpoint needs from it is that bytes() is what the file holds after a
// Flush, and that write errors come back.
#include "runtime/replay/jsonl_file.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/common/temp_dir.h"

namespace cx {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Appends line `n` (about 100 bytes) to `out` and to `expected`.
void Append(JsonLinesFile& out, int n, std::string& expected) {
  const std::string line =
      R"({"n":)" + std::to_string(n) + R"(,"pad":")" + std::string(80, 'x') + R"("})";
  out.buffer() += line;
  out.EndLine();
  expected += line + "\n";
}

TEST(JsonLinesFileTest, ManyBuffersAreWrittenInOrderAndBytesIsTheFileAfterEachFlush) {
  testing::TempDir dir;
  const std::string path = dir.Path("out.jsonl");
  Result<std::unique_ptr<JsonLinesFile>> opened = JsonLinesFile::Open(path);
  ASSERT_TRUE(opened.ok());
  JsonLinesFile& out = **opened;
  std::string expected;
  for (int round = 0; round < 3; ++round) {
    // ≈ 5 MB: several buffers handed to the writing thread, then the rest by Flush.
    for (int i = 0; i < 50000; ++i) {
      Append(out, round * 50000 + i, expected);
    }
    EXPECT_EQ(out.bytes(), expected.size());
    ASSERT_TRUE(out.Flush(false).ok());
    EXPECT_EQ(std::filesystem::file_size(path), expected.size());
    EXPECT_EQ(ReadAll(path), expected);
  }
  EXPECT_EQ(out.lines(), 150000u);
  ASSERT_TRUE(out.Close().ok());
  EXPECT_EQ(ReadAll(path), expected);
}

TEST(JsonLinesFileTest, OpenAtContinuesAfterTheCommittedLength) {
  testing::TempDir dir;
  const std::string path = dir.Path("out.jsonl");
  std::ofstream(path) << "kept\nuncommitted tail";
  Result<std::unique_ptr<JsonLinesFile>> opened = JsonLinesFile::OpenAt(path, 5);
  ASSERT_TRUE(opened.ok());
  std::string expected = "kept\n";
  for (int i = 0; i < 20000; ++i) {
    Append(**opened, i, expected);
  }
  EXPECT_EQ((*opened)->bytes(), expected.size());
  ASSERT_TRUE((*opened)->Close().ok());
  EXPECT_EQ(ReadAll(path), expected);

  EXPECT_FALSE(JsonLinesFile::OpenAt(path, expected.size() + 1).ok());
}

// /dev/full fails every write: the error comes back from Flush and Close, whether the writing
// thread met it (a full buffer handed over) or Flush itself (the rest).
TEST(JsonLinesFileTest, WriteErrorsAreReported) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "no /dev/full";
  }
  for (int lines : {10, 30000}) {
    Result<std::unique_ptr<JsonLinesFile>> opened = JsonLinesFile::Open("/dev/full");
    ASSERT_TRUE(opened.ok());
    std::string expected;
    for (int i = 0; i < lines; ++i) {
      Append(**opened, i, expected);
    }
    Result<void> flushed = (*opened)->Flush(false);
    ASSERT_FALSE(flushed.ok()) << lines << " lines";
    EXPECT_EQ(flushed.error().message(), "cannot write /dev/full: No space left on device");
    Result<void> closed = (*opened)->Close();
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().message(), "cannot write /dev/full: No space left on device");
  }
}

}  // namespace
}  // namespace cx
