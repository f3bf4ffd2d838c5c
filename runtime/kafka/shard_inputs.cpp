#include "runtime/kafka/shard_inputs.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace cx {
namespace {

// Records pulled from one partition queue at a time.
constexpr size_t kFillBatch = 1000;

}  // namespace

void ShardInputs::Attach(size_t input, rd_kafka_queue_t* queue) {
  rd_kafka_queue_forward(queue, nullptr);
  inputs_[input].source.reset(queue);
}

void ShardInputs::Enqueue(size_t input, KafkaMessage message) {
  std::deque<KafkaMessage>& records = inputs_[input].records;
  auto pos = std::upper_bound(
      records.begin(), records.end(), message->offset,
      [](int64_t offset, const KafkaMessage& queued) { return offset < queued->offset; });
  inputs_[input].at_end = false;
  records.insert(pos, std::move(message));
}

bool ShardInputs::Fill(bool& got_record, MonotonicTime now) {
  bool pulled = false;
  rd_kafka_message_t* batch[kFillBatch];
  for (Input& input : inputs_) {
    if (!input.records.empty() || !input.source) continue;
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
        input.records.push_back(std::move(message));
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
    heads[i].timestamp_ms =
        heads[i].has_record ? rd_kafka_message_timestamp(input.records.front().get(), nullptr) : 0;
    heads[i].at_end = input.at_end;
    heads[i].at_end_since = input.at_end_since;
    heads[i].answered = input.answered;
  }
  return merger_.Next(heads, implausible_after_ms, now);
}

KafkaMessage ShardInputs::Pop(int input) {
  std::deque<KafkaMessage>& records = inputs_[static_cast<size_t>(input)].records;
  KafkaMessage message = std::move(records.front());
  records.pop_front();
  return message;
}

}  // namespace cx
