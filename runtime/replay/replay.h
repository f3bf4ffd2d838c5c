#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "processors/rules_config.h"
#include "runtime/replay/line_reader.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/defaults.h"
#include "schemas/event.h"
#include "schemas/result.h"
#include "schemas/signal.h"
#include "state/store/state_store.h"

namespace cx {

// `cxpulse replay` (SPEC §5): reads JSON Lines in file order through one Shard, then advances
// the watermark to the last event time and fires what is due. The same input (and state dir
// contents) gives byte-identical outputs.
struct ReplayOptions {
  // JSON Lines input; "-" reads standard input.
  std::string input;
  // Alerts as JSON Lines; "-" (the default) writes standard output.
  std::string output = "-";
  // Signals as JSON Lines; empty discards them.
  std::string signals;
  // Dead letters as JSON Lines; empty keeps only their count (reported at the end).
  std::string dead_letter;
  // RocksDB state directory kept between runs; empty uses a temporary one removed at exit.
  std::string state_dir;
  // Whether the input file is read through the kernel's page cache (runtime/replay/line_reader.h:
  // by default past it for a file larger than a quarter of the memory).
  InputCaching input_caching = InputCaching::kAuto;
  RulesConfig rules;
  StoreOptions store;
  // Decoded customer states kept in memory in front of RocksDB, and their estimated bytes
  // (CustomerCache; SIZE_MAX: no bound). With a byte bound the replay also commits early when
  // the cache holds more (dirty customers cannot be evicted before their commit).
  size_t cache_customers = kDefaultCacheCustomers;
  size_t cache_bytes = SIZE_MAX;
  // Processing threads: the customers are split into this many slices by their id's hash, each
  // processed by a shard on a thread of its own (runtime/replay/sliced_shards.h); the outputs are
  // the same for any number. The cache bounds are shared out between them. Ignored (one thread)
  // when a tap below is set.
  size_t threads = 1;
  // Commit (one RocksDB WriteBatch) after this many events, and at the end.
  uint64_t commit_every_events = kDefaultCommitEveryEvents;
  // Events timestamped further than this ahead of the wall clock are dead letters.
  Duration max_future = kDefaultMaxFuture;
  // Log a progress line to stderr at most this often (0 disables), starting with this word.
  Duration progress_every = Duration::Seconds(5);
  std::string progress_label = "replay";
  // Optional taps, called on the replay's thread in processing order: every event applied to
  // its customer's state (not dead letters, not repeated event_ids), after the signals it
  // caused; and every signal emitted (whether or not --signals writes it).
  std::function<void(const Event&)> on_event_applied;
  std::function<void(const Signal&)> on_signal;
};

struct ReplaySummary {
  uint64_t lines = 0;
  uint64_t events_applied = 0;
  uint64_t duplicates = 0;
  uint64_t dead_letters = 0;
  uint64_t signals = 0;
  uint64_t alerts = 0;
  uint64_t customers_in_cache = 0;
  double seconds = 0;
  // Lines before this one were processed by an earlier run on the state dir (a resume after
  // the last commit of an interrupted run, or the rest of an input that grew); 0 from the start.
  uint64_t started_after_line = 0;
};

// Runs a replay and returns what it did, or the one-line reason it failed: a bad input path,
// an unusable state dir, an output write failure, or an input the state dir refuses (see
// PlanReplayStart; a usage() error: exit 2). Bad lines are not errors: they go to the dead
// letters.
//
// Exactly once with a state dir: each commit writes the outputs out, then the state with the
// input position and the outputs' lengths (runtime/replay/replay_checkpoint.h). A run killed
// at any point and run again with the same input resumes after its last commit, the outputs
// truncated to the committed lengths; the outputs then equal those of an uninterrupted run. An
// input already replayed into the state dir is refused, or, when it is a longer copy (data
// appended), continued after the lines replayed before.
[[nodiscard]] Result<ReplaySummary> RunReplay(const ReplayOptions& options, const Clock& clock);

}  // namespace cx
