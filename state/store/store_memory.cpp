#include "state/store/store_memory.h"

#include <rocksdb/cache.h>
#include <rocksdb/write_buffer_manager.h>

namespace cx {

StoreMemory::StoreMemory(size_t bytes)
    : bytes_(bytes),
      cache_(rocksdb::NewLRUCache(bytes)),
      write_buffers_(std::make_shared<rocksdb::WriteBufferManager>(bytes / 2, cache_)) {}

StoreMemory::~StoreMemory() = default;

size_t StoreMemory::Usage() const { return cache_->GetUsage(); }

}  // namespace cx
