// Replay as a user runs it: generated traffic (with duplicates and bad lines) through the real
// RocksDB-backed shard, compared across runs and across a process restart.
#include "runtime/replay/replay.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "generate/generator.h"
#include "state/customer_state_codec.h"
#include "state/store/customer_cache.h"
#include "state/store/state_store.h"
#include "state/store/store_memory.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

namespace fs = std::filesystem;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = temp_.Path(); }

  // Writes generated traffic; returns its lines.
  std::vector<std::string> Generate(const std::string& name, uint64_t customers) {
    GeneratorOptions options;
    options.customers = customers;
    options.seed = 42;
    options.struggle_ratio = 0.4;
    options.duplicate_ratio = 0.02;
    options.invalid_ratio = 0.01;
    Generator generator(options);
    std::vector<std::string> lines;
    std::string line;
    while (generator.Next(line)) {
      lines.push_back(line);
      line.clear();
    }
    Write(name, lines);
    return lines;
  }
  void Write(const std::string& name, const std::vector<std::string>& lines) {
    std::ofstream out(dir_ / name);
    for (const auto& l : lines) out << l << "\n";
  }
  ReplaySummary Run(const std::string& input, const std::string& tag,
                    const std::string& state_dir = "") {
    Result<ReplaySummary> summary = TryRun(input, tag, state_dir);
    EXPECT_TRUE(summary.ok()) << summary.error().message();
    return summary.ok() ? *summary : ReplaySummary{};
  }
  Result<ReplaySummary> TryRun(const std::string& input, const std::string& tag,
                               const std::string& state_dir,
                               const std::function<void(ReplayOptions&)>& configure = {}) {
    ReplayOptions options;
    options.input = (dir_ / input).string();
    options.output = (dir_ / (tag + ".alerts")).string();
    options.signals = (dir_ / (tag + ".signals")).string();
    options.dead_letter = (dir_ / (tag + ".dead")).string();
    options.state_dir = state_dir;
    options.progress_every = Duration::Millis(0);
    options.commit_every_events = 5000;  // several commits per run
    options.cache_customers = 500;       // forces eviction to RocksDB and reloads
    if (configure) configure(options);
    ManualClock clock(EventTime::FromMillis(1'800'000'000'000));
    return RunReplay(options, clock);
  }
  std::string Read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> SortedLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  cx::testing::TempDir temp_;
  fs::path dir_;
};

TEST_F(ReplayTest, SameInputGivesByteIdenticalOutputs) {
  Generate("in.jsonl", 3000);
  ReplaySummary a = Run("in.jsonl", "a");
  ReplaySummary b = Run("in.jsonl", "b");
  EXPECT_GT(a.alerts, 100u);
  EXPECT_GT(a.duplicates, 0u);
  EXPECT_GT(a.dead_letters, 0u);
  EXPECT_EQ(a.alerts, b.alerts);
  EXPECT_EQ(Read("a.alerts"), Read("b.alerts"));
  EXPECT_EQ(Read("a.signals"), Read("b.signals"));
  EXPECT_EQ(Read("a.dead"), Read("b.dead"));
}

// A cache far smaller than the customers (evicting and reading back, and committing during the
// end-of-input timer firings whenever it is full of changes) gives a large cache's outputs.
TEST_F(ReplayTest, ASmallCacheGivesTheOutputsOfALargeOne) {
  Generate("in.jsonl", 3000);
  auto large = [](ReplayOptions& o) { o.cache_customers = 1'000'000; };
  auto small = [](ReplayOptions& o) { o.cache_customers = 50; };
  Result<ReplaySummary> big = TryRun("in.jsonl", "large", "", large);
  Result<ReplaySummary> little = TryRun("in.jsonl", "small", "", small);
  ASSERT_TRUE(big.ok()) << big.error().message();
  ASSERT_TRUE(little.ok()) << little.error().message();
  EXPECT_LE(little->customers_in_cache, 50u);
  EXPECT_EQ(Read("large.alerts"), Read("small.alerts"));
  EXPECT_EQ(Read("large.signals"), Read("small.signals"));
}

