#include "state/store/state_store.h"

#include <unistd.h>

#include <gtest/gtest.h>
#include <rocksdb/convenience.h>
#include <rocksdb/utilities/options_util.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "state/customer_state_codec.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

using testing::TempDir;

std::string Encoded(int64_t last_activity_ms, Tier tier = Tier::kStandard) {
  CustomerState state;
  state.last_activity = EventTime::FromMillis(last_activity_ms);
  state.tier = tier;
  std::string bytes;
  EncodeCustomerState(state, bytes);
  return bytes;
}

std::unique_ptr<StateStore> OpenAt(const std::string& path) {
  StoreOptions options;
  options.path = path;
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

void MustCommit(StateStore& store, const StoreBatch& batch) {
  const StoreResult result = store.Commit(batch);
  ASSERT_TRUE(result.IsOk()) << result.message();
}

std::vector<std::pair<int64_t, std::string>> Timers(StateStore& store) {
  std::vector<std::pair<int64_t, std::string>> timers;
  const StoreResult result = store.ForEachTimer([&](EventTime deadline, std::string_view id) {
    timers.emplace_back(deadline.ms, std::string(id));
    return true;
  });
  EXPECT_TRUE(result.IsOk()) << result.message();
  return timers;
}

TEST(StateStoreTest, PutGetDeleteCustomer) {
  TempDir dir;
  auto store = OpenAt(dir.Path("db"));
  ASSERT_NE(store, nullptr);
  std::string bytes = "stale";
  EXPECT_TRUE(store->GetCustomer("c-1", bytes).IsNotFound());

  StoreBatch batch;
  batch.PutCustomer("c-1", Encoded(1000, Tier::kVip));
  batch.PutCustomer("c-2", Encoded(2000));
  MustCommit(*store, batch);
  ASSERT_TRUE(store->GetCustomer("c-1", bytes).IsOk());
  EXPECT_EQ(bytes, Encoded(1000, Tier::kVip));
  ASSERT_TRUE(store->GetCustomer("c-2", bytes).IsOk());
  EXPECT_EQ(bytes, Encoded(2000));

  batch.Clear();
  batch.DeleteCustomer("c-1");
  batch.PutCustomer("c-2", Encoded(3000));
  MustCommit(*store, batch);
  EXPECT_TRUE(store->GetCustomer("c-1", bytes).IsNotFound());
  ASSERT_TRUE(store->GetCustomer("c-2", bytes).IsOk());
  EXPECT_EQ(bytes, Encoded(3000));
}

TEST(StateStoreTest, LaterWriteInOneBatchWins) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  StoreBatch batch;
  batch.PutCustomer("c", Encoded(1));
  batch.PutCustomer("c", Encoded(2));
  batch.PutMeta("m", "a");
  batch.DeleteMeta("m");
  MustCommit(*store, batch);
  std::string value;
  ASSERT_TRUE(store->GetCustomer("c", value).IsOk());
  EXPECT_EQ(value, Encoded(2));
  EXPECT_TRUE(store->GetMeta("m", value).IsNotFound());
}

// Several batches committed as one (a replay's slices and its checkpoint): all of their writes,
// in one WriteBatch; of two writes to one key, the later batch's wins; customer writes counted.
TEST(StateStoreTest, SeveralBatchesCommitAsOneAndTheLaterWins) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  StoreBatch first;
  StoreBatch empty;
  StoreBatch second;
  first.PutCustomer("c", Encoded(1));
  first.PutCustomer("a", Encoded(5));
  first.PutTimer(EventTime::FromMillis(7), "a");
  first.PutMeta("m", "first");
  second.PutCustomer("b", Encoded(6));
  second.PutCustomer("c", Encoded(2));
  second.PutMeta("m", "second");
  const std::array<const StoreBatch*, 3> batches{&first, &empty, &second};
  const StoreResult result = store->Commit(batches);
  ASSERT_TRUE(result.IsOk()) << result.message();
  std::string value;
  ASSERT_TRUE(store->GetCustomer("c", value).IsOk());
  EXPECT_EQ(value, Encoded(2));
  ASSERT_TRUE(store->GetCustomer("a", value).IsOk());
  EXPECT_EQ(value, Encoded(5));
  ASSERT_TRUE(store->GetCustomer("b", value).IsOk());
  EXPECT_EQ(value, Encoded(6));
  ASSERT_TRUE(store->GetMeta("m", value).IsOk());
  EXPECT_EQ(value, "second");
  EXPECT_EQ(Timers(*store), (std::vector<std::pair<int64_t, std::string>>{{7, "a"}}));
  EXPECT_EQ(store->CustomerWrites(), 4u);
  const std::array<const StoreBatch*, 2> nothing{&empty, &empty};
  EXPECT_TRUE(store->Commit(nothing).IsOk());
}

