#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "outreach/routing.h"
#include "processors/rules_config.h"
#include "reasons/reason_labels.h"
#include "runtime/config/kafka_config.h"
#include "runtime/config/notify_config.h"
#include "runtime/config/outreach_config.h"
#include "runtime/shard/defaults.h"
#include "schemas/result.h"
#include "state/store/store_options.h"

namespace cx {

// The `state:` section: where and how per-customer state is kept.
struct StateConfig {
  // Directory holding one RocksDB store per shard (`run`; replay uses --state-dir). The
  // container image's volume.
  std::string dir = "/var/lib/cxpulse";
  // Decoded customer states kept in memory per process, in front of RocksDB.
  uint64_t cache_customers = kDefaultCacheCustomers;
  // `run` and `replay`: the memory budget of the state per process, MiB, over every shard it
  // holds: three quarters bound the customer cache by its estimated bytes (as well as by
  // cache_customers), one quarter is RocksDB's, one block cache shared by all shards that also
  // holds their memtables (StoreMemory; block_cache_mb is then unused). 0 (the default) = no
  // budget: the cache is bounded by cache_customers only and every shard's store has its own block
  // cache of block_cache_mb.
  uint64_t memory_mb = kDefaultMemoryMb;
  // Replay commits (one RocksDB WriteBatch) after this many events.
  uint64_t commit_every_events = kDefaultCommitEveryEvents;
  // RocksDB options (path is set per shard).
  StoreOptions store;

  // The customer cache's bytes (all shards; SIZE_MAX without a budget) and RocksDB's (0 without).
  [[nodiscard]] size_t CustomerCacheBytes() const {
    return memory_mb == 0 ? SIZE_MAX : static_cast<size_t>(memory_mb << 20) / 4 * 3;
  }
  [[nodiscard]] size_t RocksdbSharedBytes() const {
    return static_cast<size_t>(memory_mb << 20) / 4;
  }

  bool operator==(const StateConfig&) const = default;
};

// The `processing:` section: how `cxpulse run` uses the cores of its machine.
struct ProcessingConfig {
  // Processing threads (runtime/config/processing_threads.h): each one its own consumer group
  // member with its own transactional producer and its own shards (partitions). 0 = as many as
  // the cores available (the cgroup CPU limit on Kubernetes, else the machine's cores).
  // Default 0 (the cores available): the soak (integration.soak: kill -9s, a broker restart and a
  // second instance under the strict merge) passes with two threads (RELIABILITY.md, "Soak").
  int threads = 0;

  bool operator==(const ProcessingConfig&) const = default;
};

// The `reasons:` section (SPEC §9): the contact reasons counted by name in
// cxpulse_contacts_total / cxpulse_repeat_contacts_total and in `cxpulse reasons`.
struct ReasonsConfig {
  // Reasons kept as label values, in report order; any other reason (or none) is "other". At
  // most 49 (50 label values with "other"), each 1-64 bytes, no control characters, no repeats.
  std::vector<std::string> known = DefaultReasons();

  bool operator==(const ReasonsConfig&) const = default;
};

// The whole configuration file (YAML). Every section and key is optional; absent keys keep
// the defaults below, which are those of config/cxpulse.yaml. Unknown keys are errors.
struct AppConfig {
  RulesConfig rules;
  StateConfig state;
  ProcessingConfig processing;
  KafkaConfig kafka;
  HttpConfig http;
  OutreachConfig outreach;
  ReasonsConfig reasons;
  // `routes:` (SPEC §8) and `notify:`, the notifiers' endpoints and delivery settings.
  RoutingConfig routing;
  NotifyConfig notify;

  bool operator==(const AppConfig&) const = default;
};

// Replaces every ${NAME} in `text` with the environment variable NAME. An error when a
// variable is not set.
[[nodiscard]] Result<std::string> ExpandEnvironment(std::string_view text);

// Loads a YAML config file over the defaults in `config`. The error holds every problem, one
// line each (separated by '\n'), each naming the file and the key path, e.g.
// "config.yaml: rules.sla.call_target: expected a duration such as 500ms, 20s, 5m, 72h or 7d".
// Unknown keys come with the closest known one ("...: unknown key; did you mean dir?"), and a
// key given twice in one mapping is an error. The environment overrides (CXPULSE_HTTP_TOKEN)
// are applied here, so load empty text to get the defaults with them.
[[nodiscard]] Result<void> LoadConfigFile(const std::string& path, AppConfig& config);
// The same for YAML text; `origin` names it in errors.
[[nodiscard]] Result<void> LoadConfigText(std::string_view yaml, std::string_view origin,
                                          AppConfig& config);

}  // namespace cx