// state.memory_mb in a replay: the cache is bounded by its estimated bytes (committing early
// so that it can evict) and RocksDB uses one shared budget; outputs do not change.
TEST_F(ReplayTest, AByteBudgetBoundsTheCacheAndChangesNoOutput) {
  Generate("in.jsonl", 3000);
  auto unbounded = [](ReplayOptions& o) { o.cache_customers = 1'000'000; };
  auto budget = [](ReplayOptions& o) {
    o.cache_customers = 1'000'000;
    o.cache_bytes = 100 << 10;  // ~100 customers
    o.commit_every_events = 1'000'000;
    o.store.shared_memory = std::make_shared<StoreMemory>(size_t{4} << 20);
  };
  Result<ReplaySummary> all = TryRun("in.jsonl", "all", "", unbounded);
  Result<ReplaySummary> bounded = TryRun("in.jsonl", "bounded", "", budget);
  ASSERT_TRUE(all.ok()) << all.error().message();
  ASSERT_TRUE(bounded.ok()) << bounded.error().message();
  EXPECT_EQ(all->customers_in_cache, 3000u);
  EXPECT_LE(bounded->customers_in_cache, (100u << 10) / CustomerCache::kEntryOverheadBytes);
  EXPECT_GT(all->alerts, 100u);
  EXPECT_EQ(Read("all.alerts"), Read("bounded.alerts"));
  EXPECT_EQ(Read("all.signals"), Read("bounded.signals"));
  EXPECT_EQ(Read("all.dead"), Read("bounded.dead"));
}

// A stream of customers seen once: what the cache packs never comes back, so it stops packing
// (CustomerCache, "Packing pays"), and the progress lines say so.
TEST_F(ReplayTest, ProgressLinesSayWhenPackingIsPaused) {
  constexpr int kCustomers = 40'000;
  std::vector<std::string> lines;
  lines.reserve(kCustomers);
  for (int n = 0; n < kCustomers; ++n) {
    lines.push_back(R"({"type":"click","action":"page_view","event_id":"e)" + std::to_string(n) +
                    R"(","customer_id":"c)" + std::to_string(n) +
                    R"(","ts":1791190000000,"page":"/home"})");
  }
  Write("once.jsonl", lines);
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "replay_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  Result<ReplaySummary> summary = TryRun("once.jsonl", "once", "", [](ReplayOptions& o) {
    o.cache_customers = 1'000'000;
    o.cache_bytes = 256 << 10;
    o.commit_every_events = 1000;
    o.progress_every = Duration::Millis(1);
    o.store.shared_memory = std::make_shared<StoreMemory>(size_t{4} << 20);
  });
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  const std::string log = captured.str();
  // The first line (4096 customers seen) comes before 4096 packs, the least the cache decides on.
  const size_t first = log.find("replay: 4096 lines");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.substr(first, log.find('\n', first) - first).find("packing"), std::string::npos)
      << log;
  EXPECT_NE(log.find("packing paused,"), std::string::npos) << log;
}

// processing.threads: the customers split into slices, each on a shard of its own thread, and
// the outputs merged back into one shard's order: byte for byte the same for any number of
// threads, with evictions, several commits during the input and during the final firing, and a
// byte-bounded cache.
TEST_F(ReplayTest, AnyNumberOfThreadsGivesTheOutputsOfOne) {
  Generate("in.jsonl", 3000);
  for (const bool byte_bound : {false, true}) {
    SCOPED_TRACE(byte_bound ? "byte-bounded cache" : "cache of 500 customers");
    std::vector<ReplaySummary> summaries;
    for (const size_t threads : {1, 2, 3}) {
      const std::string tag = "t" + std::to_string(threads);
      Result<ReplaySummary> summary =
          TryRun("in.jsonl", tag, "", [threads, byte_bound](ReplayOptions& o) {
            o.threads = threads;
            if (byte_bound) {
              o.cache_customers = 1'000'000;
              o.cache_bytes = 100 << 10;
              o.commit_every_events = 1'000'000;
            }
          });
      ASSERT_TRUE(summary.ok()) << summary.error().message();
      summaries.push_back(*summary);
      if (threads > 1) {
        EXPECT_EQ(Read(tag + ".alerts"), Read("t1.alerts")) << threads << " threads";
        EXPECT_EQ(Read(tag + ".signals"), Read("t1.signals")) << threads << " threads";
        EXPECT_EQ(Read(tag + ".dead"), Read("t1.dead")) << threads << " threads";
      }
    }
    EXPECT_GT(summaries[0].alerts, 100u);
    EXPECT_GT(summaries[0].duplicates, 0u);
    EXPECT_GT(summaries[0].dead_letters, 0u);
    for (const ReplaySummary& summary : summaries) {
      EXPECT_EQ(summary.lines, summaries[0].lines);
      EXPECT_EQ(summary.events_applied, summaries[0].events_applied);
      EXPECT_EQ(summary.duplicates, summaries[0].duplicates);
      EXPECT_EQ(summary.dead_letters, summaries[0].dead_letters);
      EXPECT_EQ(summary.signals, summaries[0].signals);
      EXPECT_EQ(summary.alerts, summaries[0].alerts);
    }
  }
}