// Flushed files are compressed with upper_compression, the last level with compression: a
// store whose flushes are uncompressed is large on disk until CompactAll rewrites it into the
// last level with ZSTD.
TEST(StateStoreTest, FlushesUseTheUpperCodecAndTheLastLevelTheSmallOne) {
  struct Sizes {
    uint64_t flushed = 0;
    uint64_t compacted = 0;
  };
  auto measure = [](StoreCompression upper) {
    TempDir dir;
    StoreOptions options;
    options.path = dir.Path("db");
    options.upper_compression = upper;
    options.compression = StoreCompression::kZstd;
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.error().message();
    Sizes sizes;
    if (!store) return sizes;
    StoreBatch batch;
    for (int i = 0; i < 5000; ++i) {
      batch.PutCustomer("c-" + std::to_string(i),
                        Encoded(1000 + i) + std::string(200, 'x') + std::to_string(i));
    }
    EXPECT_TRUE((*store)->Commit(batch).IsOk());
    EXPECT_TRUE((*store)->Flush().IsOk());
    sizes.flushed = (*store)->Stats().live_sst_bytes;
    EXPECT_TRUE((*store)->CompactAll().IsOk());
    sizes.compacted = (*store)->Stats().live_sst_bytes;
    return sizes;
  };
  const Sizes none = measure(StoreCompression::kNone);
  const Sizes zstd = measure(StoreCompression::kZstd);
  const Sizes lz4 = measure(StoreCompression::kLz4);
  EXPECT_GT(none.flushed, 3 * zstd.flushed);
  EXPECT_GT(none.flushed, 3 * lz4.flushed);
  EXPECT_GT(none.flushed, 3 * none.compacted);
  EXPECT_EQ(none.compacted, zstd.compacted);
  EXPECT_EQ(lz4.compacted, zstd.compacted);
}

// A point read of a customer no longer in memory loads (and decompresses) one data block: with
// the default block size (4 KiB) that is a few dozen customers' states, not a hundred.
TEST(StateStoreTest, APointReadLoadsOneSmallBlock) {
  TempDir dir;
  auto store = OpenAt(dir.Path("db"));
  ASSERT_NE(store, nullptr);
  StoreBatch batch;
  for (int i = 0; i < 5000; ++i) {  // ≈ 1.2 MB of states: hundreds of blocks
    batch.PutCustomer("c-" + std::to_string(10000 + i),
                      Encoded(1000 + i) + std::string(200, 'x') + std::to_string(i));
  }
  MustCommit(*store, batch);
  ASSERT_TRUE(store->CompactAll().IsOk());
  std::string value;
  // The first read also loads the file's index and filter blocks into the cache.
  ASSERT_TRUE(store->GetCustomer("c-10010", value).IsOk());
  const uint64_t before = store->Stats().block_cache_usage_bytes;
  ASSERT_TRUE(store->GetCustomer("c-14000", value).IsOk());
  const uint64_t loaded = store->Stats().block_cache_usage_bytes - before;
  EXPECT_GT(loaded, 0u);
  EXPECT_LE(loaded, size_t{5} << 10) << "bytes loaded by one point read";
}

