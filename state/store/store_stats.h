#pragma once

#include <cstdint>

namespace cx {

// A snapshot of the store's RocksDB properties and counters, for metrics (StoreProbe) and
// benchmarks. Sizes are bytes. Values RocksDB cannot report are 0.
struct StoreStats {
  // Size of the SST files of the current version, all column families.
  uint64_t live_sst_bytes = 0;
  // Size of all SST files, including ones kept alive by iterators or pending deletion.
  uint64_t total_sst_bytes = 0;
  // Active and unflushed immutable memtables, all column families.
  uint64_t memtable_bytes = 0;
  // RocksDB's estimate of the number of keys in `customers` and in `timers`.
  uint64_t estimated_customers = 0;
  uint64_t estimated_timers = 0;
  // SST files in level 0 of `customers`: flushed, not yet compacted (each one a point read may
  // have to check).
  uint64_t level0_customer_files = 0;
  // Memory of the open SST files' readers held outside the block cache (indexes and filters
  // not charged to it), all column families (rocksdb.estimate-table-readers-mem).
  uint64_t table_readers_bytes = 0;
  // Block cache occupancy and its capacity. With a shared cache (StoreOptions::shared_memory),
  // the whole cache's, memtable reservations included: count it once, not per store.
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_capacity_bytes = 0;
  bool block_cache_shared = false;
  // Block cache lookups since open (data, index and filter blocks).
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  // Bytes compaction would have to rewrite to bring every level under its target size.
  uint64_t pending_compaction_bytes = 0;
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  // Total time writers were delayed or stopped by RocksDB's write controller since open, and
  // whether writes are stopped right now (1) and the current delayed write rate (bytes/s).
  uint64_t write_stall_micros = 0;
  uint64_t write_stopped = 0;
  uint64_t delayed_write_rate = 0;
  // Customers dropped since open by the eviction compaction filter, and reads that found a
  // customer beyond the eviction horizon (reported as not found).
  uint64_t evicted_by_compaction = 0;
  uint64_t evicted_on_read = 0;
};

}  // namespace cx
