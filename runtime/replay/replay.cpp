#include "runtime/replay/replay.h"

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "runtime/replay/decoded_lines.h"
#include "runtime/replay/input_file_view.h"
#include "runtime/replay/jsonl_file.h"
#include "runtime/replay/line_reader.h"
#include "runtime/replay/replay_checkpoint.h"
#include "runtime/replay/temporary_directory.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "runtime/shard/thread_name.h"
#include "schemas/decoder.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

// Lines (and fired timers) between two looks at the time for the progress line.
constexpr uint64_t kProgressCheckEvery = 4096;
// Lines decoded ahead of the one processed, and the stage of Shard::PrefetchCustomer each of
// them gets: the customer of the furthest line its index entries, then its state, and the next
// line's its windows, so that each stage finds what the one before loaded an event earlier.
constexpr size_t kDecodeAhead = 3;
constexpr std::array<std::pair<size_t, Shard::PrefetchStage>, kDecodeAhead> kPrefetchAhead = {{
    {3, Shard::PrefetchStage::kIndex},
    {2, Shard::PrefetchStage::kState},
    {1, Shard::PrefetchStage::kWindows},
}};
// With a byte-bounded customer cache, the fewest events between the commits its size forces
// (a commit lets the cache evict what it holds beyond the bound).
constexpr uint64_t kMinEventsPerBudgetCommit = 10000;

// Writes a replay's outputs as JSON Lines; missing outputs are counted only.
class FileSink final : public EmissionSink {
 public:
  FileSink(JsonLinesFile* alerts, JsonLinesFile* signals, JsonLinesFile* dead_letters,
           const std::function<void(const Signal&)>& tap)
      : alerts_(alerts), signals_(signals), dead_letters_(dead_letters), tap_(tap) {}

  void OnSignal(const Signal& signal) override {
    if (tap_) {
      tap_(signal);
    }
    if (signals_ != nullptr) {
      AppendSignalJson(signal, signals_->buffer());
      signals_->EndLine();
    }
  }
  void OnAlert(const Alert& alert) override {
    if (alerts_ != nullptr) {
      AppendAlertJson(alert, alerts_->buffer());
      alerts_->EndLine();
    }
  }
  void OnDeadLetter(const DeadLetter& dead_letter) override {
    ++dead_letter_count_;
    if (dead_letters_ != nullptr) {
      AppendDeadLetterJson(dead_letter, dead_letters_->buffer());
      dead_letters_->EndLine();
    }
  }
  [[nodiscard]] uint64_t dead_letter_count() const { return dead_letter_count_; }

 private:
  JsonLinesFile* alerts_;
  JsonLinesFile* signals_;
  JsonLinesFile* dead_letters_;
  const std::function<void(const Signal&)>& tap_;
  uint64_t dead_letter_count_ = 0;
};

int64_t OutputKind(const std::string& path) {
  return path.empty() ? kOutputNone : path == "-" ? kOutputStdout : 0;
}

// Opens an output as `start` says: created (or truncated), or continued after its committed
// length; null when not asked for (no path). Failing to continue an output is refused (usage):
// the state would not match the outputs.
Result<std::unique_ptr<JsonLinesFile>> OpenOutput(const std::string& path, const ReplayStart& start,
                                                  ReplayOutput which) {
  if (path.empty()) {
    return std::unique_ptr<JsonLinesFile>();
  }
  int64_t committed = start.outputs[static_cast<size_t>(which)];
  if (start.kind != ReplayStart::Kind::kResume) {
    return JsonLinesFile::Open(path);
  }
  Result<std::unique_ptr<JsonLinesFile>> file =
      committed >= 0 ? JsonLinesFile::OpenAt(path, static_cast<uint64_t>(committed))
                     : JsonLinesFile::Open(path);
  if (!file) {
    return Err::Usage(file.error().message());
  }
  return file;
}

// The replay's checkpoints in the store's meta.
struct Checkpoints {
  std::optional<ReplayCheckpoint> checkpoint;
  std::vector<InputMark> consumed;
};

Result<Checkpoints> ReadCheckpoints(StateStore& store) {
  Checkpoints read;
  std::string value;
  StoreResult result = store.GetMeta(kReplayCheckpointKey, value);
  if (result.IsOk()) {
    read.checkpoint.emplace();
    if (!DecodeCheckpoint(value, *read.checkpoint)) {
      return Err("the state dir has a replay checkpoint this version cannot read");
    }
  }
  if (!result.IsError()) {
    result = store.GetMeta(kReplayConsumedKey, value);
  }
  if (result.IsOk() && !DecodeConsumed(value, read.consumed)) {
    return Err("the state dir has a list of replayed inputs this version cannot read");
  }
  if (result.IsError()) {
    return Err(result.message());
  }
  return read;
}

