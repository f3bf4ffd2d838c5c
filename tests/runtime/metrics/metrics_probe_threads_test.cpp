#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/metrics/metrics_probe.h"
#include "tests/runtime/metrics/prometheus_sample.h"

namespace cx {
namespace {

// The processing thread reports while the HTTP thread serializes (MetricsProbe's contract):
// shards and lag series come and go, topics are added, the status changes. Under
// ThreadSanitizer (tools/sanitize.sh thread) this is the probe's race check; here the counts
// must still add up.
TEST(MetricsProbeThreads, SerializeWhileTheProcessingThreadReports) {
  LiveStatus status;
  MetricsProbe probe(&status);
  std::atomic<bool> done{false};
  std::atomic<int> serialized{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::string text = probe.Serialize();
      EXPECT_NE(text.find("cxpulse_ready"), std::string::npos);
      ++serialized;
    }
  });
  constexpr int kRounds = 300;
  Event call;
  call.type = EventType::kCall;
  call.action = Action::kQueued;
  call.customer_id = "c-1";
  for (int i = 0; i < kRounds; ++i) {
    const std::string topic = "t" + std::to_string(i % 12);  // past kMaxTopics: "other"
    RecordTally records;
    records.AddRecord(topic, &call, std::chrono::microseconds(10));
    records.AddApplied(call);
    probe.OnRecordsProcessed(records);
    probe.OnCommit(std::chrono::milliseconds(1), i % 7 != 0);
    std::vector<ShardSnapshot> shards;
    for (int p = 0; p < 1 + i % 4; ++p) {  // shards assigned and revoked
      ShardSnapshot shard;
      shard.partition = p;
      shard.cache_hits = static_cast<uint64_t>(i);
      shards.push_back(shard);
    }
    probe.OnShardSnapshots(shards, EventTime::FromMillis(1000 + i));
    probe.OnConsumerLag({{"t.clicks", i % 3, i}, {"t.calls", i % 5, -1}});
    probe.OnRebalance(static_cast<int>(shards.size()));
    status.ready = i % 2 == 0;
  }
  while (serialized.load() < 3) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_commits_total{result=\"committed\"}"),
            kRounds - (kRounds + 6) / 7);
}

}  // namespace
}  // namespace cx
