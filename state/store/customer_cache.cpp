#include "state/store/customer_cache.h"

#include <algorithm>
#include <utility>

#include "state/customer_state_codec.h"
#include "state/customer_state_size.h"

namespace cx {

CustomerCache::CustomerCache(StateStore& store, size_t max_customers, size_t max_bytes)
    : store_(store),
      max_customers_(std::max<size_t>(max_customers, 1)),
      max_bytes_(max_bytes),
      mirrored_(store.HadNoCustomersAtOpen() && store.CustomerWrites() == 0) {}

bool CustomerCache::StoreLacksUncached() {
  if (mirrored_) {
    // The taken batch may be written on another thread right now: either count is ours.
    const uint64_t writes = store_.CustomerWrites();
    if (writes != own_customer_writes_ && writes != own_customer_writes_ + unwritten_writes_) {
      mirrored_ = false;  // someone else wrote customers (e.g. a changelog restore)
    }
  }
  return mirrored_;
}

Result<CustomerState*> CustomerCache::GetOrLoad(const CustomerKey& key) {
  const std::string_view customer_id = key.id;
  const EventTime cutoff = store_.EvictionCutoff();
  if (Slot* slot = Find(key); slot != nullptr) {
    ++hits_;
    last_ = slot;
    slot->referenced = true;
    if (slot->state.last_activity < cutoff) {
      slot->state = CustomerState{};
    }
    return &slot->state;
  }
  ++misses_;
  CustomerState state;
  if (StoreLacksUncached()) {
    ++reads_skipped_;
  } else {
    StoreResult read = store_.GetCustomer(customer_id, scratch_);
    if (read.IsError()) {
      ++load_errors_;
      return Err(read.message());
    }
    if (read.IsOk() && !DecodeCustomerState(scratch_, state)) {
      ++load_errors_;
      return Err(UndecodableStateReason(scratch_));
    }
  }
  Slot* free = nullptr;
  if (!free_slots_.empty()) {
    free = free_slots_.back();
    free_slots_.pop_back();
  } else {
    free = &slots_.emplace_back();
  }
  Slot& slot = *free;
  slot.customer_id.assign(customer_id);
  slot.state = std::move(state);
  slot.live = true;
  slot.dirty = false;
  slot.unwritten = false;
  slot.referenced = false;  // a first use earns no second chance: one-off customers go first
  slot.bytes = 0;
  Measure(slot);
  index_.insert(IndexEntry{key.hash, &slot});
  last_ = &slot;
  return &slot.state;
}

bool CustomerCache::MarkDirty(std::string_view customer_id) {
  Slot* slot = last_;
  if (slot == nullptr || slot->customer_id != customer_id) {
    slot = Find(CustomerKey(customer_id));
    if (slot == nullptr) {
      return false;
    }
  }
  if (!slot->dirty) {
    slot->dirty = true;
    dirty_.push_back(slot);
  }
  return true;
}

bool CustomerCache::Contains(std::string_view customer_id) const {
  return Find(CustomerKey(customer_id)) != nullptr;
}

namespace {

// How far ahead TakeDirty starts loading the slots it will encode, and their vectors' elements.
constexpr size_t kPrefetchSlotsAhead = 16;
constexpr size_t kPrefetchVectorsAhead = 8;

void PrefetchBytes(const void* p, size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (size_t at = 0; at < bytes; at += 64) __builtin_prefetch(c + at);
}

// The first cache line of each non-empty vector the encoder reads (most hold a few elements).
void PrefetchVectors(const CustomerState& s) {
  __builtin_prefetch(s.seen.data());
  __builtin_prefetch(s.contacts.data());
  __builtin_prefetch(s.history.data());
  __builtin_prefetch(s.clicks.data());
  __builtin_prefetch(s.session.pages.data());
}

}  // namespace

// flatten: GCC 12 at -O2 infers that absl's prefetch() has no effect (ipa pure-const) and drops
// a call to it that it has not inlined, which it does not on its own; inlined, the prefetch
// instructions stay (checked by disassembling the RelWithDebInfo build).
[[gnu::flatten]] void CustomerCache::Prefetch(const CustomerKey& key) const {
  index_.prefetch(key);
}

void CustomerCache::PrefetchState(const CustomerKey& key) const {
  // By hash alone: comparing the id would wait for the slot this is about to load.
  if (const auto it = index_.find(HashOnly{key.hash}); it != index_.end()) {
    // The whole slot: the flags, the id, the state's fixed fields and the windows' pointers
    // that PrefetchWindows reads next (the session's pages are on the slot's fourth line).
    PrefetchBytes(it->slot, sizeof(Slot));
  }
}

void CustomerCache::PrefetchWindows(const CustomerKey& key) const {
  if (const Slot* slot = Find(key); slot != nullptr) {
    PrefetchVectors(slot->state);
  }
}

void CustomerCache::TakeDirty(StoreBatch& batch) {
  // The dirty states were last touched up to a commit interval ago: mostly out of the CPU's
  // caches. Loading them ahead overlaps those misses instead of stalling on each in turn.
  const size_t count = dirty_.size();
  for (size_t i = 0; i < count; ++i) {
    if (i + kPrefetchSlotsAhead < count) {
      PrefetchBytes(dirty_[i + kPrefetchSlotsAhead], sizeof(Slot));
    }
    if (i + kPrefetchVectorsAhead < count) {
      PrefetchVectors(dirty_[i + kPrefetchVectorsAhead]->state);
    }
    Slot* slot = dirty_[i];
    EncodeCustomerState(slot->state, scratch_);
    batch.PutCustomer(slot->customer_id, scratch_);
    ReleaseSlack(slot->state);
    Measure(*slot);
    slot->dirty = false;
    if (!slot->unwritten) {
      slot->unwritten = true;
      unwritten_.push_back(slot);
    }
  }
  unwritten_writes_ += dirty_.size();
  dirty_.clear();
}

void CustomerCache::OnCommitted() {
  for (Slot* slot : unwritten_) {
    slot->unwritten = false;
  }
  unwritten_.clear();
  last_ = nullptr;
  own_customer_writes_ += unwritten_writes_;
  unwritten_writes_ = 0;
  // CLOCK over the slots; dirty entries are skipped, so stop after two full turns (the first
  // may only clear second chances) when too few entries can go.
  for (size_t steps = 0;
       (index_.size() > max_customers_ || bytes_ > max_bytes_) && steps < 2 * slots_.size();
       ++steps) {
    if (hand_ >= slots_.size()) {
      hand_ = 0;
    }
    Slot& slot = slots_[hand_];
    if (slot.live && !slot.dirty && !slot.unwritten) {
      if (slot.referenced) {
        slot.referenced = false;
      } else {
        Evict(slot);
      }
    }
    ++hand_;
  }
}

void CustomerCache::Measure(Slot& slot) {
  const auto bytes = static_cast<uint32_t>(
      std::min<size_t>(ApproxMemoryBytes(slot.state) + kEntryOverheadBytes, UINT32_MAX));
  bytes_ = bytes_ - slot.bytes + bytes;
  slot.bytes = bytes;
}

void CustomerCache::Evict(Slot& slot) {
  bytes_ -= slot.bytes;
  slot.bytes = 0;
  index_.erase(IndexEntry{CustomerKey(slot.customer_id).hash, &slot});
  slot.live = false;
  slot.state = CustomerState{};
  free_slots_.push_back(&slot);
  ++evictions_;
  mirrored_ = false;
}

void CustomerCache::Clear() {
  last_ = nullptr;
  dirty_.clear();
  unwritten_.clear();
  unwritten_writes_ = 0;
  index_.clear();
  slots_.clear();
  bytes_ = 0;
  free_slots_.clear();
  hand_ = 0;
  mirrored_ = false;
}

CacheStats CustomerCache::Stats() const {
  CacheStats stats;
  stats.hits = hits_;
  stats.misses = misses_;
  stats.evictions = evictions_;
  stats.load_errors = load_errors_;
  stats.reads_skipped = reads_skipped_;
  stats.size = index_.size();
  stats.bytes = bytes_;
  stats.dirty = dirty_.size();
  return stats;
}

}  // namespace cx
