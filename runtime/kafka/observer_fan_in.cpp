#include "runtime/kafka/observer_fan_in.h"

#include <numeric>

namespace cx {

class ObserverFanIn::Member final : public LiveObserver {
 public:
  Member(ObserverFanIn& fan_in, int index) : fan_in_(fan_in), index_(index) {}

  void OnRecordsProcessed(const RecordTally& records) override {
    fan_in_.Forward([&](LiveObserver& o) { o.OnRecordsProcessed(records); });
  }
  void OnDeadLetter(DecodeError error) override {
    fan_in_.Forward([&](LiveObserver& o) { o.OnDeadLetter(error); });
  }
  void OnAlertCommitted(const Alert& alert, std::string_view alert_json,
                        std::chrono::nanoseconds event_to_alert) override {
    fan_in_.Forward(
        [&](LiveObserver& o) { o.OnAlertCommitted(alert, alert_json, event_to_alert); });
  }
  void OnCommit(std::chrono::nanoseconds duration, bool committed) override {
    fan_in_.Forward([&](LiveObserver& o) { o.OnCommit(duration, committed); });
  }
  void OnRebalance(int assigned_shards) override { fan_in_.Rebalanced(index_, assigned_shards); }
  void OnShardSnapshots(const std::vector<ShardSnapshot>& shards, EventTime wall_clock) override {
    fan_in_.Snapshots(index_, shards, wall_clock);
  }
  void OnConsumerLag(const std::vector<PartitionLag>& lags) override {
    fan_in_.Forward([&](LiveObserver& o) { o.OnConsumerLag(lags); });
  }

 private:
  ObserverFanIn& fan_in_;
  int index_;
};

ObserverFanIn::ObserverFanIn(std::vector<LiveObserver*> observers, int members)
    : observers_(std::move(observers)), assigned_(static_cast<size_t>(members), 0) {
  for (int i = 0; i < members; ++i) members_.push_back(std::make_unique<Member>(*this, i));
}

ObserverFanIn::~ObserverFanIn() = default;

LiveObserver& ObserverFanIn::member(int index) { return *members_[static_cast<size_t>(index)]; }

void ObserverFanIn::Rebalanced(int member, int assigned_shards) {
  std::lock_guard lock(mutex_);
  assigned_[static_cast<size_t>(member)] = assigned_shards;
  int total = std::accumulate(assigned_.begin(), assigned_.end(), 0);
  for (LiveObserver* observer : observers_) observer->OnRebalance(total);
}

void ObserverFanIn::Snapshots(int member, const std::vector<ShardSnapshot>& shards,
                              EventTime wall_clock) {
  std::lock_guard lock(mutex_);
  std::erase_if(snapshots_, [member](const auto& entry) { return entry.second.first == member; });
  // A shard another member reported last has moved here: this report is the newer one.
  for (const ShardSnapshot& s : shards)
    snapshots_.insert_or_assign(s.partition, std::pair{member, s});
  std::vector<ShardSnapshot> all;
  all.reserve(snapshots_.size());
  for (const auto& [partition, entry] : snapshots_) all.push_back(entry.second);
  for (LiveObserver* observer : observers_) observer->OnShardSnapshots(all, wall_clock);
}

}  // namespace cx
