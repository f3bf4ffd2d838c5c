// consume_ceiling BOOTSTRAP EXPECTED TOPIC... — the librdkafka ceiling for bench/live_bench.py:
// reads every partition of the given topics from the beginning, read_committed, with no
// processing at all (only the payload lengths are summed), until EXPECTED
// records arrived or every partition reported end-of-log. Prints one line of key=value pairs:
// records, bytes, seconds (first record to last), records_per_s, mb_per_s, wall_seconds (from
// the subscribe call, including connection and metadata).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};

bool Set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char error[256];
  if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "consume_ceiling: %s: %s\n", name, error);
    return false;
  }
  return true;
}

double SecondsBetween(std::chrono::steady_clock::time_point from,
                      std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: consume_ceiling BOOTSTRAP EXPECTED TOPIC...\n");
    return 2;
  }
  const std::string bootstrap = argv[1];
  const long long expected = std::atoll(argv[2]);
  std::vector<std::string> topics(argv + 3, argv + argc);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::string group =
      "consume-ceiling-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  if (!Set(conf, "bootstrap.servers", bootstrap) || !Set(conf, "group.id", group) ||
      !Set(conf, "isolation.level", "read_committed") ||
      !Set(conf, "enable.auto.commit", "false") || !Set(conf, "enable.partition.eof", "true") ||
      !Set(conf, "auto.offset.reset", "earliest")) {
    rd_kafka_conf_destroy(conf);
    return 2;
  }
  char error[512];
  std::unique_ptr<rd_kafka_t, KafkaDeleter> rk(
      rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error)));
  if (!rk) {
    std::fprintf(stderr, "consume_ceiling: %s\n", error);
    return 1;
  }
  const auto wall_start = std::chrono::steady_clock::now();

  // Manual assignment of every partition from the beginning: no group rebalance in the timing.
  std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter> assignment(
      rd_kafka_topic_partition_list_new(16));
  for (const std::string& topic : topics) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* raw = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, handle, &raw, 10000);
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "consume_ceiling: metadata of %s: %s\n", topic.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
    std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw);
    if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "consume_ceiling: no topic %s\n", topic.c_str());
      return 1;
    }
    for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(),
                                        metadata->topics[0].partitions[i].id)
          ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "consume_ceiling: assign: %s\n", rd_kafka_err2str(err));
    return 1;
  }

  const int partitions = assignment->cnt;
  int at_end = 0;
  long long records = 0;
  long long bytes = 0;
  std::chrono::steady_clock::time_point first{};
  std::chrono::steady_clock::time_point last{};
  while (records < expected && at_end < partitions) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk.get(), 1000);
    if (message == nullptr) {
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "consume_ceiling: %s\n", rd_kafka_message_errstr(message));
    } else {
      if (records == 0) {
        first = std::chrono::steady_clock::now();
      }
      ++records;
      bytes += static_cast<long long>(message->len);
      last = std::chrono::steady_clock::now();
    }
    rd_kafka_message_destroy(message);
  }
  const double seconds = SecondsBetween(first, last);
  const double wall = SecondsBetween(wall_start, last);
  std::printf(
      "records=%lld bytes=%lld seconds=%.3f records_per_s=%.0f mb_per_s=%.1f wall_seconds=%.3f\n",
      records, bytes, seconds, seconds > 0 ? static_cast<double>(records) / seconds : 0.0,
      seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0.0, wall);
  rd_kafka_consumer_close(rk.get());
  return records >= expected ? 0 : 1;
}
