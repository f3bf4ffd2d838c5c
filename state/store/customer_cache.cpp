#include "state/store/customer_cache.h"

#include <algorithm>
#include <utility>

#include "state/customer_state_codec.h"

namespace cx {

CustomerCache::CustomerCache(StateStore& store, size_t max_customers)
    : store_(store), max_customers_(std::max<size_t>(max_customers, 1)) {}

Result<CustomerState*> CustomerCache::GetOrLoad(std::string_view customer_id) {
  const EventTime cutoff = store_.EvictionCutoff();
  if (auto it = entries_.find(customer_id); it != entries_.end()) {
    ++hits_;
    last_ = &*it;
    Entry& entry = it->second;
    Touch(entry);
    if (entry.state.last_activity < cutoff) {
      entry.state = CustomerState{};
    }
    return &entry.state;
  }
  ++misses_;
  CustomerState state;
  StoreResult read = store_.GetCustomer(customer_id, scratch_);
  if (read.IsError()) {
    ++load_errors_;
    return Err(read.message());
  }
  if (read.IsOk() && !DecodeCustomerState(scratch_, state)) {
    ++load_errors_;
    return Err("a stored customer state of " + std::to_string(scratch_.size()) +
               " bytes does not decode (corrupt or newer format)");
  }
  const auto it =
      entries_.emplace(std::string(customer_id), Entry{std::move(state), false, {}}).first;
  recency_.push_front(&it->first);
  it->second.recency = recency_.begin();
  last_ = &*it;
  return &it->second.state;
}

bool CustomerCache::MarkDirty(std::string_view customer_id) {
  Map::value_type* entry = last_;
  if (entry == nullptr || entry->first != customer_id) {
    const auto it = entries_.find(customer_id);
    if (it == entries_.end()) {
      return false;
    }
    entry = &*it;
  }
  if (!entry->second.dirty) {
    entry->second.dirty = true;
    dirty_.push_back(entry);
  }
  return true;
}

bool CustomerCache::Contains(std::string_view customer_id) const {
  return entries_.find(customer_id) != entries_.end();
}

void CustomerCache::AppendDirty(StoreBatch& batch) {
  for (const Map::value_type* entry : dirty_) {
    EncodeCustomerState(entry->second.state, scratch_);
    batch.PutCustomer(entry->first, scratch_);
  }
}

void CustomerCache::OnCommitted() {
  for (Map::value_type* entry : dirty_) {
    entry->second.dirty = false;
  }
  dirty_.clear();
  last_ = nullptr;
  while (entries_.size() > max_customers_) {
    const auto victim = entries_.find(std::string_view(*recency_.back()));
    recency_.pop_back();
    entries_.erase(victim);
    ++evictions_;
  }
}

void CustomerCache::Clear() {
  last_ = nullptr;
  dirty_.clear();
  recency_.clear();
  entries_.clear();
}

CacheStats CustomerCache::Stats() const {
  CacheStats stats;
  stats.hits = hits_;
  stats.misses = misses_;
  stats.evictions = evictions_;
  stats.load_errors = load_errors_;
  stats.size = entries_.size();
  stats.dirty = dirty_.size();
  return stats;
}

void CustomerCache::Touch(Entry& entry) {
  recency_.splice(recency_.begin(), recency_, entry.recency);
}

}  // namespace cx
