#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>

#include "processors/engine.h"
#include "processors/rules_config.h"
#include "runtime/shard/emission_sink.h"
#include "schemas/result.h"
#include "state/store/customer_cache.h"
#include "state/store/customer_key.h"
#include "state/store/state_store.h"

namespace cx {

// The RocksDB directory of shard `partition` inside a state directory: "<state_dir>/shard-<p>".
[[nodiscard]] std::string ShardStatePath(const std::string& state_dir, int partition);

// Counters of one shard, read by the probes and the replay summary.
struct ShardStats {
  uint64_t events_applied = 0;
  uint64_t duplicates = 0;
  uint64_t timer_firings = 0;
  uint64_t signals = 0;
  uint64_t alerts = 0;
  uint64_t commits = 0;
};

// A share of the customers, by their id's hash: `count` disjoint slices cover every customer.
// The shards of a replay on several threads each own one slice.
struct CustomerSlice {
  size_t index = 0;
  size_t count = 1;
  // The slice of a customer whose CustomerKey hash is `hash`. Uses the hash's top bits: the
  // tables index with its low ones, which then stay spread within each slice.
  [[nodiscard]] static size_t Of(size_t hash, size_t count) {
    return static_cast<size_t>((static_cast<unsigned __int128>(hash) * count) >> 64);
  }
  [[nodiscard]] bool Holds(size_t hash) const { return count == 1 || Of(hash, count) == index; }
};

// Everything for one partition number: its watermark, its timer queue, its state store and its
// slice of the customer cache. Replay and the live processor drive the same Shard; only the
// source of events and the sink differ. Not thread-safe: one thread owns a shard.
//
// Processing contract, per event: raise the max event time; watermark = max event time −
// lateness (never moves back); fire every timer the watermark has passed (deadline <
// watermark; deadline order, then customer id); then apply the event (which also fires the
// customer's deadlines the watermark has passed, e.g. a late event's). A deadline never fires
// on the customer's own newer event: every event within the lateness, the customer's own
// included, counts as if it had arrived in time order, so a customer's output does not depend
// on the arrival order of their events within the lateness. Closed contacts and windows are
// pruned by the watermark, not by the event's time.
class Shard {
 public:
  // Shares ownership of the store (shards of one slice each may share one). `sink` must outlive
  // the shard.
  Shard(int partition, const RulesConfig& rules, std::shared_ptr<StateStore> store,
        size_t cache_customers, EmissionSink& sink, size_t cache_bytes = SIZE_MAX);

  // Makes this shard own only the customers of `slice` of a store it shares with the shards of
  // the other slices: Restore then loads only their timers, and only their events may be
  // Processed. Call before Restore.
  void SetSlice(CustomerSlice slice) { slice_ = slice; }

  // Loads the watermark checkpoint and the pending timers from the store. Call once, before
  // the first event. The error when the store cannot be read.
  [[nodiscard]] Result<void> Restore();

  // The first step of Process alone: raises the max event time to `ts` and fires what the new
  // watermark makes due. For a shard that shares a stream with others (each sees every event's
  // time, so that all of them have the same watermark at each event, and processes its own).
  [[nodiscard]] Result<void> ObserveEventTime(EventTime ts);

  // Processes one decoded event of this shard. An error only when the state store failed; the
  // shard must then be discarded and restored. Success does not allocate.
  [[nodiscard]] Result<void> Process(const Event& event) {
    return Process(event, CustomerKey(event.customer_id));
  }
  // The same with the customer's key made before (its hash computed once, e.g. when decoding).
  [[nodiscard]] Result<void> Process(const Event& event, const CustomerKey& customer);

  // How far PrefetchCustomer gets, each stage reading what the one before loaded.
  enum class PrefetchStage {
    kIndex,    // the customer's entries in the cache's index and the timer table
    kState,    // the cached state (through the index)
    kWindows,  // the first elements of its windows (through the state)
  };
  // Starts loading the memory that processing an event of `customer_id` reads first; changes
  // nothing. For a caller that knows its next events (replay decodes a few lines ahead): with
  // millions of customers an event's lookups are cold, and each waits on the one before. Call
  // the stages in order, an event or so apart, the last one just before Process.
  void PrefetchCustomer(std::string_view customer_id, PrefetchStage stage) const {
    PrefetchCustomer(CustomerKey(customer_id), stage);
  }
  void PrefetchCustomer(const CustomerKey& customer, PrefetchStage stage) const;

