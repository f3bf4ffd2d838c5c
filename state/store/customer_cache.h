#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include "schemas/result.h"
#include "state/customer_state.h"
#include "state/customer_state_size.h"
#include "state/store/customer_key.h"
#include "state/store/departed_filter.h"
#include "state/store/state_store.h"
#include "state/store/store_batch.h"
#include "state/store/store_result.h"

namespace cx {

// Counters since construction, and current sizes.
struct CacheStats {
  uint64_t hits = 0;           // GetOrLoad found the customer in memory, decoded
  uint64_t packed_hits = 0;    // GetOrLoad found the customer in memory, packed (and decoded it)
  uint64_t misses = 0;         // GetOrLoad went to the store
  uint64_t evictions = 0;      // written entries dropped to respect the bounds
  uint64_t packs = 0;          // decoded entries packed to respect max_bytes
  uint64_t unpacked = 0;       // written entries that left memory where packing did not pay
  bool packing = true;         // whether packing pays (see CustomerCache, "Packing pays")
  uint64_t load_errors = 0;    // misses that returned an error
  uint64_t reads_skipped = 0;  // misses answered without a store read (store known to lack them)
  uint64_t departed = 0;       // customers noted as having left memory (see "Reads")
  size_t size = 0;             // customers in memory, decoded or packed
  size_t packed = 0;           // of those, the packed ones
  size_t bytes = 0;            // their estimated memory (see CustomerCache, "Memory")
  size_t dirty = 0;            // customers changed since the last TakeDirty
};

// The bounds of one CustomerCache: entries and estimated bytes (see CustomerCache, "Memory").
struct CacheBounds {
  size_t customers = 1;
  size_t bytes = SIZE_MAX;
};

// A bounded write-back cache of decoded CustomerStates in front of a StateStore, for one shard.
//
// Protocol per commit interval: GetOrLoad and change states, MarkDirty what changed, then
// TakeDirty into the batch that Commit writes, then OnCommitted once that batch is in the store.
// TakeDirty hands the dirty set over: the entries are clean but *unwritten* until OnCommitted,
// and an entry changed after the take is dirty again (in the next take). So states may keep
// changing while the taken batch is written elsewhere (the live processor overlaps its commit
// with processing); at most one taken batch is unwritten at a time. If writing the batch fails,
// write the same batch again, or Clear() (the store or changelog has the truth).
//
// Memory: at most max_customers entries, and at most 7/8 of max_bytes of estimated memory
// (state/customer_state_size.h, plus the entry's own overhead; a state's estimate is taken when
// it is loaded and at each TakeDirty; each entry counts its share of a hash table at the mean
// load of absl's tables, 2/3), after each OnCommitted, plus entries that are dirty
// again; in between, the cache grows by the customers touched in the interval (the eighth left
// is room for them). Only entries
// that are neither dirty nor unwritten leave memory or are packed (an evicted customer is read
// back from the store, so it must be there), chosen by CLOCK (a second chance for entries used
// since the hand last passed them).
//
// Packed entries: over that, written states are first *packed*, least recently used first,
// until the estimate is within the bound or the decoded ones take at most half of it. A packed
// state is kept in memory as its encoding (the bytes the store holds, a third to a quarter of
// the decoded size) and decoded again by its next GetOrLoad: a decode, and an encode if it is
// packed again, but no store read. Only then do entries leave memory: the oldest packed ones
// first (in sweeps that drop at least an eighth of them at once), decoded ones when none is
// packed. Over max_customers (which counts both kinds), the oldest packed entries leave first.
// Without a byte bound nothing is packed.
//
// Packing pays only when packed customers come back while still packed: each pack is an encode
// and a heap block, each packed hit saves a store read. The cache measures it: over the recent
// packs (decayed, counted from the first kPackingTrials), the share whose customer came back
// within the packing horizon (the age, in entries picked for packing since, at which full
// packing last dropped one; none while nothing was dropped). Under 1 in kPackedHitsPerPack, the
// customers it would pack leave memory instead, except a sample of 1 in kPackingSample (by the id's
// hash), packed to keep measuring and dropped once beyond the horizon; at or over it, packing
// resumes. Which customers are in memory never changes a result, only the work.
//
// A cached state past the store's eviction cutoff reads as a fresh state, exactly like the store
// would report it, so results do not depend on the cache size or on what is packed.
//
// Reads: while every customer the store holds is known to have come from this cache (the store
// had no customers when the cache was built, and since then the cache was not cleared and every
// customer written to the store came from this cache), a miss of a customer who never left
// memory is a first sighting and is not read from the store. The customers that left (evicted,
// or packed and dropped) are kept in a Bloom filter (DepartedFilter: 1.5–3 B each, counted in
// the byte estimate; ≈ 15–30 MB at 10 M customers), so a miss reads the store only for them and
// for ≈ 0.5 % per filter layer of the others. A filter that outgrows a quarter of max_bytes is
// dropped, and from then on every miss reads the store.
//
// Not thread-safe. `store` must outlive the cache.
class CustomerCache {
 public:
  // Memory a decoded customer takes besides its state and its id's heap block: its slot's size
  // class beyond the state, its index entry and its place in the slot vector.
  static const size_t kEntryOverheadBytes;
  // Memory a packed customer takes besides its heap block: its table entry.
  static const size_t kPackedOverheadBytes;

