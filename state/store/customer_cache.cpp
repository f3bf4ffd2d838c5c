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

bool CustomerCache::StoreLacksUncached(const CustomerKey& key) {
  if (mirrored_) {
    // The taken batch may be written on another thread right now: either count is ours.
    const uint64_t writes = store_.CustomerWrites();
    if (writes != own_customer_writes_ && writes != own_customer_writes_ + unwritten_writes_) {
      mirrored_ = false;  // someone else wrote customers (e.g. a changelog restore)
      bytes_ -= departed_.bytes();
      departed_.Clear();
    }
  }
  return mirrored_ && !departed_.MayContain(key.hash);
}

void CustomerCache::AddDeparted(size_t hash) {
  if (!mirrored_) {
    return;
  }
  bytes_ += departed_.Add(hash);
  if (max_bytes_ != SIZE_MAX && departed_.bytes() > max_bytes_ / 4) {
    // Too many customers for the bound: every miss reads the store, as without the filter.
    mirrored_ = false;
    bytes_ -= departed_.bytes();
    departed_.Clear();
  }
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
  CustomerState state;
  Result<bool> unpacked = packed_.empty() ? Result<bool>(false) : Unpack(key, state);
  if (!unpacked) {
    ++load_errors_;
    return Err(unpacked.error().message());
  }
  if (*unpacked) {
    ++packed_hits_;
    if (state.last_activity < cutoff) {
      state = CustomerState{};
    }
  } else {
    ++misses_;
    if (StoreLacksUncached(key)) {
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
  }
  // A first use earns no second chance (`referenced` false): one-off customers go first.
  auto owned = std::make_unique<Slot>();
  Slot& slot = *owned;
  slot.customer_id.assign(customer_id);
  slot.state = std::move(state);
  if (!free_positions_.empty()) {
    slots_[free_positions_.back()] = std::move(owned);
    free_positions_.pop_back();
  } else {
    slots_.push_back(std::move(owned));
  }
  Measure(slot);
  index_.insert(IndexEntry{key.hash, &slot});
  last_ = &slot;
  return &slot.state;
}

namespace {

// The estimated memory of a packed entry: its heap block and its share of the table.
size_t PackedEntryBytes(const std::string& bytes) {
  return StringHeapBytes(bytes.capacity()) + CustomerCache::kPackedOverheadBytes;
}

}  // namespace

Result<bool> CustomerCache::Unpack(const CustomerKey& key, CustomerState& state) {
  const auto it = packed_.find(key);
  if (it == packed_.end()) {
    return false;
  }
  const std::string_view encoding = it->Encoding();
  // Past the store's cutoff the state reads as fresh (GetOrLoad resets it): no need to decode.
  if (LastActivityOfEncoded(encoding) >= store_.EvictionCutoff() &&
      !DecodeCustomerState(encoding, state)) {
    return Err(UndecodableStateReason(encoding));
  }
  if (next_pack_ - it->sequence <= packing_horizon_) {
    ++timely_packed_hits_;
  }
  const size_t bytes = PackedEntryBytes(it->bytes);
  bytes_ -= bytes;
  packed_bytes_ -= bytes;
  packed_.erase(it);
  return true;
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
  const CustomerKey key(customer_id);
  return Find(key) != nullptr || packed_.contains(key);
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
  if (!packed_.empty()) {
    packed_.prefetch(key);
  }
  if (mirrored_ && !departed_.empty()) {
    departed_.Prefetch(key.hash);
  }
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
  // The order of "Memory": over the count, packed entries leave first, then decoded ones. Over
  // the bytes, decoded states are packed while they take more than half the bound, then packed
  // entries leave, then decoded ones.
  // Bytes go down to 7/8 of the bound: room for the customers the next interval brings in, so
  // that a replay (which commits early when the cache outgrows its bound) commits less often.
  const size_t target_bytes = max_bytes_ == SIZE_MAX ? SIZE_MAX : max_bytes_ - max_bytes_ / 8;
  const auto over_count = [this] { return Size() > max_customers_; };
  const auto over_bytes = [this, target_bytes] { return bytes_ > target_bytes; };
  DropPacked(over_count);
  RunClock(over_count, /*pack=*/false);
  UpdatePacking();
  RunClock([&] { return over_bytes() && DecodedBytes() > max_bytes_ / 2; }, /*pack=*/true);
  if (!packing_) {
    DropPackedBeyondHorizon();
  }
  DropPacked(over_bytes);
  RunClock(over_bytes, /*pack=*/false);
}

bool CustomerCache::InPackingSample(const Slot& slot) {
  // The hash's low bits: a replay slice's customers share its top bits (CustomerSlice).
  return CustomerKey(slot.customer_id).hash % kPackingSample == 0;
}

void CustomerCache::UpdatePacking() {
  // Each call keeps 7/8 of the counts before it, so that the decision follows the input.
  recent_packs_ += packs_ - packs_seen_;
  recent_packed_hits_ += timely_packed_hits_ - timely_packed_hits_seen_;
  packs_seen_ = packs_;
  timely_packed_hits_seen_ = timely_packed_hits_;
  if (recent_packs_ < kPackingTrials) {
    return;
  }
  packing_ = recent_packed_hits_ * kPackedHitsPerPack >= recent_packs_;
  recent_packs_ -= recent_packs_ / 8;
  recent_packed_hits_ -= recent_packed_hits_ / 8;
}

template <typename Over>
void CustomerCache::RunClock(Over over, bool pack) {
  for (size_t steps = 0; over() && steps < 2 * slots_.size(); ++steps) {
    if (hand_ >= slots_.size()) {
      hand_ = 0;
    }
    Slot* slot = slots_[hand_].get();
    if (slot != nullptr && !slot->dirty && !slot->unwritten) {
      if (slot->referenced) {
        slot->referenced = false;
      } else if (pack && (packing_ || InPackingSample(*slot))) {
        Pack(hand_);
      } else if (pack) {
        ++next_pack_;  // picked, not packed: it still ages the packed ones
        ++unpacked_evictions_;
        Evict(hand_);
      } else {
        Evict(hand_);
      }
    }
    ++hand_;
  }
}

void CustomerCache::DropPackedAt(Packed::iterator it) {
  const size_t bytes = PackedEntryBytes(it->bytes);
  bytes_ -= bytes;
  packed_bytes_ -= bytes;
  AddDeparted(it->hash);
  packed_.erase(it);
  ++evictions_;
}

void CustomerCache::DropPackedBeyondHorizon() {
  for (auto it = packed_.begin(); it != packed_.end();) {
    if (next_pack_ - it->sequence > packing_horizon_) {
      DropPackedAt(it++);
    } else {
      ++it;
    }
  }
}

template <typename Over>
void CustomerCache::DropPacked(Over over) {
  std::vector<uint64_t> sequences;
  while (!packed_.empty() && over()) {
    // The oldest eighth at least (a sweep reads every entry), and as many as the count needs.
    const size_t excess = Size() > max_customers_ ? Size() - max_customers_ : 0;
    const size_t drop = std::min(packed_.size(), std::max<size_t>({packed_.size() / 8, excess, 1}));
    sequences.clear();
    sequences.reserve(packed_.size());
    for (const PackedEntry& entry : packed_) {
      sequences.push_back(entry.sequence);
    }
    std::nth_element(sequences.begin(), sequences.begin() + static_cast<ptrdiff_t>(drop - 1),
                     sequences.end());
    const uint64_t newest_dropped = sequences[drop - 1];
    if (packing_) {
      // The age at which packing lets entries go: a hit of an older one would have been none.
      packing_horizon_ = next_pack_ - newest_dropped;
    }
    for (auto it = packed_.begin(); it != packed_.end();) {
      if (it->sequence <= newest_dropped) {
        DropPackedAt(it++);
      } else {
        ++it;
      }
    }
  }
}

void CustomerCache::Pack(size_t position) {
  Slot& slot = *slots_[position];
  const std::string& id = slot.customer_id;
  if (id.size() > 0xFFFF) {
    Evict(position);
    return;
  }
  EncodeCustomerState(slot.state, scratch_);
  PackedEntry entry{CustomerKey(id).hash, next_pack_++, std::string()};
  entry.bytes.reserve(2 + id.size() + scratch_.size());
  entry.bytes.push_back(static_cast<char>(id.size() & 0xFF));
  entry.bytes.push_back(static_cast<char>(id.size() >> 8));
  entry.bytes.append(id);
  entry.bytes.append(scratch_);
  const size_t bytes = PackedEntryBytes(entry.bytes);
  index_.erase(IndexEntry{entry.hash, &slot});
  packed_.insert(std::move(entry));
  bytes_ = bytes_ - slot.bytes + bytes;
  packed_bytes_ += bytes;
  Free(position);
  ++packs_;
}

void CustomerCache::Measure(Slot& slot) {
  const auto bytes =
      static_cast<uint32_t>(std::min<size_t>(ApproxMemoryBytes(slot.state) + kEntryOverheadBytes +
                                                 StringHeapBytes(slot.customer_id.capacity()),
                                             UINT32_MAX));
  bytes_ = bytes_ - slot.bytes + bytes;
  slot.bytes = bytes;
}

void CustomerCache::Evict(size_t position) {
  Slot& slot = *slots_[position];
  bytes_ -= slot.bytes;
  const size_t hash = CustomerKey(slot.customer_id).hash;
  index_.erase(IndexEntry{hash, &slot});
  AddDeparted(hash);
  Free(position);
  ++evictions_;
}

void CustomerCache::Free(size_t position) {
  slots_[position].reset();
  free_positions_.push_back(position);
}

void CustomerCache::Clear() {
  last_ = nullptr;
  dirty_.clear();
  unwritten_.clear();
  unwritten_writes_ = 0;
  // Gives the tables' and vectors' memory back too (a revoked shard's may hold millions).
  index_ = Index();
  slots_ = decltype(slots_)();
  packed_ = Packed();
  bytes_ = 0;
  packed_bytes_ = 0;
  free_positions_ = decltype(free_positions_)();
  hand_ = 0;
  mirrored_ = false;
  departed_.Clear();
}

CacheStats CustomerCache::Stats() const {
  CacheStats stats;
  stats.hits = hits_;
  stats.packed_hits = packed_hits_;
  stats.misses = misses_;
  stats.evictions = evictions_;
  stats.packs = packs_;
  stats.unpacked = unpacked_evictions_;
  stats.packing = packing_;
  stats.load_errors = load_errors_;
  stats.reads_skipped = reads_skipped_;
  stats.departed = departed_.size();
  stats.size = Size();
  stats.packed = packed_.size();
  stats.bytes = bytes_;
  stats.dirty = dirty_.size();
  return stats;
}

}  // namespace cx
