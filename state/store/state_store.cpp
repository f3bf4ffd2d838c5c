#include "state/store/state_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "state/customer_state_codec.h"
#include "state/store/timer_key.h"

namespace cx {

namespace {

constexpr char kCustomersFamily[] = "customers";
constexpr char kTimersFamily[] = "timers";
constexpr char kMetaFamily[] = "meta";
constexpr char kFormatKey[] = "store.format";
constexpr char kFormatVersion[] = "1";
constexpr int kBloomBitsPerKey = 10;
// ZSTD's first "fast" level: compaction into the last level is the store's largest CPU cost
// once millions of customers are stored. Against level 1 it took 18-21 % off compaction's CPU
// (2-7 % of a replay's) for 3.4 % more on disk (191.9 vs 185.6 B per customer; state/README.md).
constexpr int kLastLevelZstdLevel = -1;
constexpr double kMemtableBloomRatio = 0.05;
// Flushed files level 0 collects before they are compacted into the level below (RocksDB's
// default: 4). Each customer is written again at every commit that changed it, keys are
// random, so every level-0 compaction rewrites nearly all of the level below it: twice the
// files per compaction halves how often that happens. A 10 M-customer replay's compaction
// wrote 30 % fewer bytes with 24 % less CPU (state/README.md). A point read checks the Bloom
// filter of each level-0 file, up to this many; they stay in the block cache
// (pin_l0_filter_and_index_blocks_in_cache).
constexpr int kLevel0FilesPerCompaction = 8;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// One write of a StoreBatch, pointing into the batch.
struct SortedWrite {
  StoreOp op;
  std::string_view key;
  std::string_view value;
};

// The column family a write goes to, as an order: customers, timers, meta.
int FamilyOrder(StoreOp op) {
  switch (op) {
    case StoreOp::kPutCustomer:
    case StoreOp::kDeleteCustomer:
      return 0;
    case StoreOp::kPutTimer:
    case StoreOp::kDeleteTimer:
      return 1;
    case StoreOp::kPutMeta:
    case StoreOp::kDeleteMeta:
      return 2;
  }
  return 3;
}

// `count` (<= 8) bytes of `key` from `from` on as a big-endian number, bytes past the key's end
// read as zero: numbers compare as the bytes do, and where they are equal the keys' tails decide.
uint64_t KeyBytes(std::string_view key, size_t from, size_t count) {
  uint64_t value = 0;
  if (from + 8 <= key.size()) {
    std::memcpy(&value, key.data() + from, 8);
    return __builtin_bswap64(value) >> (8 * (8 - count));
  }
  for (size_t i = from; i < from + count; ++i) {
    value = (value << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
  }
  return value;
}

// A write's place in the commit's order: its column family and the first 15 bytes of its key
// as two numbers, and its index among the writes.
struct WriteOrder {
  uint64_t high = 0;  // FamilyOrder in the top byte, key bytes 0-6 below it
  uint64_t low = 0;   // key bytes 7-14
  uint32_t index = 0;
};

// The writes of `batches` (`count` in all) and their order: by column family, then key, then
// index. RocksDB inserts a WriteBatch into the memtable's skip list in batch order and keeps the
// insert position (its "splice") from one key to the next, so ascending keys cost a short search
// each instead of a descent from the top; a shard's dirty customers come in the order they were
// first changed, i.e. at random. Of two writes to one key the later (in a later batch) stays
// after the earlier one and wins. The key prefixes sit in the order array itself: comparing the
// keys where they lie (the batches' buffers, megabytes apart) missed the cache at every step,
// 3.5 % of a replay's CPU at 1 M customers (bench/RESULTS.md).
std::vector<WriteOrder> SortWrites(std::span<const StoreBatch* const> batches, size_t count,
                                   std::vector<SortedWrite>& writes) {
  writes.clear();
  writes.reserve(count);
  std::vector<WriteOrder> order;
  order.reserve(count);
  for (const StoreBatch* batch : batches) {
    batch->ForEach([&](StoreOp op, std::string_view key, std::string_view value) {
      const auto family = static_cast<uint64_t>(FamilyOrder(op));
      order.push_back(WriteOrder{(family << 56) | KeyBytes(key, 0, 7), KeyBytes(key, 7, 8),
                                 static_cast<uint32_t>(writes.size())});
      writes.push_back(SortedWrite{op, key, value});
    });
  }
  std::sort(order.begin(), order.end(), [&writes](const WriteOrder& a, const WriteOrder& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    const std::string_view key_a = writes[a.index].key;
    const std::string_view key_b = writes[b.index].key;
    if (key_a != key_b) return key_a < key_b;  // same family: the top bytes are equal
    return a.index < b.index;
  });
  return order;
}

// Shared by reads and the compaction filter, which runs on RocksDB's background threads.
struct Eviction {
  std::atomic<int64_t> horizon_ms{EventTime::Min().ms};
  int64_t evict_after_ms = 0;
  std::atomic<uint64_t> evicted_by_compaction{0};
  std::atomic<uint64_t> evicted_on_read{0};

  EventTime Cutoff() const {
    return EventTime::FromMillis(horizon_ms.load(std::memory_order_relaxed) - evict_after_ms);
  }
  bool IsEvicted(std::string_view encoded) const {
    return LastActivityOfEncoded(encoded) < Cutoff();
  }
};

class EvictionFilter final : public rocksdb::CompactionFilter {
 public:
  explicit EvictionFilter(Eviction& eviction) : eviction_(eviction) {}

  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    if (!eviction_.IsEvicted(ToView(value))) {
      return false;
    }
    eviction_.evicted_by_compaction.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  const char* Name() const override { return "cxpulse.EvictionFilter"; }

 private:
  Eviction& eviction_;
};

rocksdb::CompressionType ToRocks(StoreCompression c) {
  switch (c) {
    case StoreCompression::kLz4:
      return rocksdb::kLZ4Compression;
    case StoreCompression::kZstd:
      return rocksdb::kZSTD;
    case StoreCompression::kNone:
      break;
  }
  return rocksdb::kNoCompression;
}

bool IsSupported(rocksdb::CompressionType type) {
  if (type == rocksdb::kNoCompression) {
    return true;
  }
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), type) != supported.end();
}

std::string DescribeOpenError(const rocksdb::Status& status, const std::string& path) {
  const std::string text = status.ToString();
  const bool contended = text.find("lock hold by current process") != std::string::npos ||
                         text.find("Resource temporarily unavailable") != std::string::npos;
  if (status.IsIOError() && text.find("LOCK") != std::string::npos && contended) {
    return "state dir " + path + " is locked by another cxpulse process (" + text + ")";
  }
  if (status.IsInvalidArgument() && text.find("does not exist") != std::string::npos) {
    return "state dir " + path + " holds no cxpulse store and create_if_missing is off";
  }
  return "cannot open state dir " + path + ": " + text;
}

std::string Describe(std::string_view what, const rocksdb::Status& status) {
  return std::string(what) + ": " + status.ToString();
}

// Deletes the empty write-ahead logs of earlier opens, those numbered below the live one. RocksDB
// 7.8 creates a log at every open and keeps an empty one until a flush advances the oldest log
// it needs (facebook/rocksdb#11313, fixed in 8.3): with the log off (disableWAL) they are all
// empty and one more stayed behind at every open. An empty log holds nothing to recover, and
// without `track_and_verify_wals_in_manifest` RocksDB does not expect it; the caller holds the
// store's LOCK, so no other process is writing one. Best effort: a log left behind is harmless.
void DeleteEmptyEarlierLogs(rocksdb::DB& db, const std::string& dir) {
  std::unique_ptr<rocksdb::LogFile> live;
  if (!db.GetCurrentWalFile(&live).ok() || live == nullptr) {
    return;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= 4 || !name.ends_with(".log") ||
        !std::all_of(name.begin(), name.end() - 4, [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    std::error_code size_error;
    if (std::strtoull(name.c_str(), nullptr, 10) < live->LogNumber() &&
        entry.file_size(size_error) == 0 && !size_error) {
      std::error_code remove_error;
      std::filesystem::remove(entry.path(), remove_error);
    }
  }
}

// RocksDB's info log, sent to spdlog at debug level instead of a LOG file in the state dir: on a
// full disk RocksDB 7.8 aborts (assertion `sync_without_flush_called_`) when it logs the error
// to a LOG file whose previous write already failed.
class SpdlogLogger final : public rocksdb::Logger {
 public:
  SpdlogLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::DEBUG_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (!spdlog::should_log(spdlog::level::debug)) {
      return;
    }
    char line[1024];
    std::vsnprintf(line, sizeof(line), format, ap);
    spdlog::debug("rocksdb: {}", line);
  }
};

// Free and total bytes of the filesystem holding `path`; false when unknown.
bool DiskSpace(const std::string& path, uint64_t& free, uint64_t& total) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) {
    return false;
  }
  free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  total = static_cast<uint64_t>(fs.f_blocks) * fs.f_frsize;
  return true;
}