  // See "Packing pays only ...": packs counted before the first decision; a pack pays when at
  // least 1 in kPackedHitsPerPack comes back in time (measured on the 10 M-customer replay:
  // 5-6 % did, and not packing them took 10 % off the processing threads; bench/RESULTS.md);
  // the sample packed while packing does not pay.
  static constexpr uint64_t kPackingTrials = 4096;
  static constexpr uint64_t kPackedHitsPerPack = 4;
  static constexpr uint64_t kPackingSample = 8;

  // max_customers >= 1; max_bytes: no bound by default.
  CustomerCache(StateStore& store, size_t max_customers, size_t max_bytes = SIZE_MAX);

  CustomerCache(const CustomerCache&) = delete;
  CustomerCache& operator=(const CustomerCache&) = delete;

  // The state of `customer_id`, loading and decoding it on a miss: the one already cached, the
  // stored one, or a fresh default state when the store has none (or evicted it); never null.
  // The pointer stays valid until the next OnCommitted() or Clear(). A hit does not allocate.
  // The error that prevented loading: the store could not be read, or the stored bytes do not
  // decode (corrupt, or written by a newer cxpulse). Nothing is cached then, so a later
  // GetOrLoad retries; the caller decides whether to fail the shard and restore it.
  [[nodiscard]] Result<CustomerState*> GetOrLoad(std::string_view customer_id) {
    return GetOrLoad(CustomerKey(customer_id));
  }
  // The same, with the id's hash computed by the caller (once for several tables).
  [[nodiscard]] Result<CustomerState*> GetOrLoad(const CustomerKey& key);

  // Starts loading the memory a GetOrLoad of `key` reads first (its index entry);
  // changes nothing. For callers that know the customer ahead of the lookup.
  void Prefetch(const CustomerKey& key) const;
  // The next two stages, for a caller that knows its customers a few events ahead: starts
  // loading the cached state (found through the index: call Prefetch a while before), and then
  // its windows' first elements (found through the state: call PrefetchState a while before).
  // Nothing for a customer not in memory; changes nothing, not even CLOCK's marks.
  void PrefetchState(const CustomerKey& key) const;
  void PrefetchWindows(const CustomerKey& key) const;

  // Records that the cached state of `customer_id` changed and must be written (in the next
  // TakeDirty). Returns false (and does nothing) when the customer is not cached.
  bool MarkDirty(std::string_view customer_id);

  size_t DirtyCount() const { return dirty_.size(); }
  // Customers in memory, decoded or packed.
  size_t Size() const { return index_.size() + packed_.size(); }
  // Of those, the packed ones.
  size_t PackedCount() const { return packed_.size(); }
  // Whether `customer_id` is in memory, decoded or packed; does not count as a use.
  bool Contains(std::string_view customer_id) const;

  // Appends a PutCustomer with the encoding of every dirty state to `batch` and hands the dirty
  // set over: those entries are clean and unwritten until OnCommitted (never evicted before).
  // Call again only after OnCommitted (or Clear) of the previous take.
  void TakeDirty(StoreBatch& batch);

  // The batch of the last TakeDirty is in the store: its entries are written, then packs and
  // evicts the least recently used written entries beyond the bounds (see "Memory"; entries
  // dirty again are kept). Invalidates pointers from GetOrLoad.
  void OnCommitted();

  // The estimated memory of the cached customers (see "Memory").
  size_t Bytes() const { return bytes_; }

  // Customers handed over by the last TakeDirty and not yet written (OnCommitted).
  size_t UnwrittenCount() const { return unwritten_.size(); }

  // For caches over disjoint sets of customers whose takes go into one batch (the shards of a
  // replay on several threads, sharing one store): another cache put `writes` customer writes
  // into the batch this cache's last TakeDirty went into. They count as this cache's own, so
  // that the store still holds only what these caches wrote (see "Reads"). Call after the
  // TakeDirty, before OnCommitted.
  void CountPartnerWrites(uint64_t writes) { unwritten_writes_ += writes; }

