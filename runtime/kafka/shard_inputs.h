#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "runtime/kafka/arrival_times.h"
#include "runtime/kafka/input_merger.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/shard/clock.h"

namespace cx {

// The four input topic-partitions of one shard (clicks, calls, chats, surveys): librdkafka's
// queue for each, detached from the consumer queue so the merge pulls exactly the input it
// needs, the records taken from it but not processed yet, and the merge across them
// (InputMerger). Single-threaded: the processing thread owns it.
class ShardInputs {
 public:
  static constexpr size_t kInputs = 4;

  explicit ShardInputs(MergeWaits waits)
      : merger_(waits), observe_arrivals_(waits.idle.count() > 0) {}

  // Takes over `queue` (librdkafka's queue of input `input`, partition `partition` of `topic`,
  // of `consumer`) and detaches it from the consumer queue. `consumer` must outlive the queue.
  void Attach(size_t input, rd_kafka_queue_t* queue, rd_kafka_t* consumer, std::string topic,
              int32_t partition);
  // Queues a record that came through the consumer queue (fetched before its partition queue
  // was detached), in offset order with the ones pulled from the partition queue.
  void Enqueue(size_t input, KafkaMessage message);
  // Pulls what librdkafka has buffered for every input whose records ran out. Returns true when
  // anything was pulled; sets `got_record` when that included a record. `now` stamps an input's
  // report of its end (InputHead::at_end_since). With an idle wait (the strict merge) every call
  // also notes each input's high watermark as of `now`, which dates the records pulled
  // (InputHead::arrived: when each was first known to be on the broker, ArrivalTimes).
  bool Fill(bool& got_record, MonotonicTime now);

  // The input whose first record is next in the merge, or InputMerger::kNone (nothing queued,
  // or the merge waits for an input that is behind). See InputMerger::Next.
  [[nodiscard]] int Next(int64_t implausible_after_ms, MonotonicTime now);
  // The record the last Next() returned passed a lagging input (InputMerger::overtook).
  [[nodiscard]] bool overtook() const { return merger_.overtook(); }
  // Takes the first record of `input` (Next() returned it).
  [[nodiscard]] KafkaMessage Pop(int input);
  [[nodiscard]] bool Empty(int input) const {
    return inputs_[static_cast<size_t>(input)].records.empty();
  }

 private:
  struct QueueDeleter {
    void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  };
  struct Queued {
    KafkaMessage message;
    MonotonicTime arrived;     // InputHead::arrived
    int64_t timestamp_ms = 0;  // the record's timestamp, read once (Next compares every head)
  };
  struct Input {
    std::unique_ptr<rd_kafka_queue_t, QueueDeleter> source;
    rd_kafka_t* consumer = nullptr;
    std::string topic;
    int32_t partition = 0;
    ArrivalTimes arrivals;
    std::deque<Queued> records;
    bool at_end = false;           // the partition reported end-of-log and nothing arrived since
    MonotonicTime at_end_since{};  // when it reported that end
    bool answered = false;         // anything (a record or end-of-log) came since the assignment
  };

  // Notes the partition's high watermark as the consumer's last fetch saw it.
  static void ObserveHighWatermark(Input& input, MonotonicTime now);

  std::array<Input, kInputs> inputs_;
  InputMerger merger_;
  bool observe_arrivals_;  // only the idle wait reads InputHead::arrived
};

}  // namespace cx
