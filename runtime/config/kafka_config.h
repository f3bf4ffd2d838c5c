#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/shard/defaults.h"
#include "schemas/time.h"

namespace cx {

enum class ProcessingGuarantee : uint8_t {
  kExactlyOnce,  // Kafka transactions: outputs, changelog and input offsets commit together
  kAtLeastOnce,  // no transactions; after a crash alerts may repeat, always with the same id
};

// Topic names (the `kafka.topics:` section).
struct TopicNames {
  std::string clicks = "cx.clicks";
  std::string calls = "cx.calls";
  std::string chats = "cx.chats";
  std::string surveys = "cx.surveys";
  std::string signals = "cx.signals";
  std::string alerts = "cx.alerts";
  std::string dead_letter = "cx.deadletter";
  // Compacted; one partition per shard; the source of truth for state.
  std::string changelog = "cxpulse-changelog";

  bool operator==(const TopicNames&) const = default;
};

// The `kafka:` section: the live processor (`cxpulse run`).
struct KafkaConfig {
  // Comma-separated host:port list.
  std::string bootstrap_servers = "127.0.0.1:9092";
  // Consumer group of all instances; also prefixes the transactional id.
  std::string group_id = "cxpulse";
  // Static membership (group.instance.id), e.g. the pod name; empty = dynamic membership.
  // The environment variable CXPULSE_INSTANCE_ID, when set, overrides it.
  std::string instance_id;
  ProcessingGuarantee processing = ProcessingGuarantee::kExactlyOnce;
  // How often a transaction (or, at least once, an offset commit) closes.
  Duration commit_interval = Duration::Millis(100);
  // Exactly-once: an alert is readable once its transaction commits. When the processor has
  // caught up (its last turn found no input record waiting) and the open transaction holds an
  // alert consumed at least this long ago, the transaction commits without waiting for
  // commit_interval; a processor working through a backlog keeps commit_interval's batches.
  // 0 disables it (commits every commit_interval only); at most commit_interval.
  Duration alert_commit_wait = Duration::Millis(20);
  // A shard that received no event for this long follows the wall clock with its watermark,
  // so deadlines fire without traffic. 0 disables.
  Duration idle_watermark_after = Duration::Seconds(5);
  // Within a shard the four input topics are merged in record-timestamp order; while one of
  // them has no record buffered and has not reached its end, the merge waits at most this long
  // before it goes on without it (after an assignment, at least 10 s for the first fetch).
  Duration max_merge_wait = Duration::Seconds(2);
  // The same wait for an input that has reached its end (nothing more in Kafka when last asked).
  // 0 (the default, like Kafka Streams' max.task.idle.ms) processes the other inputs at once:
  // lowest latency, but a burst that reaches a caught-up processor on one topic slightly before
  // the others may be applied partly in arrival order. Set it (e.g. 500ms) when bursts of
  // replayed history must merge strictly by timestamp.
  Duration idle_input_wait = Duration::Millis(0);
  // Events stamped further than this ahead of the wall clock are dead letters.
  Duration max_future = kDefaultMaxFuture;
  // How long `run` waits at start for the brokers to answer (cluster metadata) before it exits 1.
  Duration startup_timeout = Duration::Seconds(15);
  // Transaction timeout the broker enforces (a crashed instance's open transaction blocks
  // read_committed readers at most this long).
  Duration transaction_timeout = Duration::Seconds(10);
  // Memory of the group consumer: each shard takes the records of its input partitions out of
  // librdkafka as they arrive, copies them and pauses a partition once it holds this many KiB of
  // them, resuming it at half (ShardInputs); librdkafka's own queue per partition is bounded by
  // the same figure (queued.max.messages.kbytes; its default of 64 MiB per partition held most
  // of a backlog in memory). One fetch response carries at most fetch_max_kb KiB
  // (fetch.max.bytes). librdkafka keeps a whole response in memory while any record of it is
  // alive, and one response carries records of every partition fetched from that broker: left
  // in librdkafka's queues, the records of a sparse input (surveys) waiting for the merge kept
  // the responses they came in alive with all their other records (at 4096, 64 MiB of
  // responses against 16 MiB queued; bench/RESULTS.md, "Memory breakdown"). Copied out, they
  // keep nothing else alive: the consumer holds ≈ prefetch_kb × input partitions of records,
  // which cxpulse_memory_bytes{part="kafka_fetch_queues"} counts (peak RSS of a 100 k-customer
  // drain 0.86× of what it was with the records left in librdkafka; bench/RESULTS.md, "Input
  // records out of librdkafka's responses"). fetch_max_kb 1024 is the least librdkafka accepts
  // (fetch.max.bytes ≥ message.max.bytes, 1 MB).
  // prefetch_kb sets how fast a backlog drains as well: a queue that runs dry before librdkafka
  // refills it makes the processor wait (see fetch_wait for when it refills). Draining 100 k
  // customers (16 input partitions, quiet 2-core machine) with fetch_wait 25 ms, one thread:
  // 2048 → 213–341 k events/s at 341–359 MiB peak RSS, 4096 → 259–299 k at 393–412 MiB; with
  // librdkafka's 500 ms fetch wait 4096 gave 207–246 k at 361–393 MiB (bench/RESULTS.md, "The
  // fetch wait"; older figures under "Consumer prefetch").
  uint64_t prefetch_kb = 2048;
  uint64_t fetch_max_kb = 1024;
  // How long the broker may hold a fetch for partitions with nothing new (fetch.wait.max.ms).
  // librdkafka 2.0.2 keeps one fetch in flight per broker and decides which partitions to fetch
  // again (those whose queue fell below prefetch_kb) only when it wakes, i.e. mostly when that
  // fetch returns: with librdkafka's 500 ms, the long poll for caught-up or sparse partitions
  // (surveys, calls) held back the refill of the busy ones (clicks), whose queues ran dry for
  // 0.3–0.6 s at a time while the processor waited. 25 ms (with prefetch_kb 2048) drained a
  // 100 k-customer backlog 1.1–1.5× faster (bench/RESULTS.md, "The fetch wait" and "The whole
  // drain bench with the new defaults"); a caught-up consumer then sends an
  // empty fetch every 25 ms per broker. A record arriving for a waiting fetch is returned at once
  // either way.
  Duration fetch_wait = Duration::Millis(25);
  TopicNames topics;
  // librdkafka properties for every client (security.protocol, sasl.*, ssl.*, ...). Values may
  // use ${ENV_VAR} to read secrets from the environment.
  std::vector<std::pair<std::string, std::string>> properties;
  // Extra properties for the consumer only and for the producer only.
  std::vector<std::pair<std::string, std::string>> consumer_properties;
  std::vector<std::pair<std::string, std::string>> producer_properties;

  bool operator==(const KafkaConfig&) const = default;
};

// The `http:` section (SPEC §6).
struct HttpConfig {
  // Address and port of the one HTTP listener (/metrics, /healthz, /readyz, /customers, /alerts,
  // /).
  std::string listen = "0.0.0.0:9464";
  // When non-empty, /customers/{id} requires "Authorization: Bearer <token>". Supports
  // ${ENV_VAR}; the environment variable CXPULSE_HTTP_TOKEN, when set, overrides it.
  std::string bearer_token;
  // Alerts kept in memory for /alerts and the outreach page.
  int recent_alerts = 500;
  // "host:port" at which the other instances reach this processor's listener: carried in its
  // group consumer's client.id, so /customers/{id} on any instance can forward to the owner of
  // the customer's partition. Supports ${ENV_VAR} (e.g. ${POD_IP}:9464). Empty = the host of
  // `listen` (or this machine's hostname when it listens on every address) and the bound port.
  std::string advertised_address;

  bool operator==(const HttpConfig&) const = default;
};

}  // namespace cx
