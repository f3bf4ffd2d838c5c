#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/kafka/live_observer.h"

namespace cx {

// The observers of a process (the metrics probe, the alert feed) fed by several processing
// threads (ProcessorGroup): each thread reports to its own member(), which forwards every call
// to the shared observers one at a time (they are written for one calling thread), and turns
// the per-thread views into the process's: OnRebalance gets the shards assigned over all
// threads, OnShardSnapshots the latest snapshot of every shard of every thread.
//
//   ObserverFanIn fan_in(observers, 2);
//   processor0.AddObserver(&fan_in.member(0));
//   processor1.AddObserver(&fan_in.member(1));
//
// The observers must outlive the fan-in; the fan-in must outlive the processors' Run().
class ObserverFanIn {
 public:
  ObserverFanIn(std::vector<LiveObserver*> observers, int members);
  ~ObserverFanIn();
  ObserverFanIn(const ObserverFanIn&) = delete;
  ObserverFanIn& operator=(const ObserverFanIn&) = delete;

  // The observer processing thread `index` (0 .. members - 1) reports to.
  [[nodiscard]] LiveObserver& member(int index);

 private:
  class Member;
  // Calls `call` on every observer, one thread at a time.
  template <typename Call>
  void Forward(Call&& call) {
    std::lock_guard lock(mutex_);
    for (LiveObserver* observer : observers_) call(*observer);
  }
  void Rebalanced(int member, int assigned_shards);
  void Snapshots(int member, const std::vector<ShardSnapshot>& shards, EventTime wall_clock);

  std::vector<LiveObserver*> observers_;
  std::vector<std::unique_ptr<Member>> members_;
  std::mutex mutex_;
  // Under mutex_: the shards each member last reported assigned, and the latest snapshot of
  // every shard with the member that reported it.
  std::vector<int> assigned_;
  std::map<int, std::pair<int, ShardSnapshot>> snapshots_;
};

}  // namespace cx
