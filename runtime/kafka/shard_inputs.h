#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/kafka/arrival_times.h"
#include "runtime/kafka/input_merger.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/shard/clock.h"

namespace cx {

// A record of an input partition, copied out of librdkafka's message (which is destroyed at
// once: librdkafka keeps a whole fetch response, with every record of every partition in it, in
// memory while any one of its records is alive).
struct InputRecord {
  std::string bytes;  // the key's bytes, then the value's
  uint32_t key_size = 0;
  bool has_key = false;
  int64_t offset = 0;

  [[nodiscard]] std::optional<std::string_view> key() const {
    if (!has_key) return std::nullopt;
    return std::string_view(bytes).substr(0, key_size);
  }
  [[nodiscard]] std::string_view value() const { return std::string_view(bytes).substr(key_size); }
};

// The four input topic-partitions of one shard (clicks, calls, chats, surveys): librdkafka's
// queue for each, detached from the consumer queue so the merge pulls exactly the input it
// needs, the records taken from it but not processed yet, and the merge across them
// (InputMerger). Single-threaded: the processing thread owns it.
//
// Records are taken from librdkafka as soon as they arrive and copied (InputRecord); an input
// that holds `queue_bytes` of keys and values is paused (rd_kafka_pause_partitions: librdkafka
// stops fetching it, and drops what it fetched after the last Fill to fetch it again after the
// resume) and resumed once it holds half of that. An input may hold more than `queue_bytes` by
// what librdkafka had fetched when it was paused (up to its own queued.max.messages.kbytes). Left
// in librdkafka's queue, the records of a sparse input waiting for the merge kept alive every fetch
// response they came in: ≈ 230 MiB of a 100 k-customer drain's heap (bench/RESULTS.md, "Input
// records out of librdkafka's responses").
class ShardInputs {
 public:
  static constexpr size_t kInputs = 4;

  ShardInputs(MergeWaits waits, size_t queue_bytes)
      : merger_(waits), observe_arrivals_(waits.idle.count() > 0), queue_bytes_(queue_bytes) {}
  // Resumes the inputs it paused (their consumer must still exist).
  ~ShardInputs();
  ShardInputs(const ShardInputs&) = delete;
  ShardInputs& operator=(const ShardInputs&) = delete;

  // Takes over `queue` (librdkafka's queue of input `input`, partition `partition` of `topic`,
  // of `consumer`) and detaches it from the consumer queue. `consumer` must outlive the queue.
  // Resumes the partition (a pause outlives the assignment it was made in).
  void Attach(size_t input, rd_kafka_queue_t* queue, rd_kafka_t* consumer, std::string topic,
              int32_t partition);
  // Queues a record that came through the consumer queue (fetched before its partition queue
  // was detached), in offset order with the ones pulled from the partition queue.
  void Enqueue(size_t input, KafkaMessage message);
  // Pulls what librdkafka has buffered for every input, and pauses or resumes inputs by what
  // they hold. Returns true when anything was pulled; sets
  // `got_record` when that included a record. `now` stamps an input's
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
  [[nodiscard]] InputRecord Pop(int input);
  [[nodiscard]] bool Empty(int input) const {
    return inputs_[static_cast<size_t>(input)].records.empty();
  }
  // The topic and partition of `input` (as attached).
  [[nodiscard]] const std::string& topic(int input) const {
    return inputs_[static_cast<size_t>(input)].topic;
  }
  [[nodiscard]] int32_t partition(int input) const {
    return inputs_[static_cast<size_t>(input)].partition;
  }
  // Bytes (keys and values) of the records held, all inputs.
  [[nodiscard]] size_t queued_bytes() const;

 private:
  struct QueueDeleter {
    void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  };
  struct Queued {
    InputRecord record;
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
    size_t bytes = 0;              // of the records' InputRecord::bytes
    bool paused = false;           // by Fill, with rd_kafka_pause_partitions
    bool at_end = false;           // the partition reported end-of-log and nothing arrived since
    MonotonicTime at_end_since{};  // when it reported that end
    bool answered = false;         // anything (a record or end-of-log) came since the assignment
  };

  // Notes the partition's high watermark as the consumer's last fetch saw it.
  static void ObserveHighWatermark(Input& input, MonotonicTime now);
  // Pauses (true) or resumes the input's partition in its consumer; false when librdkafka
  // refused (the input then stays as it was, and Fill tries again).
  static bool SetPaused(Input& input, bool paused);
  // `message`'s key and value, copied.
  static InputRecord CopyRecord(const rd_kafka_message_t& message);

  std::array<Input, kInputs> inputs_;
  InputMerger merger_;
  bool observe_arrivals_;  // only the idle wait reads InputHead::arrived
  size_t queue_bytes_;     // per input: paused at this, resumed at half
};

}  // namespace cx
