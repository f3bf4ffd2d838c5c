#include "runtime/kafka/kafka_admin.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_handles.h"

namespace cx {
namespace {

// While the brokers do not answer at start (up to kafka.startup_timeout): each metadata request
// waits between these bounds, attempts repeat this often, and a progress line is logged first
// after kFirstBrokerWaitReport, then every kBrokerWaitReportEvery.
constexpr int64_t kBrokerAttemptMinMs = 100;
constexpr int64_t kBrokerAttemptMaxMs = 1000;
constexpr auto kBrokerRetryEvery = std::chrono::milliseconds(200);
constexpr auto kFirstBrokerWaitReport = std::chrono::seconds(1);
constexpr auto kBrokerWaitReportEvery = std::chrono::seconds(5);
// How often a rewind asks again for committed offsets that came back with a partition error.
constexpr auto kRewindRetryEvery = std::chrono::milliseconds(200);
// The longest single attempt at the committed offsets when a stop may end the waiting.
constexpr int64_t kStoppableAttemptMs = 5000;
// How often a created topic's metadata is read again until every partition has a leader.
constexpr auto kTopicReadyRetryEvery = std::chrono::milliseconds(100);

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

Result<TopicPartitionCounts> DescribeTopics(rd_kafka_t* client, int timeout_ms) {
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 1, nullptr, &raw, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot read cluster metadata: ") + rd_kafka_err2str(err));
  }
  KafkaMetadata metadata(raw);
  TopicPartitionCounts counts;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      counts[topic.topic] = topic.partition_cnt;
    }
  }
  return counts;
}

Result<void> CreateTopic(rd_kafka_t* client, const std::string& name, int partitions,
                         bool compacted, int timeout_ms, const Clock& clock) {
  char errstr[512];
  std::unique_ptr<rd_kafka_NewTopic_t, AdminDeleter> topic(
      rd_kafka_NewTopic_new(name.c_str(), partitions, -1, errstr, sizeof(errstr)));
  if (!topic) {
    return Err("cannot describe topic " + name + ": " + errstr);
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
    return Err("timed out creating topic " + name);
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err("cannot create topic " + name + ": " + rd_kafka_event_error_string(event.get()));
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return Err("cannot create topic " + name + ": " + rd_kafka_err2str(err));
    }
  }
  MonotonicTime deadline = clock.Monotonic() + std::chrono::milliseconds(timeout_ms);
  while (!TopicReady(client, name, partitions, timeout_ms)) {
    if (clock.Monotonic() >= deadline) {
      return Err("topic " + name + " was created but its partitions have no leader yet");
    }
    std::this_thread::sleep_for(kTopicReadyRetryEvery);
  }
  return Ok();
}

Result<void> CreateCompactedTopic(rd_kafka_t* client, const std::string& name, int partitions,
                                  int timeout_ms, const Clock& clock) {
  return CreateTopic(client, name, partitions, true, timeout_ms, clock);
}

Result<int> CheckLiveTopics(rd_kafka_t* client, const KafkaConfig& kafka, const Clock& clock,
                            int timeout_ms, std::chrono::milliseconds appear_within,
                            std::chrono::milliseconds retry_every) {
  TopicPartitionCounts counts;
  const TopicNames& t = kafka.topics;
  std::string missing;
  MonotonicTime give_up = clock.Monotonic() + appear_within;
  for (;;) {
    missing.clear();
    Result<TopicPartitionCounts> described = DescribeTopics(client, timeout_ms);
    if (!described) {
      return described.error();
    }
    counts = std::move(described).value();
    for (const std::string* name :
         {&t.clicks, &t.calls, &t.chats, &t.surveys, &t.signals, &t.alerts, &t.dead_letter}) {
      if (counts.find(*name) == counts.end()) {
        missing += (missing.empty() ? "" : ", ") + *name;
      }
    }
    if (missing.empty() || clock.Monotonic() >= give_up) {
      break;
    }
    std::this_thread::sleep_for(retry_every);
  }
  if (!missing.empty()) {
    return Err("missing topics on " + kafka.bootstrap_servers + ": " + missing +
               " (create them first)");
  }
  int inputs = counts[t.clicks];
  for (const std::string* name : {&t.calls, &t.chats, &t.surveys}) {
    if (counts[*name] != inputs) {
      return Err("input topics are not co-partitioned: " + t.clicks + " has " +
                 std::to_string(inputs) + " partitions but " + *name + " has " +
                 std::to_string(counts[*name]) + "; all four must have the same count");
    }
  }
  auto changelog = counts.find(t.changelog);
  if (changelog == counts.end()) {
    spdlog::info("run: creating changelog topic {} ({} partitions, compacted)", t.changelog,
                 inputs);
    if (Result<void> created = CreateCompactedTopic(client, t.changelog, inputs, timeout_ms, clock);
        !created) {
      return created.error();
    }
    return inputs;
  }
  if (changelog->second < inputs) {
    return Err("changelog topic " + t.changelog + " has " + std::to_string(changelog->second) +
               " partitions, fewer than the " + std::to_string(inputs) + " input partitions");
  }
  return inputs;
}

std::string AccessFailureMessage(const KafkaConfig& kafka, const std::string& failure) {
  return fmt::format(
      "cannot connect to broker {} (check kafka.properties: security.protocol, ssl.*, sasl.*): {}",
      kafka.bootstrap_servers, failure);
}

