#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/kafka/record_tally.h"
#include "schemas/alert.h"
#include "schemas/decode_error.h"
#include "schemas/event.h"
#include "schemas/signal.h"
#include "state/store/store_stats.h"

namespace cx {

// Per-shard gauges sampled on the processing thread about once a second.
struct ShardSnapshot {
  int partition = 0;
  EventTime watermark;
  EventTime max_event_time;
  size_t pending_timers = 0;
  size_t cached_customers = 0;   // decoded or packed
  size_t packed_customers = 0;   // of those, packed (CustomerCache, "Packed entries")
  bool packing = true;           // whether packing pays (CustomerCache, "Packing pays")
  size_t cache_bytes = 0;        // their estimated memory (CustomerCache::Bytes)
  size_t input_queue_bytes = 0;  // input records taken from librdkafka, not processed yet
  uint64_t cache_hits = 0;       // found in memory, decoded or packed
  uint64_t cache_misses = 0;
  // Changelog restore of this shard: records replayed so far and in total (0 when none).
  int64_t restore_done = 0;
  int64_t restore_total = 0;
  StoreStats store;
};

// Consumer lag of one input partition, from librdkafka statistics (-1 when unknown).
struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t lag = -1;
  // Bytes of fetched records librdkafka holds in this partition's queue (fetchq_size), not yet
  // handed to the application.
  int64_t queued_bytes = 0;
};

// What the live processor reports as it works: the metrics probes implement it. Every call
// comes from the processing thread, synchronously; implementations must be cheap (no I/O, no
// blocking) and must not call back into the processor. No customer ids go to labels.
class LiveObserver {
 public:
  virtual ~LiveObserver() = default;
  // The input records consumed since the last call, and the signals emitted meanwhile inside
  // the open transaction (not yet visible to read_committed readers); never empty. Once per
  // processing turn (at most a few hundred records per assigned shard) rather than per record
  // or signal: RecordTally.
  virtual void OnRecordsProcessed(const RecordTally& /*records*/) {}
  virtual void OnDeadLetter(DecodeError /*error*/) {}
  // An alert became visible (its transaction committed). `alert_json` is the alert as its
  // topic holds it (schemas/json_writer.h AppendAlertJson, formatted once for the topic and
  // every observer). `event_to_alert` is wall clock at the commit minus the wall clock at which
  // the triggering input record was consumed.
  virtual void OnAlertCommitted(const Alert& /*alert*/, std::string_view /*alert_json*/,
                                std::chrono::nanoseconds /*event_to_alert*/) {}
  // One commit cycle: how long the transaction (or flush + offset commit) took, and whether it
  // committed (false = rolled back).
  virtual void OnCommit(std::chrono::nanoseconds /*duration*/, bool /*committed*/) {}
  virtual void OnRebalance(int /*assigned_shards*/) {}
  // Periodic gauges (about once a second), and consumer lag when librdkafka reports it.
  virtual void OnShardSnapshots(const std::vector<ShardSnapshot>& /*shards*/,
                                EventTime /*wall_clock*/) {}
  virtual void OnConsumerLag(const std::vector<PartitionLag>& /*lags*/) {}
};

}  // namespace cx