// Compaction (RocksDB's rocksdb:low threads) runs at the lowest CPU priority, so that on a
// busy machine it takes the CPU the processing threads leave (bench/RESULTS.md, "Ten million
// customers: compaction at low CPU priority"). A thread lowers itself when it takes its first job:
// CompactAll gives it one.
TEST(StateStoreTest, CompactionThreadsRunAtTheLowestCpuPriority) {
  TempDir dir;
  auto store = OpenAt(dir.Path("db"));
  ASSERT_NE(store, nullptr);
  StoreBatch batch;
  for (int i = 0; i < 100; ++i) {
    batch.PutCustomer("c-" + std::to_string(i), Encoded(1000 + i));
  }
  MustCommit(*store, batch);
  ASSERT_TRUE(store->CompactAll().IsOk());
  std::vector<int> nice_of_compaction_threads;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm != "rocksdb:low") {
      continue;
    }
    std::string stat;
    std::getline(std::ifstream(task.path() / "stat"), stat);
    // After "(comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice (proc(5)).
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 0; i < 16; ++i) {
      fields >> field;
    }
    int nice = 0;
    fields >> nice;
    nice_of_compaction_threads.push_back(nice);
  }
  ASSERT_FALSE(nice_of_compaction_threads.empty()) << "no rocksdb:low thread";
  for (int nice : nice_of_compaction_threads) {
    EXPECT_EQ(nice, 19);
  }
}

// Level 0 collects eight flushed files before compacting them into the level below (RocksDB's
// default is four): fewer rewrites of the level below, whose keys every flush overlaps
// (state/README.md, "Eight level-0 files per compaction").
TEST(StateStoreTest, LevelZeroCompactsOnlyOnceItHoldsEightFiles) {
  TempDir dir;
  auto store = OpenAt(dir.Path("db"));
  ASSERT_NE(store, nullptr);
  auto flush_one_file = [&](int round) {
    StoreBatch batch;
    for (int i = 0; i < 50; ++i) {  // the same customers each round, as commits write them
      batch.PutCustomer("c-" + std::to_string(i), Encoded(1000 + round * 100 + i));
    }
    MustCommit(*store, batch);
    ASSERT_TRUE(store->Flush().IsOk());
  };
  for (int round = 0; round < 7; ++round) {
    flush_one_file(round);
  }
  // Time for a compaction the seventh file would have started (a few ms for files this small).
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(store->Stats().level0_customer_files, 7u);
  flush_one_file(7);
  uint64_t files = store->Stats().level0_customer_files;
  for (int wait = 0; wait < 200 && files >= 8; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    files = store->Stats().level0_customer_files;
  }
  EXPECT_EQ(files, 0u) << "the eighth file did not start a compaction within 10 s";
  std::string value;
  ASSERT_TRUE(store->GetCustomer("c-7", value).IsOk());
  EXPECT_EQ(value, Encoded(1000 + 7 * 100 + 7));
}

// The last level, which holds most of a large store, is compressed with ZSTD's fast level -1:
// compaction into it is the store's largest CPU cost; flushes and the levels above are not
// compressed (state/README.md, "No compression for flushes and the upper levels, ZSTD for the
// last level"). Read back from the OPTIONS file RocksDB keeps.
TEST(StateStoreTest, TheLastLevelUsesZstdsFastLevelAndTheUpperLevelsNone) {
  TempDir dir;
  {
    auto store = OpenAt(dir.Path("db"));
    ASSERT_NE(store, nullptr);
  }
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::ConfigOptions config;
  ASSERT_TRUE(rocksdb::LoadLatestOptions(config, dir.Path("db"), &db_options, &families).ok());
  ASSERT_FALSE(families.empty());
  for (const rocksdb::ColumnFamilyDescriptor& family : families) {
    SCOPED_TRACE(family.name);
    EXPECT_EQ(family.options.compression, rocksdb::kNoCompression);
    EXPECT_EQ(family.options.bottommost_compression, rocksdb::kZSTD);
    EXPECT_TRUE(family.options.bottommost_compression_opts.enabled);
    EXPECT_EQ(family.options.bottommost_compression_opts.level, -1);
  }
}

