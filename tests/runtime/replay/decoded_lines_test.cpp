// DecodedLines: a replay's input decoded a few lines ahead, in input order, each line's event
// valid while the lines after it are decoded.
#include "runtime/replay/decoded_lines.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/replay/line_reader.h"
#include "state/store/customer_key.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

std::string Click(const std::string& customer, int n) {
  return R"({"type":"click","action":"page_view","event_id":"e)" + std::to_string(n) +
         R"(","customer_id":")" + customer + R"(","ts":"2026-10-05T08:00:0)" +
         std::to_string(n % 10) + R"(Z","page":"/home"})";
}

EventTime NoClock() { return EventTime::Max(); }

// Calls `each` with every line `lines` returns, to the end of the input.
void ForEachLine(DecodedLines& lines, const std::function<void(const DecodedLine&)>& each) {
  for (;;) {
    Result<const DecodedLine*> next = lines.Next();
    ASSERT_TRUE(next.ok());
    if (*next == nullptr) {
      return;
    }
    each(**next);
  }
}

class DecodedLinesTest : public ::testing::Test {
 protected:
  std::unique_ptr<LineReader> Open(const std::string& text) {
    const std::string path = dir_.Path("input.jsonl");
    std::ofstream(path) << text;
    Result<std::unique_ptr<LineReader>> reader = LineReader::Open(path);
    EXPECT_TRUE(reader.ok());
    return std::move(reader).value();
  }
  testing::TempDir dir_;
};

TEST_F(DecodedLinesTest, LinesComeOutInOrderWithTheirPositionsAndBlankLinesSkipped) {
  const std::vector<std::string> text = {Click("c1", 1), "",   Click("c2", 2),
                                         "not json",     "  ", Click("c3", 3)};
  std::string input;
  std::vector<uint64_t> ends;
  for (const std::string& line : text) {
    input += line + "\n";
    ends.push_back(input.size());
  }
  std::unique_ptr<LineReader> reader = Open(input);
  DecodedLines lines(std::move(reader), 2, NoClock);

  struct Seen {
    bool ok;
    std::string customer;
    std::string text;
    uint64_t line_number;
    uint64_t end_offset;
  };
  std::vector<Seen> seen;
  ForEachLine(lines, [&](const DecodedLine& line) {
    seen.push_back({line.ok, line.ok ? std::string(line.event.customer_id) : "", line.text,
                    line.line_number, line.end_offset});
  });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen[0].ok);
  EXPECT_EQ(seen[0].customer, "c1");
  EXPECT_EQ(seen[0].line_number, 1u);
  EXPECT_EQ(seen[0].end_offset, ends[0]);
  EXPECT_EQ(seen[1].customer, "c2");
  EXPECT_EQ(seen[1].line_number, 3u);
  EXPECT_EQ(seen[1].end_offset, ends[2]);
  EXPECT_FALSE(seen[2].ok);
  EXPECT_EQ(seen[2].text, "not json");
  EXPECT_EQ(seen[2].line_number, 4u);
  EXPECT_EQ(seen[3].customer, "c3");
  EXPECT_EQ(seen[3].line_number, 6u);
  EXPECT_EQ(seen[3].end_offset, ends[5]);
  EXPECT_EQ(lines.end().offset, input.size());
  EXPECT_EQ(lines.end().line, 6u);
  // The end stays the end.
  Result<const DecodedLine*> after = lines.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, nullptr);
}

// Thousands of lines cross the batches the reading thread hands over: every line and every
// line peeked at keeps its own strings (copied out of the decoder), in order, across them.
TEST_F(DecodedLinesTest, ManyLinesKeepTheirStringsAcrossBatches) {
  constexpr int kLines = 5000;
  std::string input;
  for (int i = 0; i < kLines; ++i) {
    if (i % 700 == 3) {
      input += "{broken " + std::to_string(i) + "\n";
    } else if (i % 500 == 7) {
      input += "\n";
    }
    input += Click("customer-" + std::to_string(i), i) + "\n";
  }
  std::unique_ptr<LineReader> reader = Open(input);
  DecodedLines lines(std::move(reader), 3, NoClock);
  int clicks = 0;
  int broken = 0;
  ForEachLine(lines, [&](const DecodedLine& line) {
    if (!line.ok) {
      EXPECT_EQ(line.text.rfind("{broken ", 0), 0u);
      ++broken;
      return;
    }
    EXPECT_EQ(line.event.customer_id, "customer-" + std::to_string(clicks));
    EXPECT_EQ(line.event.event_id, "e" + std::to_string(clicks));
    EXPECT_EQ(line.event.page, "/home");
    for (size_t distance = 1; distance <= 3; ++distance) {
      const DecodedLine* ahead = lines.Peek(distance);
      if (ahead != nullptr && ahead->ok) {
        EXPECT_EQ(ahead->event.customer_id.rfind("customer-", 0), 0u);
        EXPECT_GT(std::stoi(std::string(ahead->event.customer_id.substr(9))), clicks);
      }
    }
    EXPECT_EQ(line.event.customer_id, "customer-" + std::to_string(clicks));
    ++clicks;
  });
  EXPECT_EQ(clicks, kLines);
  EXPECT_EQ(broken, 8);
  EXPECT_EQ(lines.end().offset, input.size());
}

