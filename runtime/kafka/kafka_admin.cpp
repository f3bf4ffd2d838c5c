#include "runtime/kafka/kafka_admin.h"

#include <chrono>
#include <memory>
#include <thread>

#include "runtime/kafka/kafka_handles.h"

namespace cx {
namespace {

struct AdminDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

// True when the cluster metadata lists `name` with `partitions` partitions, each with a leader.
bool TopicReady(rd_kafka_t* client, const std::string& name, int partitions, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  if (rd_kafka_metadata(client, 1, nullptr, &raw, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  KafkaMetadata metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (name != topic.topic) continue;
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR || topic.partition_cnt < partitions) return false;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      if (topic.partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR || topic.partitions[p].leader < 0) {
        return false;
      }
    }
    return true;
  }
  return false;
}

}  // namespace

bool DescribeTopics(rd_kafka_t* client, int timeout_ms, TopicPartitionCounts& counts,
                    std::string& error) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("cannot read cluster metadata: ") + rd_kafka_err2str(err);
    return false;
  }
  KafkaMetadata metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      counts[topic.topic] = topic.partition_cnt;
    }
  }
  return true;
}

bool CreateTopic(rd_kafka_t* client, const std::string& name, int partitions, bool compacted,
                 int timeout_ms, std::string& error) {
  char errstr[512];
  std::unique_ptr<rd_kafka_NewTopic_t, AdminDeleter> topic(
      rd_kafka_NewTopic_new(name.c_str(), partitions, -1, errstr, sizeof(errstr)));
  if (!topic) {
    error = "cannot describe topic " + name + ": " + errstr;
    return false;
  }
  if (compacted) {
    rd_kafka_NewTopic_set_config(topic.get(), "cleanup.policy", "compact");
  }
  std::unique_ptr<rd_kafka_queue_t, AdminDeleter> queue(rd_kafka_queue_new(client));
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminDeleter> options(
      rd_kafka_AdminOptions_new(client, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(client, topics, 1, options.get(), queue.get());
  std::unique_ptr<rd_kafka_event_t, AdminDeleter> event(
      rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!event) {
    error = "timed out creating topic " + name;
    return false;
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "cannot create topic " + name + ": " + rd_kafka_event_error_string(event.get());
    return false;
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      error = "cannot create topic " + name + ": " + rd_kafka_err2str(err);
      return false;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!TopicReady(client, name, partitions, timeout_ms)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      error = "topic " + name + " was created but its partitions have no leader yet";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

bool CreateCompactedTopic(rd_kafka_t* client, const std::string& name, int partitions,
                          int timeout_ms, std::string& error) {
  return CreateTopic(client, name, partitions, true, timeout_ms, error);
}

}  // namespace cx
