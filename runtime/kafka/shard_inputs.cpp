#include "runtime/kafka/shard_inputs.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace cx {
namespace {

// Records pulled from one partition queue at a time.
constexpr size_t kFillBatch = 1000;

}  // namespace

void ShardInputs::Attach(size_t input, rd_kafka_queue_t* queue, rd_kafka_t* consumer,
                         std::string topic, int32_t partition) {
  rd_kafka_queue_forward(queue, nullptr);
  Input& in = inputs_[input];
  in.source.reset(queue);
  in.consumer = consumer;
  in.topic = std::move(topic);
  in.partition = partition;
  in.arrivals = ArrivalTimes();
}

void ShardInputs::ObserveHighWatermark(Input& input, MonotonicTime now) {
  int64_t low = 0;
  int64_t high = -1;
  if (input.consumer != nullptr &&
      rd_kafka_get_watermark_offsets(input.consumer, input.topic.c_str(), input.partition, &low,
                                     &high) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    input.arrivals.Observe(high, now);
  }
}

void ShardInputs::Enqueue(size_t input, KafkaMessage message) {
  std::deque<Queued>& records = inputs_[input].records;
  auto pos = std::upper_bound(
      records.begin(), records.end(), message->offset,
      [](int64_t offset, const Queued& queued) { return offset < queued.message->offset; });
  inputs_[input].at_end = false;
  const int64_t timestamp_ms = rd_kafka_message_timestamp(message.get(), nullptr);
  // Fetched before the partition queue was detached, right after the assignment: a backlog.
  records.insert(pos, Queued{std::move(message), MonotonicTime{}, timestamp_ms});
}

bool ShardInputs::Fill(bool& got_record, MonotonicTime now) {
  bool pulled = false;
  rd_kafka_message_t* batch[kFillBatch];
  for (Input& input : inputs_) {
    if (!input.source) continue;
    if (observe_arrivals_) ObserveHighWatermark(input, now);
    if (!input.records.empty()) continue;
    ssize_t n = rd_kafka_consume_batch_queue(input.source.get(), 0, batch, kFillBatch);
    for (ssize_t i = 0; i < n; ++i) {
      KafkaMessage message(batch[i]);
      pulled = true;
      input.answered = true;
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!input.at_end) {
          input.at_end_since = now;
        }
        input.at_end = true;
      } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::debug("kafka: consumer: {}", rd_kafka_err2str(message->err));
      } else {
        got_record = true;
        input.at_end = false;
        const MonotonicTime arrived =
            observe_arrivals_ ? input.arrivals.KnownSince(message->offset, now) : MonotonicTime{};
        const int64_t timestamp_ms = rd_kafka_message_timestamp(message.get(), nullptr);
        input.records.push_back(Queued{std::move(message), arrived, timestamp_ms});
      }
    }
  }
  return pulled;
}

int ShardInputs::Next(int64_t implausible_after_ms, MonotonicTime now) {
  std::array<InputHead, kInputs> heads;
  for (size_t i = 0; i < kInputs; ++i) {
    const Input& input = inputs_[i];
    heads[i].has_record = !input.records.empty();
    heads[i].timestamp_ms = heads[i].has_record ? input.records.front().timestamp_ms : 0;
    heads[i].arrived = heads[i].has_record ? input.records.front().arrived : MonotonicTime{};
    heads[i].at_end = input.at_end;
    heads[i].at_end_since = input.at_end_since;
    heads[i].answered = input.answered;
  }
  return merger_.Next(heads, implausible_after_ms, now);
}

KafkaMessage ShardInputs::Pop(int input) {
  std::deque<Queued>& records = inputs_[static_cast<size_t>(input)].records;
  KafkaMessage message = std::move(records.front().message);
  records.pop_front();
  return message;
}

}  // namespace cx