// The lines peeked at are there, across a batch's end too, except past the end of the input.
TEST_F(DecodedLinesTest, PeekReachesIntoTheNextBatch) {
  constexpr int kLines = 1000;
  std::string input;
  for (int i = 0; i < kLines; ++i) {
    input += Click("c" + std::to_string(i), i) + "\n";
  }
  std::unique_ptr<LineReader> reader = Open(input);
  DecodedLines lines(std::move(reader), 3, NoClock);
  for (int i = 0; i < kLines; ++i) {
    Result<const DecodedLine*> next = lines.Next();
    ASSERT_TRUE(next.ok());
    ASSERT_NE(*next, nullptr);
    for (int distance = 1; distance <= 3; ++distance) {
      const DecodedLine* ahead = lines.Peek(static_cast<size_t>(distance));
      if (i + distance < kLines) {
        ASSERT_NE(ahead, nullptr) << "line " << i << " distance " << distance;
        EXPECT_EQ(ahead->event.customer_id, "c" + std::to_string(i + distance));
      } else {
        EXPECT_EQ(ahead, nullptr);
      }
    }
  }
}

// A processor that stops early (an error) leaves the reading thread stopped, not running on.
TEST_F(DecodedLinesTest, StoppingBeforeTheEndIsClean) {
  std::string input;
  for (int i = 0; i < 20000; ++i) {
    input += Click("c" + std::to_string(i), i) + "\n";
  }
  for (int stop_after : {0, 1, 300, 5000}) {
    std::unique_ptr<LineReader> reader = Open(input);
    DecodedLines lines(std::move(reader), 3, NoClock);
    for (int i = 0; i < stop_after; ++i) {
      Result<const DecodedLine*> next = lines.Next();
      ASSERT_TRUE(next.ok());
      ASSERT_NE(*next, nullptr);
    }
  }
}

