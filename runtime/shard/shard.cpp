#include "runtime/shard/shard.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace cx {

namespace {

// Orders a max-heap so that its top is the earliest (deadline, customer id).
struct Later {
  template <typename T>
  bool operator()(const T& a, const T& b) const {
    if (a.deadline != b.deadline) {
      return a.deadline > b.deadline;
    }
    return a.customer_id > b.customer_id;
  }
};

// Stale heap entries tolerated before a rebuild: this many plus as many as there are live ones.
constexpr size_t kStaleTimersSlack = 4096;

}  // namespace

std::string ShardStatePath(const std::string& state_dir, int partition) {
  return state_dir + "/shard-" + std::to_string(partition);
}

Shard::Shard(int partition, const RulesConfig& rules, std::shared_ptr<StateStore> store,
             size_t cache_customers, EmissionSink& sink, size_t cache_bytes)
    : partition_(partition),
      rules_(rules),
      store_(std::move(store)),
      cache_(*store_, cache_customers, cache_bytes),
      sink_(sink) {}

Result<void> Shard::Restore() {
  std::string saved;
  StoreResult result = store_->GetMeta(kMaxEventTimeKey, saved);
  if (result.IsError()) {
    return Err(result.message());
  }
  if (result.IsOk()) {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(saved.data(), saved.data() + saved.size(), ms);
    if (ec != std::errc() || end != saved.data() + saved.size()) {
      return Err("state store has a corrupt watermark checkpoint");
    }
    max_event_time_ = EventTime::FromMillis(ms);
    watermark_ = max_event_time_ - rules_.lateness;
    store_->SetEvictionHorizon(watermark_);
  }
  timer_heap_.clear();
  timer_of_customer_.clear();
  touched_timers_.clear();
  pending_timers_ = 0;
  result = store_->ForEachTimer([this](EventTime deadline, std::string_view customer_id) {
    if (!slice_.Holds(CustomerIdHash{}(customer_id))) {
      return true;  // another shard's customer
    }
    auto [it, inserted] = timer_of_customer_.try_emplace(std::string(customer_id),
                                                         TimerEntry{deadline, deadline, false});
    if (inserted) {
      timer_heap_.push_back({deadline, it->first});
      ++pending_timers_;
    }
    return true;
  });
  if (result.IsError()) {
    return Err(result.message());
  }
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), Later{});
  return Ok();
}

Result<void> Shard::Process(const Event& event, const CustomerKey& customer) {
  // The customer's entries in the two million-entry tables are cold: start loading them now, so
  // that the misses overlap with the timers fired first instead of stalling GetOrLoad and
  // Reschedule. One CustomerKey: the id is hashed once for every lookup of this event.
  PrefetchEntries(customer);
  if (Result<void> fired = ObserveEventTime(event.ts); !fired) {
    return fired;
  }
  Result<CustomerState*> state = cache_.GetOrLoad(customer);
  if (!state) {
    return state.error();
  }
  ApplyResult result =
      ApplyEvent(rules_, event.customer_id, **state, event, watermark_, emissions_);
  if (result == ApplyResult::kDuplicate) {
    ++stats_.duplicates;
    return Ok();
  }
  ++stats_.events_applied;
  (void)cache_.MarkDirty(event.customer_id);
  Reschedule(customer, **state);
  Emit(EmissionCause{});
  return Ok();
}

Result<void> Shard::ObserveEventTime(EventTime ts) {
  if (ts > max_event_time_) {
    max_event_time_ = ts;
    EventTime candidate = max_event_time_ - rules_.lateness;
    if (candidate > watermark_) {
      watermark_ = candidate;
      return FireDue();
    }
  }
  return Ok();
}

void Shard::PrefetchCustomer(const CustomerKey& customer, PrefetchStage stage) const {
  switch (stage) {
    case PrefetchStage::kIndex:
      PrefetchEntries(customer);
      break;
    case PrefetchStage::kState:
      cache_.PrefetchState(customer);
      break;
    case PrefetchStage::kWindows:
      cache_.PrefetchWindows(customer);
      break;
  }
}

// flatten: see CustomerCache::Prefetch (GCC drops a call to absl's prefetch it has not inlined).
[[gnu::flatten]] void Shard::PrefetchEntries(const CustomerKey& customer) const {
  timer_of_customer_.prefetch(customer);
  cache_.Prefetch(customer);
}

Result<void> Shard::AdvanceWatermark(EventTime to,
                                     const std::function<Result<void>()>& after_firing) {
  if (to > watermark_) {
    watermark_ = to;
    return FireDue(after_firing ? &after_firing : nullptr);
  }
  return Ok();
}

Result<void> Shard::FireDueBefore(EventTime to, EventTime before) {
  watermark_ = std::max(watermark_, to);
  return FireDue(nullptr, before);
}