std::string Mib(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

// Ok when the filesystem of `path` has at least `needed` bytes free (or cannot be asked), else
// a one-line reason naming the path and the space.
Result<void> CheckSpace(const std::string& path, uint64_t needed, std::string_view doing) {
  uint64_t free = 0;
  uint64_t total = 0;
  if (needed == 0 || !DiskSpace(path, free, total) || free >= needed) {
    return Ok();
  }
  return Err("state dir " + path + ": only " + Mib(free) + " free of " + Mib(total) +
             " on its filesystem, " + Mib(needed) + " needed to " + std::string(doing) +
             " safely; not writing (free space, then restart)");
}

}  // namespace

struct StateStore::Impl {
  StoreOptions options;
  Eviction eviction;
  std::unique_ptr<EvictionFilter> filter;
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::Statistics> statistics;
  rocksdb::WriteOptions write_options;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* customers = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  bool no_customers_at_open = false;
  std::atomic<uint64_t> customer_writes{0};
  // The first failed or refused write; once set, nothing is written any more.
  std::mutex failure_mutex;
  std::string failure;

  std::string Failure() {
    std::lock_guard<std::mutex> lock(failure_mutex);
    return failure;
  }
  StoreResult Failed(std::string reason) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (failure.empty()) {
      failure = std::move(reason);
    }
    return StoreResult::Error(failure);
  }
  // The first write error, with where it happened and the space left there.
  StoreResult WriteFailed(std::string_view what, const rocksdb::Status& status) {
    uint64_t free = 0;
    uint64_t total = 0;
    std::string space = DiskSpace(options.path, free, total)
                            ? " (" + Mib(free) + " free of " + Mib(total) + " on its filesystem)"
                            : std::string();
    return Failed("state dir " + options.path + space + ": " + std::string(what) + ": " +
                  status.ToString() + "; not writing any more");
  }

  ~Impl() {
    if (db == nullptr) {
      return;
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
    delete db;
  }

  rocksdb::ColumnFamilyOptions FamilyOptions(bool point_reads) const {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = block_cache;
    table.block_size = options.block_size_bytes;
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    table.format_version = 5;
    if (point_reads) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
    }
    rocksdb::ColumnFamilyOptions family;
    family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    family.write_buffer_size = options.write_buffer_bytes;
    // Flushes and the levels above the last: files that compaction rewrites soon, so no (or
    // cheap) compression; the last level, which holds most of the data: the small one
    // (state/README.md).
    family.compression = ToRocks(options.upper_compression);
    family.bottommost_compression = ToRocks(options.compression);
    // A fast ZSTD level (kLastLevelZstdLevel), not the library's default 3.
    family.bottommost_compression_opts.enabled = true;
    family.bottommost_compression_opts.level = kLastLevelZstdLevel;
    family.level_compaction_dynamic_level_bytes = true;
    family.level0_file_num_compaction_trigger = kLevel0FilesPerCompaction;
    if (point_reads) {
      // Most reads of a replay are first sightings of a customer: a memtable Bloom filter
      // answers "not here" without walking the skip list.
      family.memtable_prefix_bloom_size_ratio = kMemtableBloomRatio;
      family.memtable_whole_key_filtering = true;
    }
    return family;
  }

  rocksdb::DBOptions DatabaseOptions() const {
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = options.create_if_missing;
    db_options.create_missing_column_families = options.create_if_missing;
    db_options.max_background_jobs = std::max(options.background_threads, 2);
    db_options.statistics = statistics;
    db_options.info_log = std::make_shared<SpdlogLogger>();
    // Without a write-ahead log (below) a crash loses what was not flushed: flushing every
    // family together keeps what survives one commit's state, timers and checkpoint.
    db_options.atomic_flush = true;
    if (options.shared_memory != nullptr) {
      db_options.write_buffer_manager = options.shared_memory->write_buffers();
    }
    return db_options;
  }

  Result<void> CheckFamilies() const {
    std::vector<std::string> names;
    const rocksdb::Status status =
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options.path, &names);
    if (!status.ok()) {
      return Ok();
    }
    for (const std::string& name : names) {
      if (name != rocksdb::kDefaultColumnFamilyName && name != kCustomersFamily &&
          name != kTimersFamily && name != kMetaFamily) {
        return Err("state dir " + options.path + " has an unknown column family '" + name +
                   "': not a cxpulse store, or written by a newer cxpulse");
      }
    }
    return Ok();
  }

  Result<void> CheckFormat() {
    std::string format;
    const rocksdb::Status status = db->Get(rocksdb::ReadOptions(), meta, kFormatKey, &format);
    if (status.IsNotFound()) {
      const rocksdb::Status put = db->Put(write_options, meta, kFormatKey, kFormatVersion);
      if (!put.ok()) {
        return Err(Describe("cannot write the store format", put));
      }
      return Ok();
    }
    if (!status.ok()) {
      return Err(Describe("cannot read the store format", status));
    }
    if (format != kFormatVersion) {
      return Err("state dir " + options.path + " has store format " + format +
                 ", this cxpulse reads " + kFormatVersion);
    }
    return Ok();
  }
};