Result<void> WaitForBrokers(rd_kafka_t* client, const KafkaConfig& kafka, const Clock& clock,
                            const std::atomic<bool>& stop, const AccessFailure& access) {
  const MonotonicTime started = clock.Monotonic();
  const MonotonicTime give_up = started + std::chrono::milliseconds(kafka.startup_timeout.ms);
  MonotonicTime next_report = started + kFirstBrokerWaitReport;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - clock.Monotonic());
    int attempt_ms = static_cast<int>(
        std::clamp<int64_t>(left.count(), kBrokerAttemptMinMs, kBrokerAttemptMaxMs));
    Result<TopicPartitionCounts> described = DescribeTopics(client, attempt_ms);
    if (described) {
      if (next_report > started + kFirstBrokerWaitReport) {
        spdlog::info("run: broker {} answered", kafka.bootstrap_servers);
      }
      return Ok();
    }
    ServeCallbacks(client);
    if (std::string failure = access.First(); !failure.empty()) {
      return Err(AccessFailureMessage(kafka, failure));
    }
    MonotonicTime now = clock.Monotonic();
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    if (now >= give_up) {
      return Err(fmt::format("no answer from broker {} within {:g} s (kafka.startup_timeout): {}",
                             kafka.bootstrap_servers, kafka.startup_timeout.ms / 1000.0,
                             described.error().message()));
    }
    if (now >= next_report) {
      spdlog::warn("run: waiting for broker {} (metadata for {}, {}, {}, {}), {} s so far",
                   kafka.bootstrap_servers, kafka.topics.clicks, kafka.topics.calls,
                   kafka.topics.chats, kafka.topics.surveys, waited);
      next_report = now + kBrokerWaitReportEvery;
    }
    if (stop.load()) {
      return Err("stopped while waiting for broker " + kafka.bootstrap_servers);
    }
    std::this_thread::sleep_for(kBrokerRetryEvery);
  }
}

bool IsBrokerUnreachable(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__RESOLVE ||
         err == RD_KAFKA_RESP_ERR__WAIT_COORD || err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
         err == RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION ||
         err == RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

std::string FirstPartitionError(const rd_kafka_topic_partition_list_t& offsets) {
  for (int i = 0; i < offsets.cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = offsets.elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return fmt::format("{} [{}]: {}", tp.topic, tp.partition, rd_kafka_err2str(tp.err));
    }
  }
  return {};
}

Result<void> ReadCommittedOffsets(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* partitions,
                                  std::chrono::steady_clock::time_point deadline,
                                  const std::function<bool()>& stop) {
  for (;;) {
    for (int i = 0; i < partitions->cnt; ++i) {
      partitions->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
      partitions->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int64_t wait_ms = std::max<int64_t>(left.count(), kBrokerAttemptMinMs);
    if (stop) {
      wait_ms = std::min<int64_t>(wait_ms, kStoppableAttemptMs);  // so that a stop is seen
    }
    rd_kafka_resp_err_t err = rd_kafka_committed(consumer, partitions, static_cast<int>(wait_ms));
    std::string failed;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      failed = FirstPartitionError(*partitions);
      if (failed.empty()) return Ok();
    } else if (IsBrokerUnreachable(err)) {
      failed = std::string("the group coordinator: ") + rd_kafka_err2str(err);
    } else {
      return Err(std::string("cannot read the committed offsets: ") + rd_kafka_err2str(err));
    }
    if (std::chrono::steady_clock::now() + kRewindRetryEvery >= deadline || (stop && stop())) {
      return Err("cannot read the committed offsets: " + failed);
    }
    spdlog::debug("run: committed offset of {}; asking again", failed);
    std::this_thread::sleep_for(kRewindRetryEvery);
  }
}

int SeekPartitionsTimeoutArg(int timeout_ms, int librdkafka_version) {
  constexpr int kUnitFixedIn = 0x02010000;  // librdkafka 2.1.0 (#4230)
  if (librdkafka_version >= kUnitFixedIn || timeout_ms <= 0) {
    return timeout_ms;
  }
  constexpr int kMaxMs = std::numeric_limits<int>::max() / 1000;
  return std::min(timeout_ms, kMaxMs) * 1000;
}

Result<void> RewindToCommitted(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* assigned,
                               int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (Result<void> read = ReadCommittedOffsets(consumer, assigned, deadline); !read) {
    return read;
  }
  for (int i = 0; i < assigned->cnt; ++i) {
    if (assigned->elems[i].offset < 0) {
      assigned->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  // A seek that failed for one partition (the call itself succeeds; the partition's error is in
  // its element) leaves that partition's fetch position where it was, past the rolled-back
  // records: they would be skipped. It is asked again; one that keeps failing fails the rewind.
  std::vector<int64_t> targets(static_cast<size_t>(assigned->cnt));
  for (int i = 0; i < assigned->cnt; ++i) {
    targets[static_cast<size_t>(i)] = assigned->elems[i].offset;
  }
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 1, timeout_ms));
    KafkaError e(rd_kafka_seek_partitions(consumer, assigned,
                                          SeekPartitionsTimeoutArg(wait_ms, rd_kafka_version())));
    std::string failed;
    if (e && rd_kafka_error_code(e.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      // The seeks were queued and go on; not all were confirmed in time. Asked again: a seek to
      // the same offset once more is harmless, and its reply says whether it took.
      failed = std::string("the seeks (") + rd_kafka_error_string(e.get()) + ")";
    } else if (e) {
      return Err(std::string("cannot rewind the consumer: ") + rd_kafka_error_string(e.get()));
    } else {
      failed = FirstPartitionError(*assigned);
    }
    if (failed.empty()) {
      return Ok();
    }
    if (std::chrono::steady_clock::now() + kRewindRetryEvery >= deadline) {
      return Err("cannot rewind the consumer: " + failed);
    }
    spdlog::warn("run: rewinding {}; asking again", failed);
    std::this_thread::sleep_for(kRewindRetryEvery);
    for (int i = 0; i < assigned->cnt; ++i) {
      assigned->elems[i].offset = targets[static_cast<size_t>(i)];
      assigned->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
    }
  }
}

}  // namespace cx