// Commits `commits` times: every commit rewrites the same customers and the one timer with its
// number and records it in meta ("commit"), as replay and live commit state with their
// checkpoint. Memtables of 64 KiB (RocksDB's least) make the customers' family flush by itself
// every few commits while the small families would not. Then kills its own process: no close,
// so nothing more is flushed.
[[noreturn]] void CommitThenDie(const std::string& path, int commits) {
  StoreOptions options;
  options.path = path;
  options.write_buffer_bytes = 64 << 10;
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  if (!store) {
    std::_Exit(3);
  }
  for (int i = 1; i <= commits; ++i) {
    StoreBatch batch;
    for (int k = 0; k < 50; ++k) {
      batch.PutCustomer("c-" + std::to_string(k), Encoded(i));
    }
    batch.DeleteTimer(EventTime::FromMillis(i - 1), "c-0");
    batch.PutTimer(EventTime::FromMillis(i), "c-0");
    batch.PutMeta("commit", std::to_string(i));
    if (!(*store)->Commit(batch).IsOk()) {
      std::_Exit(4);
    }
  }
  ::kill(::getpid(), SIGKILL);
  std::_Exit(5);
}

// Without sync_commits there is no write-ahead log: a crash takes the store back to its last
// flushed commit, whole in every family (RocksDB's atomic flush), so the checkpoint in meta
// names exactly the state and timers that survived and a resume from it loses nothing and
// applies nothing twice. Flushing families one at a time would leave the customers of a later
// commit than the checkpoint says (or none).
TEST(StateStoreTest, ACrashKeepsTheLastFlushedCommitWholeInEveryFamily) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // the child runs in a fresh process
  // The death test's child runs this test again from the start: it takes the parent's dir.
  constexpr char kDirVariable[] = "CXPULSE_TEST_CRASH_DIR";
  std::optional<TempDir> dir;
  std::string path;
  if (const char* inherited = std::getenv(kDirVariable); inherited != nullptr) {
    path = inherited;
  } else {
    dir.emplace();
    path = dir->Path("db");
    ::setenv(kDirVariable, path.c_str(), 1);
  }
  constexpr int kCommits = 400;
  EXPECT_EXIT(CommitThenDie(path, kCommits), ::testing::KilledBySignal(SIGKILL), "");
  ::unsetenv(kDirVariable);

  auto store = OpenAt(path);
  ASSERT_NE(store, nullptr);
  std::string checkpoint;
  ASSERT_TRUE(store->GetMeta("commit", checkpoint).IsOk()) << "no commit survived";
  const int survived = std::stoi(checkpoint);
  EXPECT_LT(survived, kCommits) << "the unflushed last commits survived: a write-ahead log?";
  for (int k = 0; k < 50; ++k) {
    std::string value;
    ASSERT_TRUE(store->GetCustomer("c-" + std::to_string(k), value).IsOk()) << k;
    EXPECT_EQ(value, Encoded(survived)) << "customer c-" << k << " after commit " << survived;
  }
  EXPECT_EQ(Timers(*store), (std::vector<std::pair<int64_t, std::string>>{{survived, "c-0"}}));
}

// The store sorts a batch's writes by key before handing them to RocksDB (cheaper memtable
// inserts); writes to one key must keep their order among many others, in every column family.
TEST(StateStoreTest, LaterWriteWinsInALargeUnsortedBatch) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  constexpr int kCustomers = 300;
  StoreBatch batch;
  for (int round = 0; round < 3; ++round) {
    for (int i = kCustomers - 1; i >= 0; --i) {
      const std::string id = "c-" + std::to_string((i * 7919) % kCustomers);
      if (round == 1 && i % 3 == 0) {
        batch.DeleteCustomer(id);
      } else {
        batch.PutCustomer(id, Encoded(round * 1000 + i));
      }
      batch.PutTimer(EventTime::FromMillis(i), id);
      if (round < 2 || i % 2 == 0) {
        batch.DeleteTimer(EventTime::FromMillis(i), id);
      }
    }
  }
  MustCommit(*store, batch);
  for (int i = 0; i < kCustomers; ++i) {
    const std::string id = "c-" + std::to_string((i * 7919) % kCustomers);
    std::string value;
    ASSERT_TRUE(store->GetCustomer(id, value).IsOk()) << id;
    EXPECT_EQ(value, Encoded(2000 + i)) << id;
  }
  std::vector<std::pair<int64_t, std::string>> expected;
  for (int i = 0; i < kCustomers; ++i) {
    if (i % 2 == 1) {
      expected.emplace_back(i, "c-" + std::to_string((i * 7919) % kCustomers));
    }
  }
  EXPECT_EQ(Timers(*store), expected);
}