Result<std::unique_ptr<StateStore>> StateStore::Open(const StoreOptions& options) {
  if (options.path.empty()) {
    return Err("state dir path is empty");
  }
  // Compaction at the lowest CPU priority (nice 19; every store shares the default Env's
  // pools): it is deferrable work, and on a busy machine it otherwise takes a share of the cores
  // from the threads that apply the rules (a 10 M-customer replay on 2 cores: 170 of 620 CPU s;
  // 1.04-1.08x faster with this, bench/RESULTS.md "Ten million customers: compaction at low CPU
  // priority"). Flushes (the HIGH pool) keep their priority: a flush that falls behind stalls
  // writes. Each thread applies it when it takes its next job; failure (not on Linux) only keeps
  // the priority.
  (void)rocksdb::Env::Default()->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW,
                                                            rocksdb::CpuPriority::kLow);
  if (!IsSupported(ToRocks(options.compression)) ||
      !IsSupported(ToRocks(options.upper_compression))) {
    return Err("the linked RocksDB lacks the configured compression codec");
  }
  if (options.create_if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    if (ec) {
      return Err("cannot create state dir " + options.path + ": " + ec.message());
    }
  }
  if (Result<void> space = CheckSpace(options.path, options.min_free_bytes, "open the store");
      !space) {
    return space.error();
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->eviction.evict_after_ms = options.evict_after.ms;
  impl->filter = std::make_unique<EvictionFilter>(impl->eviction);
  impl->block_cache = options.shared_memory != nullptr
                          ? options.shared_memory->cache()
                          : rocksdb::NewLRUCache(options.block_cache_bytes);
  impl->statistics = rocksdb::CreateDBStatistics();
  impl->statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  impl->write_options.sync = options.sync_commits;
  // No write-ahead log unless commits are synced: a commit is in the memtables only until the
  // next flush, so a crash takes the store back to its last flushed commit, which the
  // checkpoint in `meta` names (the changelog, or a replay's input, supplies the rest), as in
  // Kafka Streams. The log was one more write of every commit (state/README.md).
  impl->write_options.disableWAL = !options.sync_commits;

  if (Result<void> families = impl->CheckFamilies(); !families) {
    return families.error();
  }
  rocksdb::ColumnFamilyOptions customer_options = impl->FamilyOptions(true);
  customer_options.compaction_filter = impl->filter.get();
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, impl->FamilyOptions(false)},
      {kCustomersFamily, customer_options},
      {kTimersFamily, impl->FamilyOptions(false)},
      {kMetaFamily, impl->FamilyOptions(true)},
  };
  const rocksdb::Status status =
      rocksdb::DB::Open(impl->DatabaseOptions(), options.path, families, &impl->handles, &impl->db);
  if (!status.ok()) {
    impl->db = nullptr;
    return Err(DescribeOpenError(status, options.path));
  }
  impl->customers = impl->handles[1];
  impl->timers = impl->handles[2];
  impl->meta = impl->handles[3];
  DeleteEmptyEarlierLogs(*impl->db, options.path);
  if (Result<void> format = impl->CheckFormat(); !format) {
    return format.error();
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl->db->NewIterator(rocksdb::ReadOptions(), impl->customers));
    it->SeekToFirst();
    impl->no_customers_at_open = !it->Valid() && it->status().ok();
  }
  return std::unique_ptr<StateStore>(new StateStore(std::move(impl)));
}

