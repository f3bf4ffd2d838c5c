#include "runtime/shard/shard.h"

#include <charconv>
#include <utility>

namespace cx {

std::string ShardStatePath(const std::string& state_dir, int partition) {
  return state_dir + "/shard-" + std::to_string(partition);
}

Shard::Shard(int partition, const RulesConfig& rules, std::unique_ptr<StateStore> store,
             size_t cache_customers, EmissionSink& sink)
    : partition_(partition),
      rules_(rules),
      store_(std::move(store)),
      cache_(*store_, cache_customers),
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
  timer_queue_.clear();
  timer_of_customer_.clear();
  touched_timers_.clear();
  result = store_->ForEachTimer([this](EventTime deadline, std::string_view customer_id) {
    auto [it, inserted] = timer_of_customer_.try_emplace(std::string(customer_id),
                                                         TimerEntry{deadline, deadline, false});
    if (inserted) {
      timer_queue_.emplace(deadline, it->first);
    }
    return true;
  });
  if (result.IsError()) {
    return Err(result.message());
  }
  return Ok();
}

Result<CustomerState*> Shard::Load(std::string_view customer_id) {
  return cache_.GetOrLoad(customer_id);
}

Result<void> Shard::Process(const Event& event) {
  if (event.ts > max_event_time_) {
    max_event_time_ = event.ts;
    EventTime candidate = max_event_time_ - rules_.lateness;
    if (candidate > watermark_) {
      watermark_ = candidate;
      if (Result<void> fired = FireDue(); !fired) {
        return fired;
      }
    }
  }
  Result<CustomerState*> state = Load(event.customer_id);
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
  Reschedule(event.customer_id, **state);
  Emit();
  return Ok();
}

Result<void> Shard::AdvanceWatermark(EventTime to) {
  if (to > watermark_) {
    watermark_ = to;
    return FireDue();
  }
  return Ok();
}

Result<void> Shard::FireDue() {
  while (!timer_queue_.empty() && timer_queue_.begin()->first < watermark_) {
    auto node = timer_queue_.extract(timer_queue_.begin());
    const std::string& customer_id = node.value().second;
    auto entry = timer_of_customer_.find(customer_id);
    if (entry != timer_of_customer_.end()) {
      entry->second.deadline = EventTime::Max();
      if (!entry->second.touched) {
        entry->second.touched = true;
        touched_timers_.push_back(&*entry);
      }
    }
    Result<CustomerState*> state = Load(customer_id);
    if (!state) {
      return state.error();
    }
    FireDueTimers(rules_, customer_id, **state, watermark_, emissions_);
    ++stats_.timer_firings;
    (void)cache_.MarkDirty(customer_id);
    Reschedule(customer_id, **state);
    Emit();
  }
  return Ok();
}

void Shard::Emit() {
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
  if (timer.deadline != EventTime::Max()) {
    timer_queue_.erase({timer.deadline, entry.first});
  }
  timer.deadline = deadline;
  if (deadline != EventTime::Max()) {
    timer_queue_.emplace(deadline, entry.first);
  }
  if (!timer.touched) {
    timer.touched = true;
    touched_timers_.push_back(&entry);
  }
}

void Shard::Reschedule(std::string_view customer_id, const CustomerState& state) {
  const EventTime next = NextDeadline(state);
  auto it = timer_of_customer_.find(customer_id);
  if (it != timer_of_customer_.end()) {
    if (it->second.deadline != next) {
      SetTimer(*it, next);
    }
    return;
  }
  if (next == EventTime::Max()) {
    return;
  }
  SetTimer(*timer_of_customer_.try_emplace(std::string(customer_id)).first, next);
}

void Shard::TakeCommitBatch(StoreBatch& batch) {
  batch.Clear();
  for (TimerMap::value_type* entry : touched_timers_) {
    TimerEntry& timer = entry->second;
    timer.touched = false;
    if (timer.committed != timer.deadline) {
      if (timer.committed != EventTime::Max()) {
        batch.DeleteTimer(timer.committed, entry->first);
      }
      if (timer.deadline != EventTime::Max()) {
        batch.PutTimer(timer.deadline, entry->first);
      }
      timer.committed = timer.deadline;
    }
    if (timer.deadline == EventTime::Max()) {
      timer_of_customer_.erase(timer_of_customer_.find(entry->first));
    }
  }
  touched_timers_.clear();
  cache_.AppendDirty(batch);
  batch.PutMeta(kMaxEventTimeKey, std::to_string(max_event_time_.ms));
}

Result<void> Shard::CommitBatch(const StoreBatch& batch) {
  store_->SetEvictionHorizon(watermark_);
  StoreResult result = store_->Commit(batch);
  if (!result.IsOk()) {
    return Err(result.message());
  }
  cache_.OnCommitted();
  ++stats_.commits;
  return Ok();
}

Result<void> Shard::Commit() {
  StoreBatch batch;
  TakeCommitBatch(batch);
  return CommitBatch(batch);
}

}  // namespace cx
