#include "runtime/kafka/observer_fan_in.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cx {
namespace {

// Records what reaches the shared observer; not thread-safe, like the metrics probe.
struct Recorder final : LiveObserver {
  int assigned = -1;
  std::vector<int> partitions;
  int64_t processed = 0;
  int64_t commits = 0;
  void OnRebalance(int assigned_shards) override { assigned = assigned_shards; }
  void OnShardSnapshots(const std::vector<ShardSnapshot>& shards, EventTime) override {
    partitions.clear();
    for (const ShardSnapshot& s : shards) partitions.push_back(s.partition);
  }
  void OnRecordsProcessed(const RecordTally& records) override {
    processed += static_cast<int64_t>(records.records());
  }
  void OnCommit(std::chrono::nanoseconds, bool) override { ++commits; }
};

std::vector<ShardSnapshot> Shards(const std::vector<int>& partitions) {
  std::vector<ShardSnapshot> shards;
  for (int p : partitions) {
    ShardSnapshot s;
    s.partition = p;
    shards.push_back(s);
  }
  return shards;
}

TEST(ObserverFanIn, AssignedShardsAreSummedOverMembers) {
  Recorder recorder;
  ObserverFanIn fan_in({&recorder}, 2);
  fan_in.member(0).OnRebalance(3);
  EXPECT_EQ(recorder.assigned, 3);
  fan_in.member(1).OnRebalance(1);
  EXPECT_EQ(recorder.assigned, 4);
  fan_in.member(0).OnRebalance(0);
  EXPECT_EQ(recorder.assigned, 1);
}

TEST(ObserverFanIn, SnapshotsHoldEveryMembersLatestShards) {
  Recorder recorder;
  ObserverFanIn fan_in({&recorder}, 2);
  fan_in.member(0).OnShardSnapshots(Shards({0, 1}), EventTime{});
  EXPECT_EQ(recorder.partitions, (std::vector<int>{0, 1}));
  fan_in.member(1).OnShardSnapshots(Shards({2, 3}), EventTime{});
  EXPECT_EQ(recorder.partitions, (std::vector<int>{0, 1, 2, 3}));
  // Shard 1 moved from member 0 to member 1: listed once, and member 0's next report (without
  // it) does not take it away.
  fan_in.member(1).OnShardSnapshots(Shards({1, 2, 3}), EventTime{});
  EXPECT_EQ(recorder.partitions, (std::vector<int>{0, 1, 2, 3}));
  fan_in.member(0).OnShardSnapshots(Shards({0}), EventTime{});
  EXPECT_EQ(recorder.partitions, (std::vector<int>{0, 1, 2, 3}));
  // A member that lost its shards reports none: they are gone.
  fan_in.member(1).OnShardSnapshots({}, EventTime{});
  EXPECT_EQ(recorder.partitions, (std::vector<int>{0}));
}

TEST(ObserverFanIn, CallsFromManyThreadsReachTheObserverOneAtATime) {
  Recorder recorder;
  constexpr int kThreads = 4;
  constexpr int kCalls = 20000;
  ObserverFanIn fan_in({&recorder}, kThreads);
  {
    std::vector<std::jthread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&fan_in, t] {
        RecordTally records;
        records.AddRecord("cx.clicks", nullptr, std::chrono::nanoseconds(1));
        for (int i = 0; i < kCalls; ++i) {
          fan_in.member(t).OnRecordsProcessed(records);
          if (i % 100 == 0) fan_in.member(t).OnCommit(std::chrono::nanoseconds(1), true);
        }
      });
    }
  }
  EXPECT_EQ(recorder.processed, int64_t{kThreads} * kCalls);
  EXPECT_EQ(recorder.commits, int64_t{kThreads} * (kCalls / 100));
}

}  // namespace
}  // namespace cx