// A reader iterating the customers (a consistent snapshot) must see either all or none of each
// commit: every customer carries the number of the last batch that wrote them all.
TEST(StateStoreTest, EachCommitIsAtomic) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  constexpr int kCustomers = 20;
  constexpr int kCommits = 300;
  StoreBatch batch;
  for (int c = 0; c < kCustomers; ++c) {
    batch.PutCustomer("c-" + std::to_string(c), Encoded(0));
  }
  MustCommit(*store, batch);

  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> scans{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::vector<EventTime> seen;
      const StoreResult result = store->ForEachCustomer([&](std::string_view, std::string_view v) {
        seen.push_back(LastActivityOfEncoded(v));
        return true;
      });
      if (!result.IsOk() || seen.size() != kCustomers) {
        torn.fetch_add(1);
      }
      for (const EventTime t : seen) {
        if (t != seen.front()) {
          torn.fetch_add(1);
          break;
        }
      }
      scans.fetch_add(1);
    }
  });
  for (int i = 1; i <= kCommits; ++i) {
    batch.Clear();
    for (int c = 0; c < kCustomers; ++c) {
      batch.PutCustomer("c-" + std::to_string(c), Encoded(i));
    }
    MustCommit(*store, batch);
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(scans.load(), 0);
  std::string bytes;
  ASSERT_TRUE(store->GetCustomer("c-7", bytes).IsOk());
  EXPECT_EQ(LastActivityOfEncoded(bytes), EventTime::FromMillis(kCommits));
}

// The commit orders writes by the first 15 bytes of their keys, then by the whole keys: ids longer
// than that, sharing it, ids that are prefixes of others, and short ones, written in three rounds.
TEST(StateStoreTest, LaterWriteWinsForKeysSharingTheirFirstBytes) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back("customer-00000-" + std::to_string(i));  // 15 bytes in common
    ids.push_back("customer-00000-" + std::to_string(i) + "-x");
    ids.emplace_back("c" + std::string(static_cast<size_t>(i % 17), '0'));
  }
  ids.emplace_back("customer-00000");
  ids.emplace_back("customer-00000-");
  StoreBatch first;
  StoreBatch second;
  for (int round = 0; round < 3; ++round) {
    for (size_t k = 0; k < ids.size(); ++k) {
      const size_t i = (k * 37) % ids.size();
      StoreBatch& batch = round == 2 ? second : first;
      batch.PutCustomer(ids[i], Encoded(round * 1000 + static_cast<int64_t>(i)));
    }
  }
  const std::array<const StoreBatch*, 2> both{&first, &second};
  ASSERT_TRUE(store->Commit(both).IsOk());
  for (size_t i = 0; i < ids.size(); ++i) {
    std::string value;
    ASSERT_TRUE(store->GetCustomer(ids[i], value).IsOk()) << ids[i];
    // Ids repeat (the short ones every 17): the last round's last write of each wins.
    size_t last = i;
    for (size_t k = 0; k < ids.size(); ++k) {
      const size_t j = (k * 37) % ids.size();
      if (ids[j] == ids[i]) last = j;
    }
    EXPECT_EQ(value, Encoded(2000 + static_cast<int64_t>(last))) << ids[i];
  }
}

