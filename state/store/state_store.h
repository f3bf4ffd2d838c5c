#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "schemas/result.h"
#include "schemas/time.h"
#include "state/store/store_batch.h"
#include "state/store/store_options.h"
#include "state/store/store_result.h"
#include "state/store/store_stats.h"

namespace cx {

// The local materialisation of cxpulse state: a RocksDB database with three column families.
//
//   customers  customer_id -> encoded CustomerState (state/customer_state_codec.h)
//   timers     timer key (state/store/timer_key.h: deadline, customer_id) -> empty
//   meta       string -> string: checkpoints (a shard's watermark, its changelog offset, ...).
//              Keys starting with "store." are reserved for the store itself.
//
// Customers inactive for StoreOptions::evict_after before the eviction horizon are invisible
// to reads and deleted by compaction, so what a read returns never depends on when compaction
// ran. Writes go through StoreBatch, one RocksDB WriteBatch per Commit.
//
// Thread safety: every method may be called from any thread concurrently, except that Commit
// calls should come from one writer at a time if their order matters. Close by destroying the
// object; a directory is locked by at most one open StateStore (in any process).
class StateStore {
 public:
  // Called with each customer (id, encoded state); return false to stop the iteration.
  using CustomerVisitor = std::function<bool(std::string_view, std::string_view)>;
  // Called with each timer (deadline, customer id); return false to stop the iteration.
  using TimerVisitor = std::function<bool(EventTime, std::string_view)>;

  // Opens (or creates, see StoreOptions::create_if_missing) the store at options.path. Returns
  // the one-line reason when it cannot: the directory is locked by
  // another process or StateStore, holds no cxpulse store, was written by a newer format,
  // the compression codec is missing, its filesystem has less than
  // StoreOptions::min_free_bytes free, or an I/O error. RocksDB's own log goes to spdlog (debug
  // level), not to a file in the directory.
  [[nodiscard]] static Result<std::unique_ptr<StateStore>> Open(const StoreOptions& options);

  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Reads the encoded state of `customer_id` into `bytes` (reusing its capacity). NotFound when
  // there is none or it is beyond the eviction horizon.
  [[nodiscard]] StoreResult GetCustomer(std::string_view customer_id, std::string& bytes);

  // Applies every write of `batch` atomically (one WriteBatch; durable on return only with
  // StoreOptions::sync_commits, otherwise once flushed: a crash keeps all of a commit or none,
  // and never one after a lost one). Leaves `batch` untouched; the caller clears it for reuse.
  // Refused while the filesystem has less than StoreOptions::min_free_bytes (plus twice the
  // batch) free. After the first failed or refused commit the store writes nothing more: every
  // later Commit, Flush and CompactAll returns that first error (one line: the state dir, the
  // free space, the cause); reopen the store once space is freed.
  [[nodiscard]] StoreResult Commit(const StoreBatch& batch);
  // Commit of the writes of several batches as one: in one WriteBatch, atomically; of two writes
  // to one key, the one in the later batch wins.
  [[nodiscard]] StoreResult Commit(std::span<const StoreBatch* const> batches);

  // Reads a meta value into `value`. NotFound when the key was never written (or deleted).
  [[nodiscard]] StoreResult GetMeta(std::string_view key, std::string& value);

  // Visits every timer in (deadline, customer id) order, deadlines before 1970 first. The views
  // are valid only during the call.
  [[nodiscard]] StoreResult ForEachTimer(const TimerVisitor& visit);

  // Visits every live customer (not beyond the eviction horizon) in id byte order, for tools
  // and restores. The views are valid only during the call.
  [[nodiscard]] StoreResult ForEachCustomer(const CustomerVisitor& visit);

  // Moves the eviction horizon forward to `now` (the caller's watermark; the minimum over the
  // shards sharing this store). Customers whose last activity is before now - evict_after are
  // evicted from then on. The horizon never moves back: an earlier `now` is ignored. It starts
  // at EventTime::Min() (nothing evicted) on every Open; set it before the first read.
  void SetEvictionHorizon(EventTime now);

  // now - evict_after for the current horizon: states whose last activity is before this are
  // evicted. EventTime::Min() minus evict_after before any horizon was set.
  EventTime EvictionCutoff() const;

  // Whether the customers family held no key when the store was opened (a fresh state dir).
  bool HadNoCustomersAtOpen() const;
  // Customer puts and deletes written by successful Commits since Open. With
  // HadNoCustomersAtOpen, lets a cache that wrote all of them know the store lacks any customer
  // it does not hold, without reading.
  uint64_t CustomerWrites() const;

  // RocksDB properties and counters; cheap enough to call on every metrics scrape.
  StoreStats Stats() const;

  // Writes every memtable to SST files and waits (benchmarks, orderly shutdown).
  [[nodiscard]] StoreResult Flush();

  // Flushes, then compacts every column family to its last level and waits: applies eviction
  // to all data and leaves the smallest on-disk size (benchmarks, tools, tests).
  [[nodiscard]] StoreResult CompactAll();

  const StoreOptions& options() const;

 private:
  struct Impl;
  explicit StateStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace cx