  // Forgets every entry, dirty ones included (e.g. after an aborted transaction or when the
  // shard is revoked; the store or changelog then has the truth). Invalidates pointers.
  void Clear();

  CacheStats Stats() const;

 private:
  // One decoded customer, in its own heap block (a stable address; freed when the customer is
  // packed or evicted, so that the memory goes to what replaces it, e.g. packed entries). The
  // flags come first: a hit writes `referenced` and reads the state's first field, so both share
  // the slot's first cache line (with a million customers cached, every slot is cold), as does
  // the id that a lookup compares.
  struct Slot {
    bool dirty = false;
    bool unwritten = false;   // handed over by TakeDirty, not yet OnCommitted
    bool referenced = false;  // used since the CLOCK hand last passed
    uint32_t bytes = 0;       // ApproxMemoryBytes of the state when last loaded or taken
    std::string customer_id;
    CustomerState state;
  };
  // The index: one entry per cached customer, its id's hash (CustomerIdHash) and its slot's
  // address. 16 bytes, so a probe group's entries span four cache lines and the one found is
  // usually on the line absl's prefetch loads; the id itself is compared in the slot, which a
  // hit reads next anyway. Two ids with the same hash are two entries (equality compares ids).
  struct IndexEntry {
    size_t hash;
    Slot* slot;
  };
  // A lookup by hash alone, for prefetching: finds the first entry with that hash, without
  // reading any slot (with two ids of one hash, maybe the other one's).
  struct HashOnly {
    size_t hash;
  };
  struct IndexHash {
    using is_transparent = void;
    size_t operator()(const IndexEntry& e) const { return e.hash; }
    size_t operator()(const CustomerKey& key) const { return key.hash; }
    size_t operator()(const HashOnly& probe) const { return probe.hash; }
  };
  struct IndexEq {
    using is_transparent = void;
    bool operator()(const IndexEntry& a, const IndexEntry& b) const { return a.slot == b.slot; }
    bool operator()(const IndexEntry& e, const CustomerKey& key) const {
      return e.hash == key.hash && e.slot->customer_id == key.id;
    }
    bool operator()(const CustomerKey& key, const IndexEntry& e) const { return (*this)(e, key); }
    bool operator()(const IndexEntry& e, const HashOnly& probe) const {
      return e.hash == probe.hash;
    }
    bool operator()(const HashOnly& probe, const IndexEntry& e) const { return (*this)(e, probe); }
  };
  using Index = absl::flat_hash_set<IndexEntry, IndexHash, IndexEq>;

  // A packed customer: its id's hash, when it was packed (drops go oldest first), and one heap
  // block holding the id's length (2 bytes, little-endian), the id and the state's encoding.
  struct PackedEntry {
    size_t hash;
    uint64_t sequence;
    std::string bytes;
    std::string_view Id() const { return std::string_view(bytes).substr(2, IdLength()); }
    std::string_view Encoding() const { return std::string_view(bytes).substr(2 + IdLength()); }
    size_t IdLength() const {
      return static_cast<uint8_t>(bytes[0]) |
             (static_cast<size_t>(static_cast<uint8_t>(bytes[1])) << 8);
    }
  };
  struct PackedHash {
    using is_transparent = void;
    size_t operator()(const PackedEntry& e) const { return e.hash; }
    size_t operator()(const CustomerKey& key) const { return key.hash; }
  };
  struct PackedEq {
    using is_transparent = void;
    bool operator()(const PackedEntry& a, const PackedEntry& b) const {
      return a.hash == b.hash && a.Id() == b.Id();
    }
    bool operator()(const PackedEntry& e, const CustomerKey& key) const {
      return e.hash == key.hash && e.Id() == key.id;
    }
    bool operator()(const CustomerKey& key, const PackedEntry& e) const { return (*this)(e, key); }
  };
  using Packed = absl::flat_hash_set<PackedEntry, PackedHash, PackedEq>;