TEST(StateStoreTest, TimersComeInDeadlineOrderIncludingBefore1970) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  StoreBatch batch;
  batch.PutTimer(EventTime::FromMillis(1'790'000'000'000), "c-a");
  batch.PutTimer(EventTime::FromMillis(-1), "c-b");
  batch.PutTimer(EventTime::FromMillis(0), "c-c");
  batch.PutTimer(EventTime::FromMillis(-86'400'000), "c-d");
  batch.PutTimer(EventTime::FromMillis(256), "c-e");
  batch.PutTimer(EventTime::FromMillis(255), "c-f");
  batch.PutTimer(EventTime::FromMillis(0), "c-a");
  batch.PutTimer(EventTime::FromMillis(5000), "c-gone");
  MustCommit(*store, batch);
  batch.Clear();
  batch.DeleteTimer(EventTime::FromMillis(5000), "c-gone");
  MustCommit(*store, batch);

  const std::vector<std::pair<int64_t, std::string>> expected = {
      {-86'400'000, "c-d"},       {-1, "c-b"}, {0, "c-a"}, {0, "c-c"}, {255, "c-f"}, {256, "c-e"},
      {1'790'000'000'000, "c-a"},
  };
  EXPECT_EQ(Timers(*store), expected);

  int visited = 0;
  const StoreResult stopped =
      store->ForEachTimer([&](EventTime, std::string_view) { return ++visited < 2; });
  EXPECT_TRUE(stopped.IsOk());
  EXPECT_EQ(visited, 2);
}

TEST(StateStoreTest, MetaValues) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  std::string value;
  EXPECT_TRUE(store->GetMeta("shard.3.watermark", value).IsNotFound());
  StoreBatch batch;
  batch.PutMeta("shard.3.watermark", "1790000000000");
  batch.PutMeta("shard.3.changelog_offset", "42");
  MustCommit(*store, batch);
  ASSERT_TRUE(store->GetMeta("shard.3.watermark", value).IsOk());
  EXPECT_EQ(value, "1790000000000");
  ASSERT_TRUE(store->GetMeta("shard.3.changelog_offset", value).IsOk());
  EXPECT_EQ(value, "42");
}

TEST(StateStoreTest, ReopenKeepsEverything) {
  TempDir dir;
  {
    auto store = OpenAt(dir.Path("nested/db"));
    ASSERT_NE(store, nullptr);
    StoreBatch batch;
    batch.PutCustomer("c-1", Encoded(10, Tier::kVip));
    batch.PutTimer(EventTime::FromMillis(-20), "c-1");
    batch.PutMeta("shard.0.changelog_offset", "77");
    MustCommit(*store, batch);
    batch.Clear();
    batch.PutCustomer("c-2", Encoded(30));
    MustCommit(*store, batch);
    ASSERT_TRUE(store->Flush().IsOk());
    batch.Clear();
    batch.PutCustomer("c-3", Encoded(40));
    MustCommit(*store, batch);
  }
  auto store = OpenAt(dir.Path("nested/db"));
  ASSERT_NE(store, nullptr);
  std::string value;
  ASSERT_TRUE(store->GetCustomer("c-1", value).IsOk());
  EXPECT_EQ(value, Encoded(10, Tier::kVip));
  ASSERT_TRUE(store->GetCustomer("c-2", value).IsOk());
  EXPECT_EQ(value, Encoded(30));
  ASSERT_TRUE(store->GetCustomer("c-3", value).IsOk());
  EXPECT_EQ(value, Encoded(40));
  ASSERT_TRUE(store->GetMeta("shard.0.changelog_offset", value).IsOk());
  EXPECT_EQ(value, "77");
  EXPECT_EQ(Timers(*store), (std::vector<std::pair<int64_t, std::string>>{{-20, "c-1"}}));
  std::vector<std::string> ids;
  ASSERT_TRUE(store
                  ->ForEachCustomer([&](std::string_view id, std::string_view) {
                    ids.emplace_back(id);
                    return true;
                  })
                  .IsOk());
  EXPECT_EQ(ids, (std::vector<std::string>{"c-1", "c-2", "c-3"}));
}

// RocksDB 7.8 creates a write-ahead log at every open and kept the empty ones of earlier opens
// (facebook/rocksdb#11313): one more file in the state dir per restart.
TEST(StateStoreTest, ReopeningLeavesOnlyTheLiveWriteAheadLog) {
  TempDir dir;
  const auto logs = [&] {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.Path())) {
      if (entry.path().extension() == ".log") ++count;
    }
    return count;
  };
  for (int open = 0; open < 4; ++open) {
    auto store = OpenAt(dir.Path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(logs(), 1) << "open " << open;
    StoreBatch batch;
    batch.PutCustomer("c-" + std::to_string(open), Encoded(open));
    MustCommit(*store, batch);
  }
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(logs(), 1);
  for (int open = 0; open < 4; ++open) {
    std::string value;
    ASSERT_TRUE(store->GetCustomer("c-" + std::to_string(open), value).IsOk()) << open;
    EXPECT_EQ(value, Encoded(open));
  }
}