// The same with every customer in memory, so that the shards never read the store while a
// commit writes it (Debian's RocksDB is not built for ThreadSanitizer, which reports its
// memtable's lock-free inserts against such reads): this suite runs under ThreadSanitizer in CI
// (tools/sanitize.sh), ReplayTest.* does not. The slices' threads, their steps, the commits'
// takes on them and the merge of their outputs are the same code.
class ReplayOnThreadsTest : public ReplayTest {};

TEST_F(ReplayOnThreadsTest, OutputsAreTheSameForAnyNumberOfThreads) {
  Generate("in.jsonl", 2000);
  std::vector<ReplaySummary> summaries;
  for (const size_t threads : {1, 2, 3}) {
    const std::string tag = "t" + std::to_string(threads);
    Result<ReplaySummary> summary = TryRun("in.jsonl", tag, "", [threads](ReplayOptions& o) {
      o.threads = threads;
      o.cache_customers = 1'000'000;
      o.commit_every_events = 4000;
    });
    ASSERT_TRUE(summary.ok()) << summary.error().message();
    summaries.push_back(*summary);
    EXPECT_EQ(summary->customers_in_cache, 2000u);
    if (threads > 1) {
      EXPECT_EQ(Read(tag + ".alerts"), Read("t1.alerts")) << threads << " threads";
      EXPECT_EQ(Read(tag + ".signals"), Read("t1.signals")) << threads << " threads";
      EXPECT_EQ(Read(tag + ".dead"), Read("t1.dead")) << threads << " threads";
      EXPECT_EQ(summary->alerts, summaries[0].alerts);
      EXPECT_EQ(summary->events_applied, summaries[0].events_applied);
    }
  }
  EXPECT_GT(summaries[0].alerts, 50u);
}

// A state dir written by a replay on some threads continues on any other number: each shard
// restores its own slice's timers, and the state equals a one-thread replay of both inputs.
TEST_F(ReplayTest, AStateDirContinuesOnAnotherNumberOfThreads) {
  std::vector<std::string> lines = Generate("all.jsonl", 2000);
  const size_t half = lines.size() / 2;
  Write("first.jsonl", std::vector<std::string>(lines.begin(), lines.begin() + half));
  Write("second.jsonl", std::vector<std::string>(lines.begin() + half, lines.end()));
  const std::string one_dir = (dir_ / "state-one").string();
  const std::string many_dir = (dir_ / "state-many").string();
  auto threads = [](size_t n) { return [n](ReplayOptions& o) { o.threads = n; }; };
  for (const auto& [input, tag, dir, n] :
       {std::tuple{"first.jsonl", "one1", one_dir, size_t{1}},
        std::tuple{"second.jsonl", "one2", one_dir, size_t{1}},
        std::tuple{"first.jsonl", "many1", many_dir, size_t{2}},
        std::tuple{"second.jsonl", "many2", many_dir, size_t{3}}}) {
    Result<ReplaySummary> summary = TryRun(input, tag, dir, threads(n));
    ASSERT_TRUE(summary.ok()) << summary.error().message();
  }
  EXPECT_EQ(Read("many1.alerts"), Read("one1.alerts"));
  EXPECT_EQ(Read("many2.alerts"), Read("one2.alerts"));
  EXPECT_EQ(Read("many2.signals"), Read("one2.signals"));
  EXPECT_GT(SortedLines(Read("one2.alerts")).size(), 10u);
}

TEST_F(ReplayTest, EveryLineIsAppliedRejectedOrADuplicate) {
  std::vector<std::string> lines = Generate("in.jsonl", 2000);
  ReplaySummary s = Run("in.jsonl", "a");
  EXPECT_EQ(s.lines, lines.size());
  EXPECT_EQ(s.events_applied + s.duplicates + s.dead_letters, s.lines);
  // Each dead letter names its line; that line is exactly the original bytes.
  std::istringstream dead(Read("a.dead"));
  int checked = 0;
  for (std::string l; std::getline(dead, l) && checked < 50; ++checked) {
    auto pos = l.find("\"line\":");
    ASSERT_NE(pos, std::string::npos) << l;
    size_t line_no = std::stoul(l.substr(pos + 7));
    ASSERT_GE(line_no, 1u);
    ASSERT_LE(line_no, lines.size());
    EXPECT_NE(l.find("\"error\":"), std::string::npos);
  }
  EXPECT_GT(checked, 0);
}

