// rate_producer BOOTSTRAP FILE TOPIC_PREFIX RATE SENT_LOG — the fixed-rate producer of
// bench/live_bench.py's latency step. Loads the generated JSON Lines file (valid events only),
// routes each line like tests/integration/produce_jsonl.py (topic by `type`, key `customer_id`,
// murmur2 partitioner, record timestamp = `ts`), then produces line i at start + i / RATE.
// SENT_LOG gets one line per record: `customer_id ts_ms produce_call_unix_ns`. Prints one line
// of key=value pairs: records, seconds, rate, max_behind_ms (worst lag behind the schedule).
#include <librdkafka/rdkafka.h>

#include <simdjson.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "schemas/timestamp.h"

namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};

struct Record {
  int topic = 0;
  std::string key;
  int64_t ts_ms = 0;
  std::string line;
};

constexpr std::array<const char*, 4> kTypes = {"click", "call", "chat", "survey"};
constexpr std::array<const char*, 4> kTopics = {"cx.clicks", "cx.calls", "cx.chats", "cx.surveys"};

bool Set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char error[256];
  if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "rate_producer: %s: %s\n", name, error);
    return false;
  }
  return true;
}

bool Load(const char* path, std::vector<Record>& records) {
  std::ifstream in(path);
  if (!in) {
    return false;
  }
  simdjson::ondemand::parser parser;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      continue;
    }
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    std::string_view type, customer, ts;
    if (parser.iterate(padded).get(doc) || doc["type"].get_string().get(type) ||
        doc["customer_id"].get_string().get(customer) || doc["ts"].get_string().get(ts)) {
      std::fprintf(stderr, "rate_producer: line %zu is not a generated event\n", records.size());
      return false;
    }
    Record record;
    record.topic = -1;
    for (size_t i = 0; i < kTypes.size(); ++i) {
      if (type == kTypes[i]) {
        record.topic = static_cast<int>(i);
      }
    }
    cx::EventTime time;
    if (record.topic < 0 || !cx::ParseRfc3339(ts, time)) {
      std::fprintf(stderr, "rate_producer: line %zu: bad type or ts\n", records.size());
      return false;
    }
    record.key = std::string(customer);
    record.ts_ms = time.ms;
    record.line = std::move(line);
    records.push_back(std::move(record));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: rate_producer BOOTSTRAP FILE TOPIC_PREFIX RATE SENT_LOG\n");
    return 2;
  }
  const double rate = std::atof(argv[4]);
  std::vector<Record> records;
  if (rate <= 0 || !Load(argv[2], records)) {
    std::fprintf(stderr, "rate_producer: cannot load %s (or RATE <= 0)\n", argv[2]);
    return 2;
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (!Set(conf, "bootstrap.servers", argv[1]) || !Set(conf, "partitioner", "murmur2_random") ||
      !Set(conf, "linger.ms", "5") || !Set(conf, "enable.idempotence", "true") ||
      !Set(conf, "queue.buffering.max.messages", "1000000")) {
    rd_kafka_conf_destroy(conf);
    return 2;
  }
  char error[512];
  std::unique_ptr<rd_kafka_t, KafkaDeleter> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (!rk) {
    std::fprintf(stderr, "rate_producer: %s\n", error);
    return 1;
  }
  std::array<std::string, 4> topics;
  for (size_t i = 0; i < topics.size(); ++i) {
    topics[i] = std::string(argv[3]) + kTopics[i];
  }
  std::vector<int64_t> sent_ns(records.size());
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  double max_behind = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const Clock::time_point due =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(i) / rate));
    const Clock::time_point now = Clock::now();
    if (now < due) {
      std::this_thread::sleep_until(due);
    } else {
      max_behind = std::max(max_behind, std::chrono::duration<double>(now - due).count());
    }
    Record& r = records[i];
    while (true) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(topics[static_cast<size_t>(r.topic)].c_str()),
          RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
          RD_KAFKA_V_VALUE(r.line.data(), r.line.size()), RD_KAFKA_V_TIMESTAMP(r.ts_ms),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk.get(), 1);
        continue;
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::fprintf(stderr, "rate_producer: %s\n", rd_kafka_err2str(err));
        return 1;
      }
      break;
    }
    sent_ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    rd_kafka_poll(rk.get(), 0);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (rd_kafka_flush(rk.get(), 60000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "rate_producer: flush timed out\n");
    return 1;
  }
  std::FILE* log = std::fopen(argv[5], "w");
  if (log == nullptr) {
    return 1;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    std::fprintf(log, "%s %lld %lld\n", records[i].key.c_str(),
                 static_cast<long long>(records[i].ts_ms), static_cast<long long>(sent_ns[i]));
  }
  std::fclose(log);
  std::printf("records=%zu seconds=%.3f rate=%.0f max_behind_ms=%.1f\n", records.size(), seconds,
              static_cast<double>(records.size()) / seconds, 1000 * max_behind);
  return 0;
}