  // Moves the watermark forward to `to` (if later) and fires the timers that are now due.
  // Used at the end of a replay and, in live mode, when an idle shard follows the wall clock.
  // `after_firing`, when given, runs after each fired timer's emissions: it may commit the
  // shard (the end of a replay fires a timer of nearly every customer, and the cache can evict
  // a changed customer only once it is committed); the firing order and outputs are the same.
  // An error when the state store failed, or `after_firing`'s.
  [[nodiscard]] Result<void> AdvanceWatermark(
      EventTime to, const std::function<Result<void>()>& after_firing = {});
  // AdvanceWatermark in steps that give the same outputs: moves the watermark forward to `to`
  // (if later) but fires only the due timers whose deadline is before `before`. Each firing
  // sees the whole new watermark, as in one AdvanceWatermark(to); calling this with rising
  // `before` up to past `to` fires the same timers in the same order.
  [[nodiscard]] Result<void> FireDueBefore(EventTime to, EventTime before);
  // The earliest deadline queued (possibly of a timer since moved); Max when none.
  [[nodiscard]] EventTime NextQueuedDeadline() const {
    return timer_heap_.empty() ? EventTime::Max() : timer_heap_.front().deadline;
  }

  // Moves every change since the last take into `batch`: the timer changes, each dirty
  // customer's encoded state and the watermark checkpoint, and hands them over (the cache keeps
  // the taken customers, unevictable, until OnBatchWritten; a change after the take goes into
  // the next batch). The caller may add entries (e.g. a changelog offset), publish the batch
  // elsewhere (the changelog), then write it: CommitBatch(), or WriteBatch() then
  // OnBatchWritten(). At most one taken batch is unwritten at a time; when its write fails, the
  // shard must be discarded (or the same batch written again).
  void TakeCommitBatch(StoreBatch& batch);
  // TakeCommitBatch without clearing `batch` first: the shards sharing a store commit together.
  void AppendCommitBatch(StoreBatch& batch);
  // WriteBatch + OnBatchWritten.
  [[nodiscard]] Result<void> CommitBatch(const StoreBatch& batch);
  // Writes the taken `batch` to the store in one WriteBatch. The one call that may run on
  // another thread while the owning thread keeps processing (the store is thread-safe; nothing
  // else of the shard is touched), until the owner calls OnBatchWritten.
  [[nodiscard]] Result<void> WriteBatch(const StoreBatch& batch);
  // The taken batch is in the store: the cache may evict its customers. Owning thread only.
  void OnBatchWritten();
  // TakeCommitBatch + CommitBatch.
  [[nodiscard]] Result<void> Commit();

  // Customers whose state changed since the last take.
  [[nodiscard]] size_t DirtyCount() const { return cache_.DirtyCount(); }
  // The key of the watermark checkpoint in the store's meta and in the changelog.
  static constexpr std::string_view kMaxEventTimeKey = "shard.max_event_time";
  [[nodiscard]] EventTime watermark() const { return watermark_; }
  [[nodiscard]] EventTime max_event_time() const { return max_event_time_; }
  [[nodiscard]] int partition() const { return partition_; }
  [[nodiscard]] const ShardStats& stats() const { return stats_; }
  [[nodiscard]] size_t pending_timers() const { return pending_timers_; }
  [[nodiscard]] StateStore& store() { return *store_; }
  [[nodiscard]] CustomerCache& cache() { return cache_; }

 private:
  [[nodiscard]] Result<void> FireDue(const std::function<Result<void>()>* after_firing = nullptr,
                                     EventTime before = EventTime::Max());
  void Emit(const EmissionCause& cause);
  // Starts loading the customer's entries in the timer table and the cache's index.
  void PrefetchEntries(const CustomerKey& customer) const;
  // Keeps exactly one timer for the customer, at NextDeadline(state).
  void Reschedule(const CustomerKey& customer, const CustomerState& state);

  int partition_;
  const RulesConfig& rules_;
  std::shared_ptr<StateStore> store_;
  CustomerSlice slice_;
  CustomerCache cache_;
  EmissionSink& sink_;
  Emissions emissions_;
  ShardStats stats_;

  EventTime max_event_time_ = EventTime::Min();
  EventTime watermark_ = EventTime::Min();
  // A customer's current deadline (Max: none) and the one the store holds. An entry lives while
  // either is set; `touched` entries changed since the last commit and are listed in
  // touched_timers_, so a commit writes each customer's net timer change once.
  struct TimerEntry {
    EventTime deadline = EventTime::Max();
    EventTime committed = EventTime::Max();
    bool touched = false;
  };
  // Hashed like the cache's index, so that one CustomerKey serves both lookups.
  using TimerMap = absl::flat_hash_map<std::string, TimerEntry, CustomerIdHash, CustomerIdEq>;
  void SetTimer(TimerMap::value_type& entry, EventTime deadline);
  // Rebuilds timer_heap_ from timer_of_customer_ once stale entries outnumber live ones.
  void CompactTimerHeap();
  TimerMap timer_of_customer_;
  std::vector<std::string> touched_timers_;
  // A min-heap of (deadline, customer id) with lazy deletion: an entry is live while it equals
  // the customer's current deadline in timer_of_customer_; stale ones are dropped when they
  // reach the top (or by CompactTimerHeap). Same firing order as a sorted set of live timers.
  struct QueuedTimer {
    EventTime deadline;
    std::string customer_id;
  };
  std::vector<QueuedTimer> timer_heap_;
  size_t pending_timers_ = 0;
};

}  // namespace cx