StateStore::StateStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StateStore::~StateStore() = default;

const StoreOptions& StateStore::options() const { return impl_->options; }

StoreResult StateStore::GetCustomer(std::string_view customer_id, std::string& bytes) {
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->customers, ToSlice(customer_id), &bytes);
  if (status.IsNotFound()) {
    return StoreResult::NotFound();
  }
  if (!status.ok()) {
    return StoreResult::Error(Describe("cannot read a customer", status));
  }
  if (impl_->eviction.IsEvicted(bytes)) {
    impl_->eviction.evicted_on_read.fetch_add(1, std::memory_order_relaxed);
    return StoreResult::NotFound();
  }
  return StoreResult::Ok();
}

StoreResult StateStore::Commit(const StoreBatch& batch) {
  const std::array<const StoreBatch*, 1> one{&batch};
  return Commit(one);
}

StoreResult StateStore::Commit(std::span<const StoreBatch* const> batches) {
  size_t count = 0;
  size_t bytes = 0;
  for (const StoreBatch* batch : batches) {
    count += batch->Count();
    bytes += batch->ByteSize();
  }
  if (count == 0) {
    return StoreResult::Ok();
  }
  if (std::string failure = impl_->Failure(); !failure.empty()) {
    return StoreResult::Error(failure);
  }
  if (count > std::numeric_limits<uint32_t>::max()) {
    return StoreResult::Error("a commit of more than 2^32 writes");
  }
  const uint64_t needed =
      impl_->options.min_free_bytes == 0 ? 0 : impl_->options.min_free_bytes + 2 * bytes;
  if (Result<void> space = CheckSpace(impl_->options.path, needed, "commit"); !space) {
    return impl_->Failed(space.error().message());
  }
  rocksdb::WriteBatch write(bytes + count * 8 + 64);
  rocksdb::Status status;
  uint64_t customer_writes = 0;
  std::vector<SortedWrite> writes;
  for (const WriteOrder& place : SortWrites(batches, count, writes)) {
    const SortedWrite& entry = writes[place.index];
    const std::string_view key = entry.key;
    const std::string_view value = entry.value;
    switch (entry.op) {
      case StoreOp::kPutCustomer:
        status = write.Put(impl_->customers, ToSlice(key), ToSlice(value));
        ++customer_writes;
        break;
      case StoreOp::kDeleteCustomer:
        status = write.Delete(impl_->customers, ToSlice(key));
        ++customer_writes;
        break;
      case StoreOp::kPutTimer:
        status = write.Put(impl_->timers, ToSlice(key), rocksdb::Slice());
        break;
      case StoreOp::kDeleteTimer:
        status = write.Delete(impl_->timers, ToSlice(key));
        break;
      case StoreOp::kPutMeta:
        status = write.Put(impl_->meta, ToSlice(key), ToSlice(value));
        break;
      case StoreOp::kDeleteMeta:
        status = write.Delete(impl_->meta, ToSlice(key));
        break;
    }
    if (!status.ok()) {
      break;
    }
  }
  if (!status.ok()) {
    return StoreResult::Error(Describe("cannot build the write batch", status));
  }
  status = impl_->db->Write(impl_->write_options, &write);
  if (!status.ok()) {
    return impl_->WriteFailed("cannot commit the write batch", status);
  }
  impl_->customer_writes.fetch_add(customer_writes, std::memory_order_relaxed);
  return StoreResult::Ok();
}