  Slot* Find(const CustomerKey& key) const {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->slot;
  }
  // Whether the store cannot hold the customer of `key`, who is not in memory (see "Reads").
  bool StoreLacksUncached(const CustomerKey& key);
  // Notes that the customer of `hash` left memory (see "Reads").
  void AddDeparted(size_t hash);
  // The estimate of the decoded entries alone.
  [[nodiscard]] size_t DecodedBytes() const { return bytes_ - packed_bytes_ - departed_.bytes(); }
  // Moves the state `key` names out of the packed entries into `state`. Returns false when it
  // is not packed, an error when its encoding does not decode (then it stays packed).
  Result<bool> Unpack(const CustomerKey& key, CustomerState& state);
  // Frees the written slot at `position` of slots_, keeping its state packed; evicts it instead
  // when its id is too long.
  void Pack(size_t position);
  // Decides whether packing pays, from the packs and packed hits since the last call.
  void UpdatePacking();
  // Whether the entry is packed even where packing does not pay (to keep measuring).
  static bool InPackingSample(const Slot& slot);
  // Runs the CLOCK hand over the decoded entries while `over()`; each entry it picks is packed
  // when `pack` (and packing pays, or the entry is in the sample), else evicted. Stops after two
  // full turns (the first may only clear second chances) when too few entries can go.
  template <typename Over>
  void RunClock(Over over, bool pack);
  // The packed customer at `it` leaves memory.
  void DropPackedAt(Packed::iterator it);
  // Where packing does not pay: drops the packed entries (the sample) picked longer ago than
  // the horizon, so that the sample stays small and the decoded entries have the memory.
  void DropPackedBeyondHorizon();
  // Drops packed entries, oldest first, while `over()` and any is left.
  template <typename Over>
  void DropPacked(Over over);
  // Frees the written slot at `position` of slots_: the customer leaves memory.
  void Evict(size_t position);
  // Frees the slot at `position` of slots_ after its index entry is gone.
  void Free(size_t position);
  // Sets the slot's estimate to its state's and updates bytes_.
  void Measure(Slot& slot);

  StateStore& store_;
  size_t max_customers_;
  size_t max_bytes_;
  size_t bytes_ = 0;         // decoded and packed entries and the departed filter
  size_t packed_bytes_ = 0;  // packed entries
  // The decoded customers in CLOCK order; null where one was freed (reused by the next load).
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<size_t> free_positions_;
  Index index_;
  Packed packed_;
  // The entries the packing pass picked so far, packed or not: a packed entry's sequence, so
  // that a hit knows how many were picked after it (its age against the horizon).
  uint64_t next_pack_ = 0;
  // See "Packing pays": the horizon (in picks), the decayed packs and the hits within the
  // horizon among them, the counters at the last UpdatePacking, and the decision.
  uint64_t packing_horizon_ = UINT64_MAX;
  uint64_t recent_packs_ = 0;
  uint64_t recent_packed_hits_ = 0;
  uint64_t packs_seen_ = 0;
  uint64_t timely_packed_hits_ = 0;
  uint64_t timely_packed_hits_seen_ = 0;
  bool packing_ = true;
  uint64_t unpacked_evictions_ = 0;
  size_t hand_ = 0;
  std::vector<Slot*> dirty_;
  // Handed over by the last TakeDirty, until OnCommitted.
  std::vector<Slot*> unwritten_;
  // The entry GetOrLoad returned last, so that the MarkDirty that usually follows skips a lookup.
  Slot* last_ = nullptr;
  std::string scratch_;
  // Whether the store holds only customers of this cache (see "Reads"), and the store's count
  // of committed customer writes that this cache accounts for.
  bool mirrored_ = false;
  // The customers that left memory while mirrored_ (see "Reads"); its bytes are in bytes_.
  DepartedFilter departed_;
  uint64_t own_customer_writes_ = 0;
  // Customer writes of the batch being written (TakeDirty to OnCommitted): the store's count
  // may or may not include them yet.
  uint64_t unwritten_writes_ = 0;
  uint64_t hits_ = 0;
  uint64_t packed_hits_ = 0;
  uint64_t misses_ = 0;
  uint64_t evictions_ = 0;
  uint64_t packs_ = 0;
  uint64_t load_errors_ = 0;
  uint64_t reads_skipped_ = 0;
};

// A swiss table entry: the value and one control byte, at absl's mean load of 2/3 (it grows at
// 7/8 full, to twice the capacity).
constexpr size_t TableEntryBytes(size_t value_bytes) { return (value_bytes + 1) * 3 / 2; }

inline constexpr size_t CustomerCache::kEntryOverheadBytes =
    AllocationBytes(sizeof(CustomerCache::Slot)) - sizeof(CustomerState) +
    TableEntryBytes(sizeof(CustomerCache::IndexEntry)) + sizeof(std::unique_ptr<Slot>);
inline constexpr size_t CustomerCache::kPackedOverheadBytes =
    TableEntryBytes(sizeof(CustomerCache::PackedEntry));

}  // namespace cx
