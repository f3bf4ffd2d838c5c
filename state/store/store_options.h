#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "schemas/time.h"
#include "state/store/store_memory.h"

namespace cx {

// Block compression of the store's SST files.
enum class StoreCompression : uint8_t {
  kNone,
  kLz4,   // fast, about 2x on customer states; the default above the last level
  kZstd,  // smallest on disk; the default of the last level (states are small and repetitive)
};

// How a StateStore is opened. Plain value; every field has a working default except `path`.
struct StoreOptions {
  // Directory of the RocksDB database (one per shard or per process). Required.
  std::string path;
  // Create the directory (and its parents) and the database when missing. When false, opening
  // a directory without a cxpulse store is an error.
  bool create_if_missing = true;
  // Capacity of the LRU block cache shared by all column families, bytes. Holds uncompressed
  // data blocks, index and filter blocks. Unused with shared_memory.
  size_t block_cache_bytes = size_t{64} << 20;
  // When set, the store takes its block cache from here, shared with the other stores opened
  // with it, and charges its memtables to it (StoreMemory); else it has its own block cache of
  // block_cache_bytes and its memtables are bounded only per column family.
  std::shared_ptr<const StoreMemory> shared_memory;
  // Memtable size per column family before it is flushed to an SST file, bytes (sooner with
  // shared_memory, when all memtables together reach its limit).
  size_t write_buffer_bytes = size_t{16} << 20;
  // SST data block size, bytes. Larger blocks compress better; smaller blocks make point reads
  // of cold customers cheaper (each decompresses one whole block). 4 KiB holds ~25 typical
  // customer states: against 16 KiB, ≈ 6 % more on disk, and the end of a 10 M-customer replay,
  // where reads of customers coming back after they left memory dominate, 1.1-1.25x faster
  // (state/README.md).
  size_t block_size_bytes = size_t{4} << 10;
  // Compression of the last level, where compaction puts most of the data (the size on disk).
  // Opening fails when the linked RocksDB lacks the codec.
  StoreCompression compression = StoreCompression::kZstd;
  // Compression of memtable flushes and of the levels above the last: files that compaction
  // reads and rewrites soon, so speed counts more than size. None: LZ4 took customer states'
  // data blocks down by only 1.8 % for 5.8 % of a replay's instructions (with ZSTD here,
  // compressing the flushes was ≈ 5 % of a replay's CPU; state/README.md). Opening fails when
  // RocksDB lacks the codec.
  StoreCompression upper_compression = StoreCompression::kNone;
  // Every Commit durable when it returns: written to a write-ahead log and fsynced. Off by
  // default: there is then no write-ahead log, a commit is durable once RocksDB flushes it
  // (all families together), and after a crash the store is as at its last flushed commit;
  // the changelog topic, the source of truth, restores the rest from its checkpoint (a replay
  // resumes its input from there).
  bool sync_commits = false;
  // Customers with no activity for this long before the eviction horizon are dropped: reads
  // report them as not found and compaction deletes them (SPEC: bounded state).
  Duration evict_after = Duration::Days(90);
  // Background flush and compaction threads.
  int background_threads = 2;
  // Free space the state dir's filesystem must keep: Open and every Commit are refused, with a
  // one-line reason naming the path and the free space, while less is free than this (plus
  // twice the batch for a Commit), so RocksDB rarely runs into a full disk. The default is room
  // for a new WAL (RocksDB preallocates 1.1 x write_buffer_bytes) and a memtable flush at the
  // default write buffer. 0 checks nothing (read-only tools; tests of the full-disk path).
  uint64_t min_free_bytes = uint64_t{32} << 20;

  bool operator==(const StoreOptions&) const = default;
};

}  // namespace cx