StoreResult StateStore::GetMeta(std::string_view key, std::string& value) {
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->meta, ToSlice(key), &value);
  if (status.IsNotFound()) {
    return StoreResult::NotFound();
  }
  if (!status.ok()) {
    return StoreResult::Error(Describe("cannot read a meta value", status));
  }
  return StoreResult::Ok();
}

StoreResult StateStore::ForEachTimer(const TimerVisitor& visit) {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->timers));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EventTime deadline;
    std::string_view customer_id;
    if (!DecodeTimerKey(ToView(it->key()), deadline, customer_id)) {
      return StoreResult::Error("malformed timer key of " + std::to_string(it->key().size()) +
                                " bytes");
    }
    if (!visit(deadline, customer_id)) {
      return StoreResult::Ok();
    }
  }
  if (!it->status().ok()) {
    return StoreResult::Error(Describe("cannot scan timers", it->status()));
  }
  return StoreResult::Ok();
}

StoreResult StateStore::ForEachCustomer(const CustomerVisitor& visit) {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->customers));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view value = ToView(it->value());
    if (impl_->eviction.IsEvicted(value)) {
      continue;
    }
    if (!visit(ToView(it->key()), value)) {
      return StoreResult::Ok();
    }
  }
  if (!it->status().ok()) {
    return StoreResult::Error(Describe("cannot scan customers", it->status()));
  }
  return StoreResult::Ok();
}