TEST(StateStoreTest, SecondOpenOfALockedDirFailsClearly) {
  TempDir dir;
  auto first = OpenAt(dir.Path());
  ASSERT_NE(first, nullptr);
  StoreOptions options;
  options.path = dir.Path();
  Result<std::unique_ptr<StateStore>> second = StateStore::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("state dir " + dir.Path() +
                                          " is locked by another cxpulse process"),
            std::string::npos)
      << second.error().message();
  first.reset();
  Result<std::unique_ptr<StateStore>> third = StateStore::Open(options);
  EXPECT_TRUE(third.ok()) << third.error().message();
}

TEST(StateStoreTest, MissingDirWithoutCreateFailsClearly) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Path("absent");
  options.create_if_missing = false;
  Result<std::unique_ptr<StateStore>> missing = StateStore::Open(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("holds no cxpulse store"), std::string::npos)
      << missing.error().message();
  options.path.clear();
  Result<std::unique_ptr<StateStore>> unnamed = StateStore::Open(options);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().message(), "state dir path is empty");
}

TEST(StateStoreTest, StoresSharingMemoryUseOneCacheThatHoldsTheirMemtables) {
  TempDir dir;
  auto memory = std::make_shared<StoreMemory>(size_t{8} << 20);
  std::vector<std::unique_ptr<StateStore>> stores;
  for (int shard = 0; shard < 2; ++shard) {
    StoreOptions options;
    options.path = dir.Path() + "/shard-" + std::to_string(shard);
    options.shared_memory = memory;
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.error().message();
    stores.push_back(std::move(store).value());
  }
  // Together they write more than the shared budget lets memtables hold (half of 8 MiB), and
  // the data stays readable.
  const std::string filler(2000, 'x');
  for (int round = 0; round < 4; ++round) {
    for (auto& store : stores) {
      StoreBatch batch;
      for (int i = 0; i < 1000; ++i) {
        batch.PutMeta("k-" + std::to_string(round) + "-" + std::to_string(i), filler);
      }
      MustCommit(*store, batch);
    }
  }
  for (auto& store : stores) {
    const StoreStats stats = store->Stats();
    EXPECT_TRUE(stats.block_cache_shared);
    EXPECT_EQ(stats.block_cache_capacity_bytes, size_t{8} << 20);
    EXPECT_GT(stats.block_cache_usage_bytes, 0u);
  }
  std::string value;
  ASSERT_TRUE(stores[1]->GetMeta("k-0-7", value).IsOk());
  EXPECT_EQ(value, filler);
}

TEST(StateStoreTest, StatsReflectDataOnDisk) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Stats().live_sst_bytes, 0u);
  StoreBatch batch;
  for (int i = 0; i < 1000; ++i) {
    batch.PutCustomer("customer-" + std::to_string(i), Encoded(i));
  }
  MustCommit(*store, batch);
  EXPECT_GT(store->Stats().memtable_bytes, 0u);
  ASSERT_TRUE(store->CompactAll().IsOk());
  const StoreStats stats = store->Stats();
  EXPECT_GT(stats.live_sst_bytes, 0u);
  EXPECT_GT(stats.estimated_customers, 500u);
  EXPECT_LE(stats.estimated_customers, 1500u);
  EXPECT_EQ(stats.block_cache_capacity_bytes, StoreOptions{}.block_cache_bytes);
  std::string value;
  ASSERT_TRUE(store->GetCustomer("customer-5", value).IsOk());
  const StoreStats after = store->Stats();
  EXPECT_GT(after.block_cache_hits + after.block_cache_misses, 0u);
}

}  // namespace
}  // namespace cx