TEST_F(ReplayTest, StateSurvivesARestartBetweenTwoReplays) {
  std::vector<std::string> lines = Generate("all.jsonl", 2000);
  size_t half = lines.size() / 2;
  Write("first.jsonl", std::vector<std::string>(lines.begin(), lines.begin() + half));
  Write("second.jsonl", std::vector<std::string>(lines.begin() + half, lines.end()));

  std::string once_dir = (dir_ / "state-once").string();
  std::string split_dir = (dir_ / "state-split").string();
  Run("all.jsonl", "once", once_dir);
  Run("first.jsonl", "first", split_dir);
  Run("second.jsonl", "second", split_dir);

  // No alert lost or repeated across the restart.
  EXPECT_EQ(SortedLines(Read("first.alerts") + Read("second.alerts")),
            SortedLines(Read("once.alerts")));

  // Every customer's state is the same.
  StoreOptions options;
  options.path = once_dir + "/shard-0";
  Result<std::unique_ptr<StateStore>> once = StateStore::Open(options);
  ASSERT_TRUE(once.ok()) << once.error().message();
  options.path = split_dir + "/shard-0";
  Result<std::unique_ptr<StateStore>> split = StateStore::Open(options);
  ASSERT_TRUE(split.ok()) << split.error().message();
  size_t compared = 0;
  StoreResult scan = (*once)->ForEachCustomer([&](std::string_view id, std::string_view bytes) {
    std::string other;
    EXPECT_TRUE((*split)->GetCustomer(id, other).IsOk()) << id;
    CustomerState a, b;
    EXPECT_TRUE(DecodeCustomerState(bytes, a));
    EXPECT_TRUE(DecodeCustomerState(other, b));
    EXPECT_TRUE(a == b) << "state of " << id << " differs after a restart";
    ++compared;
    return true;
  });
  EXPECT_TRUE(scan.IsOk());
  EXPECT_EQ(compared, 2000u);
}

TEST_F(ReplayTest, AReplayedInputIsRefusedAndContinuedOnceItGrew) {
  std::vector<std::string> lines = Generate("all.jsonl", 2000);
  size_t half = lines.size() / 2;
  Write("day.jsonl", std::vector<std::string>(lines.begin(), lines.begin() + half));
  std::string state = (dir_ / "state").string();
  Run("all.jsonl", "once", (dir_ / "state-once").string());
  Run("day.jsonl", "first", state);

  // The same file again: refused before any output is touched.
  std::string first_alerts = Read("first.alerts");
  Result<ReplaySummary> again = TryRun("day.jsonl", "first", state);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().usage());
  EXPECT_NE(again.error().message().find("already replayed"), std::string::npos)
      << again.error().message();
  EXPECT_EQ(Read("first.alerts"), first_alerts);

  // The file with the rest appended: only the new lines are processed.
  Write("day.jsonl", lines);
  ReplaySummary rest = Run("day.jsonl", "rest", state);
  EXPECT_EQ(rest.started_after_line, half);
  EXPECT_EQ(rest.lines, lines.size() - half);
  EXPECT_EQ(SortedLines(Read("first.alerts") + Read("rest.alerts")),
            SortedLines(Read("once.alerts")));
}

// An input read past the page cache (what a file larger than a quarter of the memory gets) gives
// the outputs of one read through it, from the start and when a grown file is continued from
// the middle of a block (LineReader::SkipTo at an unaligned offset).
TEST_F(ReplayTest, ReadingPastThePageCacheChangesNoOutput) {
  std::vector<std::string> lines = Generate("all.jsonl", 2000);
  auto cached = [](ReplayOptions& o) { o.input_caching = InputCaching::kUse; };
  auto direct = [](ReplayOptions& o) { o.input_caching = InputCaching::kBypass; };
  ASSERT_TRUE(TryRun("all.jsonl", "cached", "", cached).ok());
  ASSERT_TRUE(TryRun("all.jsonl", "direct", "", direct).ok());
  EXPECT_GT(Read("cached.alerts").size(), 0u);
  EXPECT_EQ(Read("direct.alerts"), Read("cached.alerts"));
  EXPECT_EQ(Read("direct.signals"), Read("cached.signals"));
  EXPECT_EQ(Read("direct.dead"), Read("cached.dead"));

  const size_t half = lines.size() / 2 + 7;
  Write("day.jsonl", std::vector<std::string>(lines.begin(), lines.begin() + half));
  const std::string state = (dir_ / "state").string();
  ASSERT_TRUE(TryRun("day.jsonl", "first", state, direct).ok());
  Write("day.jsonl", lines);
  Result<ReplaySummary> rest = TryRun("day.jsonl", "rest", state, direct);
  ASSERT_TRUE(rest.ok()) << rest.error().message();
  EXPECT_EQ(rest->started_after_line, half);
  EXPECT_EQ(rest->lines, lines.size() - half);
  EXPECT_EQ(SortedLines(Read("first.alerts") + Read("rest.alerts")),
            SortedLines(Read("cached.alerts")));
}

}  // namespace
}  // namespace cx