void StateStore::SetEvictionHorizon(EventTime now) {
  int64_t current = impl_->eviction.horizon_ms.load(std::memory_order_relaxed);
  while (now.ms > current && !impl_->eviction.horizon_ms.compare_exchange_weak(
                                 current, now.ms, std::memory_order_relaxed)) {
  }
}

EventTime StateStore::EvictionCutoff() const { return impl_->eviction.Cutoff(); }

bool StateStore::HadNoCustomersAtOpen() const { return impl_->no_customers_at_open; }

uint64_t StateStore::CustomerWrites() const {
  return impl_->customer_writes.load(std::memory_order_relaxed);
}

StoreStats StateStore::Stats() const {
  rocksdb::DB& db = *impl_->db;
  StoreStats stats;
  using Props = rocksdb::DB::Properties;
  db.GetAggregatedIntProperty(Props::kLiveSstFilesSize, &stats.live_sst_bytes);
  db.GetAggregatedIntProperty(Props::kTotalSstFilesSize, &stats.total_sst_bytes);
  db.GetAggregatedIntProperty(Props::kCurSizeAllMemTables, &stats.memtable_bytes);
  db.GetAggregatedIntProperty(Props::kEstimateTableReadersMem, &stats.table_readers_bytes);
  db.GetAggregatedIntProperty(Props::kEstimatePendingCompactionBytes,
                              &stats.pending_compaction_bytes);
  db.GetIntProperty(impl_->customers, Props::kEstimateNumKeys, &stats.estimated_customers);
  db.GetIntProperty(impl_->timers, Props::kEstimateNumKeys, &stats.estimated_timers);
  if (std::string files;
      db.GetProperty(impl_->customers, Props::kNumFilesAtLevelPrefix + "0", &files)) {
    stats.level0_customer_files = std::strtoull(files.c_str(), nullptr, 10);
  }
  db.GetIntProperty(Props::kNumRunningCompactions, &stats.running_compactions);
  db.GetIntProperty(Props::kNumRunningFlushes, &stats.running_flushes);
  db.GetIntProperty(Props::kIsWriteStopped, &stats.write_stopped);
  db.GetIntProperty(Props::kActualDelayedWriteRate, &stats.delayed_write_rate);
  stats.block_cache_usage_bytes = impl_->block_cache->GetUsage();
  stats.block_cache_capacity_bytes = impl_->block_cache->GetCapacity();
  stats.block_cache_shared = impl_->options.shared_memory != nullptr;
  rocksdb::Statistics& counters = *impl_->statistics;
  stats.block_cache_hits = counters.getTickerCount(rocksdb::BLOCK_CACHE_HIT);
  stats.block_cache_misses = counters.getTickerCount(rocksdb::BLOCK_CACHE_MISS);
  stats.write_stall_micros = counters.getTickerCount(rocksdb::STALL_MICROS);
  stats.evicted_by_compaction =
      impl_->eviction.evicted_by_compaction.load(std::memory_order_relaxed);
  stats.evicted_on_read = impl_->eviction.evicted_on_read.load(std::memory_order_relaxed);
  return stats;
}

StoreResult StateStore::Flush() {
  if (std::string failure = impl_->Failure(); !failure.empty()) {
    return StoreResult::Error(failure);
  }
  rocksdb::FlushOptions flush;
  flush.wait = true;
  const rocksdb::Status status = impl_->db->Flush(flush, impl_->handles);
  if (!status.ok()) {
    return impl_->WriteFailed("cannot flush", status);
  }
  return StoreResult::Ok();
}

StoreResult StateStore::CompactAll() {
  if (StoreResult flushed = Flush(); !flushed.IsOk()) {
    return flushed;
  }
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : impl_->handles) {
    const rocksdb::Status status = impl_->db->CompactRange(compact, handle, nullptr, nullptr);
    if (!status.ok()) {
      return impl_->WriteFailed("cannot compact", status);
    }
  }
  return StoreResult::Ok();
}

}  // namespace cx
