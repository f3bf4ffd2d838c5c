#include "state/store/store_memory.h"

#include <rocksdb/cache.h>
#include <rocksdb/write_buffer_manager.h>

namespace cx {

namespace {

// Four shards. RocksDB's default splits a cache into up to 64 shards of at least 512 KiB, and a
// block larger than its shard does not stay: a filter block of a store with a million customers
// (≈ 1.2 MB at 10 bits per key) was read from disk again for nearly every lookup of a customer
// the cache had let go (4 % of a replay's samples in its checksum alone at memory_mb: 128). The
// processing threads, the only frequent users, are few.
constexpr int kCacheShardBits = 2;

}  // namespace

StoreMemory::StoreMemory(size_t bytes)
    : bytes_(bytes),
      cache_(rocksdb::NewLRUCache(bytes, kCacheShardBits)),
      write_buffers_(std::make_shared<rocksdb::WriteBufferManager>(bytes / 2, cache_)) {}

StoreMemory::~StoreMemory() = default;

size_t StoreMemory::Usage() const { return cache_->GetUsage(); }

}  // namespace cx