Result<void> Shard::FireDue(const std::function<Result<void>()>* after_firing, EventTime before) {
  const EventTime limit = std::min(watermark_, before);
  while (!timer_heap_.empty() && timer_heap_.front().deadline < limit) {
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), Later{});
    const QueuedTimer due = std::move(timer_heap_.back());
    timer_heap_.pop_back();
    if (!timer_heap_.empty() && timer_heap_.front().deadline < limit) {
      // The next timer to fire: its entries load while this one fires (see Process).
      PrefetchEntries(CustomerKey(timer_heap_.front().customer_id));
    }
    const std::string& customer_id = due.customer_id;
    const CustomerKey customer(customer_id);
    auto entry = timer_of_customer_.find(customer);
    if (entry == timer_of_customer_.end() || entry->second.deadline != due.deadline) {
      continue;  // stale: the customer's deadline moved since this entry was queued
    }
    SetTimer(*entry, EventTime::Max());
    Result<CustomerState*> state = cache_.GetOrLoad(customer);
    if (!state) {
      return state.error();
    }
    FireDueTimers(rules_, customer_id, **state, watermark_, emissions_);
    ++stats_.timer_firings;
    (void)cache_.MarkDirty(customer_id);
    Reschedule(customer, **state);
    Emit(EmissionCause{true, due.deadline, customer_id});
    if (after_firing != nullptr) {
      // May commit: the cache then evicts, and `state` and `due` are not used again.
      if (Result<void> done = (*after_firing)(); !done) {
        return done;
      }
    }
  }
  return Ok();
}

void Shard::Emit(const EmissionCause& cause) {
  if (!emissions_.signals.empty() || !emissions_.alerts.empty()) {
    sink_.OnCause(cause);
  }
  for (const Signal& signal : emissions_.signals) {
    sink_.OnSignal(signal);
  }
  for (const Alert& alert : emissions_.alerts) {
    sink_.OnAlert(alert);
  }
  stats_.signals += emissions_.signals.size();
  stats_.alerts += emissions_.alerts.size();
  emissions_.Clear();
}

void Shard::SetTimer(TimerMap::value_type& entry, EventTime deadline) {
  TimerEntry& timer = entry.second;
  pending_timers_ -= timer.deadline != EventTime::Max() ? 1 : 0;
  timer.deadline = deadline;
  if (deadline != EventTime::Max()) {
    ++pending_timers_;
    timer_heap_.push_back({deadline, entry.first});
    std::push_heap(timer_heap_.begin(), timer_heap_.end(), Later{});
    if (timer_heap_.size() > 2 * pending_timers_ + kStaleTimersSlack) {
      CompactTimerHeap();
    }
  }
  if (!timer.touched) {
    timer.touched = true;
    touched_timers_.push_back(entry.first);
  }
}

void Shard::CompactTimerHeap() {
  timer_heap_.clear();
  for (const auto& [customer_id, timer] : timer_of_customer_) {
    if (timer.deadline != EventTime::Max()) {
      timer_heap_.push_back({timer.deadline, customer_id});
    }
  }
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), Later{});
}

void Shard::Reschedule(const CustomerKey& customer, const CustomerState& state) {
  const EventTime next = NextDeadline(state);
  auto it = timer_of_customer_.find(customer);
  if (it != timer_of_customer_.end()) {
    if (it->second.deadline != next) {
      SetTimer(*it, next);
    }
    return;
  }
  if (next == EventTime::Max()) {
    return;
  }
  SetTimer(*timer_of_customer_.try_emplace(std::string(customer.id)).first, next);
}

void Shard::TakeCommitBatch(StoreBatch& batch) {
  batch.Clear();
  AppendCommitBatch(batch);
}

void Shard::AppendCommitBatch(StoreBatch& batch) {
  for (const std::string& customer_id : touched_timers_) {
    const auto entry = timer_of_customer_.find(customer_id);
    TimerEntry& timer = entry->second;
    timer.touched = false;
    if (timer.committed != timer.deadline) {
      if (timer.committed != EventTime::Max()) {
        batch.DeleteTimer(timer.committed, customer_id);
      }
      if (timer.deadline != EventTime::Max()) {
        batch.PutTimer(timer.deadline, customer_id);
      }
      timer.committed = timer.deadline;
    }
    if (timer.deadline == EventTime::Max()) {
      timer_of_customer_.erase(entry);
    }
  }
  touched_timers_.clear();
  cache_.TakeDirty(batch);
  batch.PutMeta(kMaxEventTimeKey, std::to_string(max_event_time_.ms));
  store_->SetEvictionHorizon(watermark_);
}

Result<void> Shard::WriteBatch(const StoreBatch& batch) {
  StoreResult result = store_->Commit(batch);
  if (!result.IsOk()) {
    return Err(result.message());
  }
  return Ok();
}

void Shard::OnBatchWritten() {
  cache_.OnCommitted();
  ++stats_.commits;
}

Result<void> Shard::CommitBatch(const StoreBatch& batch) {
  if (Result<void> written = WriteBatch(batch); !written) {
    return written;
  }
  OnBatchWritten();
  return Ok();
}

Result<void> Shard::Commit() {
  StoreBatch batch;
  TakeCommitBatch(batch);
  return CommitBatch(batch);
}

}  // namespace cx
