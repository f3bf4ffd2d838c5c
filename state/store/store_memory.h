#pragma once

#include <cstddef>
#include <memory>

namespace rocksdb {
class Cache;
class WriteBufferManager;
}  // namespace rocksdb

namespace cx {

// RocksDB memory shared by several StateStores (the shards of one process), bounded in total:
// one LRU block cache of `bytes` holding every store's data, index and filter blocks, with the
// stores' memtables charged to it. Memtables are flushed (the largest first) once all of them
// together reach half of `bytes`, and blocks are evicted to make room for them, so blocks and
// memtables together stay near `bytes` however many stores share it. Thread-safe; share it by
// StoreOptions::shared_memory.
class StoreMemory {
 public:
  // bytes > 0.
  explicit StoreMemory(size_t bytes);
  ~StoreMemory();
  StoreMemory(const StoreMemory&) = delete;
  StoreMemory& operator=(const StoreMemory&) = delete;

  size_t bytes() const { return bytes_; }
  // Blocks and memtable reservations held now.
  size_t Usage() const;

  const std::shared_ptr<rocksdb::Cache>& cache() const { return cache_; }
  const std::shared_ptr<rocksdb::WriteBufferManager>& write_buffers() const {
    return write_buffers_;
  }

 private:
  size_t bytes_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers_;
};

}  // namespace cx