// A processor that stops while its input is open and idle (a pipe nobody writes to) does not
// wait for the input: the reading thread, blocked in read(2), is left to end with the input.
TEST_F(DecodedLinesTest, StoppingWhileTheInputIsIdleDoesNotWaitForIt) {
  const std::string fifo = dir_.Path("input.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int writer = ::open(fifo.c_str(), O_RDWR);  // a writer that stays open, sending nothing
  ASSERT_GE(writer, 0);
  const std::string line = Click("c1", 1) + "\n";
  ASSERT_EQ(::write(writer, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  Result<std::unique_ptr<LineReader>> reader = LineReader::Open(fifo);
  ASSERT_TRUE(reader.ok());
  const auto started = std::chrono::steady_clock::now();
  {
    DecodedLines lines(std::move(reader).value(), 3, NoClock);
    Result<const DecodedLine*> next = lines.Next();
    ASSERT_TRUE(next.ok());
    ASSERT_NE(*next, nullptr);
    EXPECT_EQ((*next)->event.customer_id, "c1");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ::close(writer);  // the input ends; the thread left behind returns
}

// The wall clock is read on the reading thread, and events after it are refused there.
TEST_F(DecodedLinesTest, EventsAfterNotAfterAreRefused) {
  std::unique_ptr<LineReader> reader = Open(Click("c1", 1) + "\n");
  DecodedLines lines(std::move(reader), 3,
                     [] { return EventTime::FromMillis(1'700'000'000'000); });  // 2023
  Result<const DecodedLine*> next = lines.Next();
  ASSERT_TRUE(next.ok());
  ASSERT_NE(*next, nullptr);
  EXPECT_FALSE((*next)->ok);
  EXPECT_EQ((*next)->why.error, DecodeError::kFutureTimestamp);
}

TEST_F(DecodedLinesTest, AnEventStaysValidWhileTheLinesAheadAreDecoded) {
  std::string input;
  for (int i = 0; i < 10; ++i) {
    input += Click("customer-" + std::to_string(i), i) + "\n";
  }
  std::unique_ptr<LineReader> reader = Open(input);
  DecodedLines lines(std::move(reader), 3, NoClock);
  EXPECT_EQ(lines.Peek(1), nullptr);  // nothing returned yet
  for (int i = 0; i < 10; ++i) {
    Result<const DecodedLine*> next = lines.Next();
    ASSERT_TRUE(next.ok());
    ASSERT_NE(*next, nullptr);
    const DecodedLine& line = **next;
    // The lines ahead are decoded already, and this line's event is still its own.
    for (size_t distance = 1; distance <= 3; ++distance) {
      const DecodedLine* ahead = lines.Peek(distance);
      if (i + distance < 10) {
        ASSERT_NE(ahead, nullptr);
        EXPECT_EQ(ahead->event.customer_id, "customer-" + std::to_string(i + distance));
      } else {
        EXPECT_EQ(ahead, nullptr);
      }
    }
    EXPECT_EQ(lines.Peek(4), nullptr);
    EXPECT_EQ(line.event.customer_id, "customer-" + std::to_string(i));
    EXPECT_EQ(line.event.event_id, "e" + std::to_string(i));
  }
  Result<const DecodedLine*> end = lines.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
}

// NextBatch (a replay on several threads): whole batches in input order, every held batch
// valid (its strings too) until released, while the reading thread fills the others.
TEST_F(DecodedLinesTest, HeldBatchesStayValidUntilReleased) {
  constexpr int kLines = 3000;
  std::string input;
  for (int i = 0; i < kLines; ++i) {
    input += (i % 100 == 7 ? std::string("not json") : Click("c" + std::to_string(i), i)) + "\n";
  }
  DecodedLines lines(Open(input), 0, NoClock, 6);
  std::vector<std::span<const DecodedLine>> held;
  uint64_t line_number = 0;
  // Checks the held batches' lines, then releases all but the newest `keep`.
  auto check_and_release = [&](size_t keep) {
    for (const std::span<const DecodedLine> batch : held) {
      for (const DecodedLine& line : batch) {
        const uint64_t n = line.line_number - 1;
        ASSERT_EQ(line.ok, n % 100 != 7) << line.line_number;
        if (line.ok) {
          EXPECT_EQ(line.event.customer_id, "c" + std::to_string(n));
          EXPECT_EQ(line.customer_hash, CustomerKey(line.event.customer_id).hash);
        }
      }
    }
    while (held.size() > keep) {
      held.erase(held.begin());
      lines.ReleaseOldest();
    }
  };
  for (;;) {
    Result<std::span<const DecodedLine>> batch = lines.NextBatch();
    ASSERT_TRUE(batch.ok());
    if (batch->empty()) {
      break;
    }
    for (const DecodedLine& line : *batch) {
      EXPECT_EQ(line.line_number, ++line_number);
    }
    held.push_back(*batch);
    check_and_release(4);  // four of six held while the reader fills the rest
  }
  check_and_release(0);
  EXPECT_EQ(line_number, static_cast<uint64_t>(kLines));
  EXPECT_EQ(lines.end().line, static_cast<uint64_t>(kLines));
  EXPECT_EQ(lines.end().offset, input.size());
  Result<std::span<const DecodedLine>> after = lines.NextBatch();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

// A line that arrives on an idle pipe comes out as a batch of its own, and BatchReady tells that
// nothing more is read yet (a replay on threads then processes what it has instead of waiting).
TEST_F(DecodedLinesTest, ALineOnAnIdlePipeIsABatchAndNothingMoreIsReady) {
  const std::string fifo = dir_.Path("input.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int writer = ::open(fifo.c_str(), O_RDWR);  // a writer that stays open
  ASSERT_GE(writer, 0);
  const std::string line = Click("c1", 1) + "\n";
  ASSERT_EQ(::write(writer, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  Result<std::unique_ptr<LineReader>> reader = LineReader::Open(fifo);
  ASSERT_TRUE(reader.ok());
  {
    DecodedLines lines(std::move(reader).value(), 0, NoClock, 6);
    Result<std::span<const DecodedLine>> batch = lines.NextBatch();
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), 1u);
    EXPECT_EQ((*batch)[0].event.customer_id, "c1");
    EXPECT_FALSE(lines.BatchReady());
    const std::string more = Click("c2", 2) + "\n";
    ASSERT_EQ(::write(writer, more.data(), more.size()), static_cast<ssize_t>(more.size()));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!lines.BatchReady() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(lines.BatchReady());
    batch = lines.NextBatch();
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->size(), 1u);
    EXPECT_EQ((*batch)[0].event.customer_id, "c2");
  }
  ::close(writer);  // the input ends; the thread left behind returns
}

TEST_F(DecodedLinesTest, AnEmptyInputHasNoLines) {
  std::unique_ptr<LineReader> reader = Open("\n  \n");
  DecodedLines lines(std::move(reader), 3, NoClock);
  Result<const DecodedLine*> next = lines.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, nullptr);
  EXPECT_EQ(lines.Peek(1), nullptr);
}

// The reading thread is named, so that `top -H` tells it from the processing thread.
TEST_F(DecodedLinesTest, TheReadingThreadIsNamedCxRead) {
  auto thread_names = [] {
    std::vector<std::string> names;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::string name;
      std::getline(std::ifstream(task.path() / "comm"), name);
      names.push_back(name);
    }
    return names;
  };
  auto named_read = [&] {
    const std::vector<std::string> names = thread_names();
    return std::find(names.begin(), names.end(), "cx-read") != names.end();
  };
  {
    // More lines than it may read ahead: the thread is still there, waiting to hand them over.
    std::string input;
    for (int n = 0; n < 4000; ++n) {
      input += Click("c" + std::to_string(n), n) + "\n";
    }
    DecodedLines lines(Open(input), 3, NoClock);
    Result<const DecodedLine*> first = lines.Next();
    ASSERT_TRUE(first.ok());
    ASSERT_NE(*first, nullptr);
    // The thread names itself before it reads: it has read a line, so it is named.
    EXPECT_TRUE(named_read());
    ForEachLine(lines, [](const DecodedLine&) {});
  }
}

}  // namespace
}  // namespace cx
