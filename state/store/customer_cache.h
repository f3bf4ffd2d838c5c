#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "schemas/result.h"
#include "state/customer_state.h"
#include "state/store/state_store.h"
#include "state/store/store_batch.h"
#include "state/store/store_result.h"

namespace cx {

// Counters since construction, and current sizes.
struct CacheStats {
  uint64_t hits = 0;         // GetOrLoad found the customer in memory
  uint64_t misses = 0;       // GetOrLoad went to the store
  uint64_t evictions = 0;    // clean entries dropped to respect max_customers
  uint64_t load_errors = 0;  // misses that returned an error
  size_t size = 0;           // customers in memory
  size_t dirty = 0;          // customers changed since the last OnCommitted
};

// A bounded write-back cache of decoded CustomerStates in front of a StateStore, for one shard.
//
// Protocol per commit interval: GetOrLoad and change states, MarkDirty what changed, then
// AppendDirty into the batch that Commit writes, then OnCommitted once that commit succeeded.
// If a commit fails, skip OnCommitted: the entries stay dirty and the next AppendDirty
// includes them again.
//
// Memory: at most max_customers entries after each OnCommitted; in between, the cache grows by
// the customers touched in the interval. Only clean entries are evicted, least recently used
// first. A cached state past the store's eviction cutoff reads as a fresh state, exactly like
// the store would report it, so results do not depend on the cache size.
//
// Not thread-safe. `store` must outlive the cache.
class CustomerCache {
 public:
  // max_customers >= 1.
  CustomerCache(StateStore& store, size_t max_customers);

  CustomerCache(const CustomerCache&) = delete;
  CustomerCache& operator=(const CustomerCache&) = delete;

  // The state of `customer_id`, loading and decoding it on a miss: the one already cached, the
  // stored one, or a fresh default state when the store has none (or evicted it); never null.
  // The pointer stays valid until the next OnCommitted() or Clear(). A hit does not allocate.
  // The error that prevented loading: the store could not be read, or the stored bytes do not
  // decode (corrupt, or written by a newer cxpulse). Nothing is cached then, so a later
  // GetOrLoad retries; the caller decides whether to fail the shard and restore it.
  [[nodiscard]] Result<CustomerState*> GetOrLoad(std::string_view customer_id);

  // Records that the cached state of `customer_id` changed and must be written. Returns false
  // (and does nothing) when the customer is not cached (not loaded since the last OnCommitted).
  bool MarkDirty(std::string_view customer_id);

  size_t DirtyCount() const { return dirty_.size(); }
  size_t Size() const { return entries_.size(); }
  // Whether `customer_id` is in memory; does not count as a use.
  bool Contains(std::string_view customer_id) const;

  // Appends a PutCustomer with the encoding of every dirty state to `batch`. May be called
  // again (e.g. after a failed commit); entries stay dirty until OnCommitted.
  void AppendDirty(StoreBatch& batch);

  // The batch from AppendDirty is durable: marks every entry clean, then evicts the least
  // recently used entries beyond max_customers. Invalidates pointers from GetOrLoad.
  void OnCommitted();

  // Forgets every entry, dirty ones included (e.g. after an aborted transaction or when the
  // shard is revoked; the store or changelog then has the truth). Invalidates pointers.
  void Clear();

  CacheStats Stats() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Entry {
    CustomerState state;
    bool dirty = false;
    std::list<const std::string*>::iterator recency;
  };
  using Map = std::unordered_map<std::string, Entry, Hash, std::equal_to<>>;

  void Touch(Entry& entry);

  StateStore& store_;
  size_t max_customers_;
  Map entries_;
  // Keys of entries_, most recently used first.
  std::list<const std::string*> recency_;
  std::vector<Map::value_type*> dirty_;
  // The entry GetOrLoad returned last, so that the MarkDirty that usually follows skips a lookup.
  Map::value_type* last_ = nullptr;
  std::string scratch_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
  uint64_t load_errors_ = 0;
};

}  // namespace cx