// Closes every output; the last write error, if any.
Result<void> CloseAll(std::initializer_list<JsonLinesFile*> files) {
  Result<void> closed = Ok();
  for (JsonLinesFile* file : files) {
    if (file == nullptr) {
      continue;
    }
    if (Result<void> result = file->Close(); !result) {
      closed = result;
    }
  }
  return closed;
}

// Commits a replay exactly once: the outputs are written out first, then the shard's changes
// and the checkpoint (input position, output lengths) go to the store in one WriteBatch. A
// kill between the two leaves output bytes past the checkpoint, which a resume truncates.
// The WriteBatch runs on a thread of its own while processing goes on (Shard::WriteBatch); the
// cache may evict the written customers once Poll or Finish has seen it done.
class ReplayCommitter {
 public:
  ReplayCommitter(Shard& shard, const InputFileView& input, std::vector<InputMark> consumed,
                  bool sync, const std::array<int64_t, kReplayOutputs>& kinds,
                  std::initializer_list<JsonLinesFile*> outputs)
      : shard_(shard),
        input_(input),
        consumed_(std::move(consumed)),
        sync_(sync),
        kinds_(kinds),
        outputs_(outputs) {}
  ~ReplayCommitter() { (void)Finish(); }
  ReplayCommitter(const ReplayCommitter&) = delete;
  ReplayCommitter& operator=(const ReplayCommitter&) = delete;

  // Starts committing what was processed so far: the input up to byte `offset`, the end of line
  // `line` (the last line processed; the reader may have read further ahead). Finishes the
  // commit before first, if one is still being written. The outputs are written out here; the
  // store's write goes on on another thread.
  [[nodiscard]] Result<void> Start(uint64_t offset, uint64_t line) {
    return Begin(offset, line, false);
  }
  // Completes the commit being written when its write has ended; does not wait. Its error, if
  // it failed.
  [[nodiscard]] Result<void> Poll() {
    if (in_flight_ != nullptr && in_flight_->done.load(std::memory_order_acquire)) {
      return Finish();
    }
    return Ok();
  }
  // Waits for the commit being written, if any, and completes it: the cache may evict what it
  // wrote. Its error, if it failed.
  [[nodiscard]] Result<void> Finish() {
    if (in_flight_ == nullptr) {
      return Ok();
    }
    in_flight_->thread.join();
    Result<void> written = std::move(in_flight_->written);
    in_flight_.reset();
    if (written) {
      shard_.OnBatchWritten();
    }
    return written;
  }
  // Commits and waits for it (Start + Finish); `finished` at the end of the input, after the
  // final watermark advance: the input is then listed as replayed.
  [[nodiscard]] Result<void> Commit(uint64_t offset, uint64_t line, bool finished) {
    if (Result<void> begun = Begin(offset, line, finished); !begun) {
      return begun;
    }
    return Finish();
  }

 private:
  // A commit from Begin to Finish.
  struct InFlight {
    Result<void> written = Ok();
    std::atomic<bool> done{false};
    std::thread thread;
  };

  [[nodiscard]] Result<void> Begin(uint64_t offset, uint64_t line, bool finished) {
    if (Result<void> before = Finish(); !before) {
      return before;
    }
    ReplayCheckpoint checkpoint;
    checkpoint.finished = finished;
    for (size_t i = 0; i < kReplayOutputs; ++i) {
      JsonLinesFile* file = outputs_[i];
      if (file != nullptr) {
        if (Result<void> flushed = file->Flush(sync_); !flushed) {
          return flushed;
        }
      }
      checkpoint.outputs[i] = kinds_[i] < 0 ? kinds_[i] : static_cast<int64_t>(file->bytes());
    }
    Result<InputMark> mark = input_.Mark(offset, line);
    if (!mark) {
      return mark.error();
    }
    checkpoint.input = std::move(mark).value();
    shard_.TakeCommitBatch(batch_);
    batch_.PutMeta(kReplayCheckpointKey, EncodeCheckpoint(checkpoint));
    if (finished) {
      std::erase_if(consumed_, [&](const InputMark& mark) { return input_.Holds(mark); });
      consumed_.push_back(checkpoint.input);
      batch_.PutMeta(kReplayConsumedKey, EncodeConsumed(consumed_));
    }
    in_flight_ = std::make_unique<InFlight>();
    InFlight& commit = *in_flight_;
    commit.thread = std::thread([this, &commit] {
      NameThisThread("cx-commit");
      commit.written = shard_.WriteBatch(batch_);
      commit.done.store(true, std::memory_order_release);
    });
    return Ok();
  }

