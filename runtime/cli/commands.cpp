#include "runtime/cli/commands.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/config/processing_threads.h"
#include "runtime/shard/customer_lookup.h"
#include "runtime/shard/state_json.h"
#include "state/store/state_store.h"
#include "state/store/store_memory.h"

namespace cx {

void ApplyConfig(const AppConfig& config, ReplayOptions& options) {
  options.rules = config.rules;
  options.store = config.state.store;
  options.cache_customers = config.state.cache_customers;
  // state.memory_mb as in `run`: 3/4 for the customer cache, 1/4 for one RocksDB block cache
  // that also holds the memtables.
  options.cache_bytes = config.state.CustomerCacheBytes();
  if (config.state.memory_mb > 0) {
    options.store.shared_memory = std::make_shared<StoreMemory>(config.state.RocksdbSharedBytes());
  }
  options.commit_every_events = config.state.commit_every_events;
  options.threads = static_cast<size_t>(AvailableProcessingThreads(config.processing.threads));
}

int RunReplayCommand(ReplayOptions options, const AppConfig& config, const Clock& clock) {
  if (options.input != "-" && !std::filesystem::is_regular_file(options.input)) {
    return UsageError("replay", "--input: no such file: " + options.input);
  }
  ApplyConfig(config, options);
  Result<ReplaySummary> replayed = RunReplay(options, clock);
  if (!replayed) {
    const Err& error = replayed.error();
    std::fprintf(stderr, "cxpulse: replay %s: %s\n", error.usage() ? "refused" : "failed",
                 error.message().c_str());
    return error.usage() ? kExitUsage : kExitFailure;
  }
  const ReplaySummary& summary = *replayed;
  double rate = summary.seconds > 0 ? summary.lines / summary.seconds : 0;
  spdlog::info(
      "replay done: {} lines, {} events applied, {} duplicates, {} dead letters, {} signals, "
      "{} alerts in {:.2f} s ({:.0f} lines/s)",
      summary.lines, summary.events_applied, summary.duplicates, summary.dead_letters,
      summary.signals, summary.alerts, summary.seconds, rate);
  if (summary.dead_letters > 0 && options.dead_letter.empty()) {
    spdlog::warn("{} lines were rejected; pass --dead-letter FILE to keep them with their reasons",
                 summary.dead_letters);
  }
  return kExitOk;
}

int RunStateGetCommand(const StateGetFlags& flags, const AppConfig& config) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(flags.state_dir, ec)) {
    if (!entry.is_directory() || entry.path().filename().string().rfind("shard-", 0) != 0) {
      continue;
    }
    StoreOptions options = config.state.store;
    options.min_free_bytes = 0;  // only reads: works on a full disk too
    options.path = entry.path().string();
    options.create_if_missing = false;
    Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
    if (!store) {
      std::fprintf(stderr, "cxpulse: %s\n", store.error().message().c_str());
      return kExitFailure;
    }
    CustomerState state;
    Result<CustomerLookup> found = ReadStoredCustomer(**store, flags.customer_id, state);
    if (!found) {
      std::fprintf(stderr, "cxpulse: %s\n", found.error().message().c_str());
      return kExitFailure;
    }
    if (*found == CustomerLookup::kNotFound) {
      continue;
    }
    if (*found == CustomerLookup::kCorrupt) {
      std::fprintf(stderr, "cxpulse: the stored state of this customer is corrupt\n");
      return kExitFailure;
    }
    std::string json;
    AppendCustomerStateJson(flags.customer_id, state, config.rules, state.last_activity, json);
    std::printf("%s\n", json.c_str());
    return kExitOk;
  }
  if (ec) {
    std::fprintf(stderr, "cxpulse: cannot read state dir %s: %s\n", flags.state_dir.c_str(),
                 ec.message().c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "cxpulse: no state for that customer in %s\n", flags.state_dir.c_str());
  return kExitFailure;
}

}  // namespace cx