  Shard& shard_;
  const InputFileView& input_;
  std::vector<InputMark> consumed_;
  bool sync_;
  std::array<int64_t, kReplayOutputs> kinds_;
  std::vector<JsonLinesFile*> outputs_;
  StoreBatch batch_;  // the batch being written while in_flight_
  std::unique_ptr<InFlight> in_flight_;
};
}  // namespace

Result<ReplaySummary> RunReplay(const ReplayOptions& options, const Clock& clock) {
  auto started = std::chrono::steady_clock::now();
  ReplaySummary summary;
  Result<std::unique_ptr<InputFileView>> input = InputFileView::Open(options.input);
  if (!input) {
    return input.error();
  }
  Result<std::unique_ptr<LineReader>> reader = LineReader::Open(options.input);
  if (!reader) {
    return reader.error();
  }

  TemporaryDirectory temporary;
  std::string state_dir = options.state_dir;
  if (state_dir.empty()) {
    if (Result<void> created = temporary.Create("cxpulse-replay"); !created) {
      return created.error();
    }
    state_dir = temporary.path();
  }
  StoreOptions store_options = options.store;
  store_options.path = ShardStatePath(state_dir, 0);
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(store_options);
  if (!store) {
    return store.error();
  }
  Result<Checkpoints> checkpoints = ReadCheckpoints(**store);
  if (!checkpoints) {
    return checkpoints.error();
  }
  const std::array<int64_t, kReplayOutputs> kinds{
      OutputKind(options.output), OutputKind(options.signals), OutputKind(options.dead_letter)};
  ReplayStart start =
      PlanReplayStart(checkpoints->checkpoint, checkpoints->consumed, **input, state_dir, kinds);
  if (start.kind == ReplayStart::Kind::kRefuse) {
    return Err::Usage(start.message);
  }
  std::array<std::unique_ptr<JsonLinesFile>, kReplayOutputs> outputs;
  const std::array<const std::string*, kReplayOutputs> paths{&options.output, &options.signals,
                                                             &options.dead_letter};
  for (size_t i = 0; i < kReplayOutputs; ++i) {
    Result<std::unique_ptr<JsonLinesFile>> output =
        OpenOutput(*paths[i], start, static_cast<ReplayOutput>(i));
    if (!output) {
      return output.error();
    }
    outputs[i] = std::move(output).value();
  }
  JsonLinesFile* alerts = outputs[static_cast<size_t>(ReplayOutput::kAlerts)].get();
  JsonLinesFile* signals = outputs[static_cast<size_t>(ReplayOutput::kSignals)].get();
  JsonLinesFile* dead_letters = outputs[static_cast<size_t>(ReplayOutput::kDeadLetters)].get();
  if (start.kind != ReplayStart::Kind::kFresh) {
    if (Result<void> skipped = (*reader)->SkipTo(start.offset, start.line); !skipped) {
      return skipped.error();
    }
    summary.started_after_line = start.line;
    spdlog::info("replay: {} after line {} of the input ({})",
                 start.kind == ReplayStart::Kind::kResume ? "resuming" : "continuing", start.line,
                 start.kind == ReplayStart::Kind::kResume
                     ? "the last commit of the interrupted run"
                     : "the lines before were replayed into this state dir already");
  }
  FileSink sink(alerts, signals, dead_letters, options.on_signal);
  Shard shard(0, options.rules, std::move(store).value(), options.cache_customers, sink,
              options.cache_bytes);
  if (Result<void> restored = shard.Restore(); !restored) {
    return restored.error();
  }
  ReplayCommitter committer(shard, **input, std::move(checkpoints->consumed),
                            options.store.sync_commits, kinds, {alerts, signals, dead_letters});

  DecodedLines lines(std::move(reader).value(), kDecodeAhead,
                     [&clock, &options] { return clock.Now() + options.max_future; });
  uint64_t since_commit = 0;
  auto last_progress = started;
  uint64_t progress_found = 0;  // the cache's counts at the last progress line
  uint64_t progress_lookups = 0;
  for (;;) {
    Result<const DecodedLine*> next = lines.Next();
    if (!next) {
      return next.error().Prefixed("cannot read " + options.input);
    }
    const DecodedLine* line = *next;
    if (line == nullptr) {
      break;
    }
    for (const auto& [distance, stage] : kPrefetchAhead) {
      if (const DecodedLine* ahead = lines.Peek(distance); ahead != nullptr && ahead->ok) {
        shard.PrefetchCustomer(ahead->event.customer_id, stage);
      }
    }
    ++summary.lines;
    if (summary.lines % kProgressCheckEvery == 0) {
      auto now = std::chrono::steady_clock::now();
      if (options.progress_every.ms > 0 &&
          now - last_progress >= std::chrono::milliseconds(options.progress_every.ms)) {
        double secs = std::chrono::duration<double>(now - started).count();
        const CacheStats cache = shard.cache().Stats();
        const uint64_t found = cache.hits + cache.packed_hits;
        const uint64_t lookups = found + cache.misses - progress_lookups;
        spdlog::info(
            "{}: {} lines, {:.0f} lines/s, {} dead letters, {} alerts, {} customers "
            "in memory ({} packed, {} MiB estimated, {:.1f} % of lookups found there since the "
            "last line), {} timers pending",
            options.progress_label, summary.lines, summary.lines / secs, sink.dead_letter_count(),
            shard.stats().alerts, cache.size, cache.packed, cache.bytes >> 20,
            lookups == 0 ? 0.0
                         : 100.0 * static_cast<double>(found - progress_found) /
                               static_cast<double>(lookups),
            shard.pending_timers());
        progress_found = found;
        progress_lookups = found + cache.misses;
        last_progress = now;
      }
    }
    if (!line->ok) {
      sink.OnDeadLetter(
          MakeDeadLetter(line->text, line->why,
                         FileSource{options.input, static_cast<int64_t>(line->line_number)}));
      continue;
    }
    const Event& event = line->event;
    const uint64_t duplicates_before = shard.stats().duplicates;
    if (Result<void> processed = shard.Process(event); !processed) {
      return processed.error().Prefixed("state store failure");
    }
    if (options.on_event_applied && shard.stats().duplicates == duplicates_before) {
      options.on_event_applied(event);
    }
    if (Result<void> written = committer.Poll(); !written) {
      return written.error();
    }
    if (++since_commit >= options.commit_every_events ||
        shard.DirtyCount() >= options.cache_customers ||
        (since_commit >= kMinEventsPerBudgetCommit &&
         shard.cache().Bytes() > options.cache_bytes)) {
      if (Result<void> started = committer.Start(line->end_offset, line->line_number); !started) {
        return started.error();
      }
      since_commit = 0;
    }
  }
  // The end of the input closes every window: nearly every customer's timer fires. Commit on
  // the way whenever the changed customers reach the cache's bounds, so that it can evict.
  const uint64_t fired_before = shard.stats().timer_firings;
  bool commit_failed = false;
  auto commit_when_full = [&]() -> Result<void> {
    const uint64_t fired = shard.stats().timer_firings - fired_before;
    if (options.progress_every.ms > 0 && fired % kProgressCheckEvery == 0) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress >= std::chrono::milliseconds(options.progress_every.ms)) {
        spdlog::info("{}: end of input, {} timers fired, {} pending, {} alerts",
                     options.progress_label, fired, shard.pending_timers(), shard.stats().alerts);
        last_progress = now;
      }
    }
    Result<void> committed = committer.Poll();
    if (committed && (shard.DirtyCount() >= options.cache_customers ||
                      (shard.DirtyCount() >= kMinEventsPerBudgetCommit &&
                       shard.cache().Bytes() > options.cache_bytes))) {
      committed = committer.Start(lines.end().offset, lines.end().line);
    }
    commit_failed = !committed;
    return committed;
  };
  if (Result<void> advanced = shard.AdvanceWatermark(shard.max_event_time(), commit_when_full);
      !advanced) {
    return commit_failed ? advanced.error() : advanced.error().Prefixed("state store failure");
  }
  if (Result<void> committed = committer.Commit(lines.end().offset, lines.end().line, true);
      !committed) {
    return committed.error();
  }
  if (Result<void> closed = CloseAll({alerts, signals, dead_letters}); !closed) {
    return closed.error();
  }

  const ShardStats& stats = shard.stats();
  summary.events_applied = stats.events_applied;
  summary.duplicates = stats.duplicates;
  summary.dead_letters = sink.dead_letter_count();
  summary.signals = stats.signals;
  summary.alerts = stats.alerts;
  summary.customers_in_cache = shard.cache().Size();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace cx
