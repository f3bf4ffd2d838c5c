#include "runtime/replay/replay.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/replay/decoded_lines.h"
#include "runtime/replay/input_file_view.h"
#include "runtime/replay/jsonl_file.h"
#include "runtime/replay/line_reader.h"
#include "runtime/replay/replay_checkpoint.h"
#include "runtime/replay/replay_committer.h"
#include "runtime/replay/sliced_shards.h"
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
// Further ahead, the decoded line itself is loaded (the fields the stages above read: its first
// cache lines, then its customer id's bytes), a line before they read it: the reading thread wrote
// it batches ago, and waiting on it in the first stage took ≈ 4 % of a replay at 1 M customers.
constexpr size_t kLineAhead = 5;
static_assert(kLineAhead > kDecodeAhead);
// With a byte-bounded customer cache, the fewest events between the commits its size forces
// (a commit lets the cache evict what it holds beyond the bound).
constexpr uint64_t kMinEventsPerBudgetCommit = 10000;
// Lines per step of a replay on several threads: enough that waking the shards is a small part
// of a step, few enough that a small cache's share is not overfilled by a step's changes.
constexpr size_t kMinChunkLines = 64;
constexpr size_t kMaxChunkLines = 4096;
// The most DecodedLines batches in a chunk (batches can be short when input arrives slowly), and
// the batches the reading thread has: two chunks held (one processed, one filled) and some ahead.
constexpr size_t kChunkBatches = kMaxChunkLines / DecodedLines::kLinesPerBatch;
constexpr size_t kSlicedReadBatches = 2 * kChunkBatches + 8;
// The final firing on several threads: timers per step it aims at, and the first and largest
// range of deadlines of a step.
constexpr uint64_t kFiringsPerStep = 8192;
constexpr int64_t kFirstFiringSpanMs = 1000;
constexpr int64_t kMaxFiringSpanMs = int64_t{1} << 42;

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

ShardStats SumStats(const std::vector<Shard*>& shards) {
  ShardStats sum;
  for (const Shard* shard : shards) {
    const ShardStats& stats = shard->stats();
    sum.events_applied += stats.events_applied;
    sum.duplicates += stats.duplicates;
    sum.timer_firings += stats.timer_firings;
    sum.signals += stats.signals;
    sum.alerts += stats.alerts;
    sum.commits += stats.commits;
  }
  return sum;
}

// The progress lines of a replay, at most every ReplayOptions::progress_every.
class Progress {
 public:
  Progress(const ReplayOptions& options, std::chrono::steady_clock::time_point started)
      : options_(options), started_(started), last_(started) {}

  // Whether a line is due now.
  [[nodiscard]] bool Due() {
    const auto now = std::chrono::steady_clock::now();
    if (options_.progress_every.ms <= 0 ||
        now - last_ < std::chrono::milliseconds(options_.progress_every.ms)) {
      return false;
    }
    last_ = now;
    return true;
  }
  // A line while reading the input (call when Due).
  void Lines(uint64_t lines, uint64_t dead_letters, const std::vector<Shard*>& shards) {
    const double secs = std::chrono::duration<double>(last_ - started_).count();
    CacheStats cache;
    size_t pending = 0;
    size_t paused = 0;  // shards whose cache does not pack (CustomerCache, "Packing pays")
    for (Shard* shard : shards) {
      const CacheStats one = shard->cache().Stats();
      paused += one.packing ? 0 : 1;
      cache.hits += one.hits;
      cache.packed_hits += one.packed_hits;
      cache.misses += one.misses;
      cache.size += one.size;
      cache.packed += one.packed;
      cache.bytes += one.bytes;
      pending += shard->pending_timers();
    }
    const uint64_t found = cache.hits + cache.packed_hits;
    const uint64_t lookups = found + cache.misses - lookups_;
    spdlog::info(
        "{}: {} lines, {:.0f} lines/s, {} dead letters, {} alerts, {} customers "
        "in memory ({} packed{}, {} MiB estimated, {:.1f} % of lookups found there since the "
        "last line), {} timers pending",
        options_.progress_label, lines, static_cast<double>(lines) / secs, dead_letters,
        SumStats(shards).alerts, cache.size, cache.packed,
        paused == 0 ? std::string()
        : paused == shards.size()
            ? std::string(", packing paused")
            : fmt::format(", packing paused in {} of {} threads", paused, shards.size()),
        cache.bytes >> 20,
        lookups == 0 ? 0.0
                     : 100.0 * static_cast<double>(found - found_) / static_cast<double>(lookups),
        pending);
    found_ = found;
    lookups_ = found + cache.misses;
  }
  // A line while firing the timers after the last line (call when Due).
  void Firing(uint64_t fired, const std::vector<Shard*>& shards) const {
    size_t pending = 0;
    for (Shard* shard : shards) {
      pending += shard->pending_timers();
    }
    spdlog::info("{}: end of input, {} timers fired, {} pending, {} alerts",
                 options_.progress_label, fired, pending, SumStats(shards).alerts);
  }

 private:
  const ReplayOptions& options_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_;
  uint64_t found_ = 0;  // the caches' counts at the last line
  uint64_t lookups_ = 0;
};

// What the two ways of processing a replay's lines share.
struct ReplayRun {
  const ReplayOptions& options;
  DecodedLines& lines;
  FileSink& sink;  // the outputs of one shard; the dead letters of bad lines in either way
  ReplayCommitter& committer;
  const std::vector<Shard*>& shards;
  ReplaySummary& summary;
  Progress progress;

  void DeadLetter(std::string_view text, const DecodeFailure& why, uint64_t line_number) {
    sink.OnDeadLetter(
        MakeDeadLetter(text, why, FileSource{options.input, static_cast<int64_t>(line_number)}));
  }
  // Whether the customers changed since the last commit fill a cache's share (`events` applied
  // since): the cache can evict them only once committed.
  [[nodiscard]] bool CacheFull(uint64_t events) const {
    const size_t customers = std::max<size_t>(options.cache_customers / shards.size(), 1);
    const size_t bytes =
        options.cache_bytes == SIZE_MAX ? SIZE_MAX : options.cache_bytes / shards.size();
    return std::any_of(shards.begin(), shards.end(), [&](Shard* shard) {
      return shard->DirtyCount() >= customers ||
             (events >= kMinEventsPerBudgetCommit && shard->cache().Bytes() > bytes);
    });
  }
};

// Every line through one shard, in input order; then the final firing.
Result<void> ProcessOnOneShard(ReplayRun& run, Shard& shard) {
  const ReplayOptions& options = run.options;
  ReplaySummary& summary = run.summary;
  uint64_t since_commit = 0;
  for (;;) {
    Result<const DecodedLine*> next = run.lines.Next();
    if (!next) {
      return next.error().Prefixed("cannot read " + options.input);
    }
    const DecodedLine* line = *next;
    if (line == nullptr) {
      break;
    }
    if (const DecodedLine* far = run.lines.Peek(kLineAhead); far != nullptr) {
      PrefetchDecodedLine(*far);
    }
    if (const DecodedLine* near = run.lines.Peek(kLineAhead - 1); near != nullptr) {
      __builtin_prefetch(near->event.customer_id.data());
    }
    for (const auto& [distance, stage] : kPrefetchAhead) {
      if (const DecodedLine* ahead = run.lines.Peek(distance); ahead != nullptr && ahead->ok) {
        shard.PrefetchCustomer(CustomerKey(ahead->event.customer_id, ahead->customer_hash), stage);
      }
    }
    ++summary.lines;
    if (summary.lines % kProgressCheckEvery == 0 && run.progress.Due()) {
      run.progress.Lines(summary.lines, run.sink.dead_letter_count(), run.shards);
    }
    if (!line->ok) {
      run.DeadLetter(line->text, line->why, line->line_number);
      continue;
    }
    const Event& event = line->event;
    const uint64_t duplicates_before = shard.stats().duplicates;
    if (Result<void> processed =
            shard.Process(event, CustomerKey(event.customer_id, line->customer_hash));
        !processed) {
      return processed.error().Prefixed("state store failure");
    }
    if (options.on_event_applied && shard.stats().duplicates == duplicates_before) {
      options.on_event_applied(event);
    }
    if (Result<void> written = run.committer.Poll(); !written) {
      return written.error();
    }
    // A commit that the cache's size forces, only once the one being written is complete (its
    // customers may then leave memory): started before, it would wait for that one, and take
    // only the few customers changed since (bench/RESULTS.md, "Commits forced too early").
    if (++since_commit >= options.commit_every_events ||
        (!run.committer.Writing() && run.CacheFull(since_commit))) {
      if (Result<void> started = run.committer.Start(line->end_offset, line->line_number);
          !started) {
        return started.error();
      }
      since_commit = 0;
    }
  }
  // The end of the input closes every window: nearly every customer's timer fires. Commit on
  // the way whenever the changed customers reach the cache's bounds, so that it can evict.
  const uint64_t fired_before = shard.stats().timer_firings;
  const InputEnd end = run.lines.end();
  bool commit_failed = false;
  auto commit_when_full = [&]() -> Result<void> {
    const uint64_t fired = shard.stats().timer_firings - fired_before;
    if (fired % kProgressCheckEvery == 0 && run.progress.Due()) {
      run.progress.Firing(fired, run.shards);
    }
    Result<void> committed = run.committer.Poll();
    if (committed && run.CacheFull(shard.DirtyCount())) {
      committed = run.committer.Start(end.offset, end.line);
    }
    commit_failed = !committed;
    return committed;
  };
  if (Result<void> advanced = shard.AdvanceWatermark(shard.max_event_time(), commit_when_full);
      !advanced) {
    return commit_failed ? advanced.error() : advanced.error().Prefixed("state store failure");
  }
  return run.committer.Commit(end.offset, end.line, true);
}

// `before` for the next step of the final firing: `span` after the earliest queued deadline
// `next`; Max once that reaches `to` (everything due fires).
EventTime FiringCut(EventTime next, int64_t span, EventTime to) {
  if (next >= to || static_cast<__int128>(to.ms) - next.ms <= span) {
    return EventTime::Max();
  }
  return EventTime::FromMillis(next.ms + span);
}

// Every line through the shards of a SlicedShards, a chunk at a time; then the final firing in
// steps of a range of deadlines. The outputs of a step are written while the next one runs;
// commits come between steps, after the outputs of the steps before.
Result<void> ProcessSliced(ReplayRun& run, SlicedShards& shards,
                           const std::array<JsonLinesFile*, kReplayOutputs>& files) {
  const ReplayOptions& options = run.options;
  ReplaySummary& summary = run.summary;
  // Small enough that a chunk's changed customers do not overfill a small cache.
  const size_t chunk_lines = std::clamp<size_t>(options.cache_customers / shards.size() / 4,
                                                kMinChunkLines, kMaxChunkLines);
  std::array<ReplayChunk, 2> chunks;
  size_t current = 0;
  bool end_of_input = false;
  // Takes up to chunk_lines lines (whole batches, at most kChunkBatches) into `chunk`; no more
  // than are read already once it has some, so that lines arriving slowly on a pipe are
  // processed without waiting for more.
  auto fill = [&](ReplayChunk& chunk) -> Result<void> {
    chunk.Clear(summary.lines);
    while (!end_of_input && chunk.size() < chunk_lines && chunk.batches().size() < kChunkBatches &&
           (chunk.batches().empty() || run.lines.BatchReady())) {
      Result<std::span<const DecodedLine>> batch = run.lines.NextBatch();
      if (!batch) {
        return batch.error().Prefixed("cannot read " + options.input);
      }
      if (batch->empty()) {
        end_of_input = true;
        break;
      }
      chunk.Add(*batch);
      summary.lines += batch->size();
    }
    return Ok();
  };
  // Writes the outputs of the step waited for last and the dead letters of its chunk, if any;
  // then the chunk's lines are released.
  auto write = [&](const ReplayChunk* chunk) {
    if (chunk != nullptr) {
      for (const std::span<const DecodedLine> batch : chunk->batches()) {
        for (const DecodedLine& line : batch) {
          if (!line.ok) {
            run.DeadLetter(line.text, line.why, line.line_number);
          }
        }
      }
    }
    shards.WriteOutputs(files);
    if (chunk != nullptr) {
      for (size_t i = 0; i < chunk->batches().size(); ++i) {
        run.lines.ReleaseOldest();
      }
    }
  };
  const auto failed = [](const Err& error) { return error.Prefixed("state store failure"); };

  if (Result<void> filled = fill(chunks[current]); !filled) {
    return filled.error();
  }
  const ReplayChunk* unwritten = nullptr;  // the chunk whose outputs are still to be written
  uint64_t since_commit = 0;
  while (!chunks[current].batches().empty()) {
    const ReplayChunk& chunk = chunks[current];
    shards.StartChunk(chunk);
    if (unwritten != nullptr) {
      write(unwritten);
      unwritten = nullptr;
    }
    Result<void> filled = fill(chunks[1 - current]);
    if (Result<void> done = shards.Wait(); !done) {
      return failed(done.error());
    }
    if (!filled) {
      return filled.error();
    }
    since_commit += chunk.size();
    // As on one thread (ProcessOnOneShard), and once the shards have seen the last commit
    // complete: its customers may leave memory at their next step (OnBatchWritten).
    const bool was_writing = run.committer.Writing();
    if (Result<void> written = run.committer.Poll(); !written) {
      return written.error();
    }
    if (run.progress.Due()) {
      run.progress.Lines(chunk.first_position() + chunk.size(), run.sink.dead_letter_count(),
                         run.shards);
    }
    if (since_commit >= options.commit_every_events ||
        (!was_writing && run.CacheFull(since_commit))) {
      write(&chunk);
      if (Result<void> started = run.committer.Start(chunk.end_offset(), chunk.last_line());
          !started) {
        return started.error();
      }
      since_commit = 0;
    } else {
      unwritten = &chunk;
    }
    current = 1 - current;
  }
  if (unwritten != nullptr) {
    write(unwritten);
  }

  // The final firing, in steps of a range of deadlines that each fire about kFiringsPerStep
  // timers (the range adapts), so that the outputs waiting for the merge stay small.
  const InputEnd end = run.lines.end();
  const EventTime to = shards.shard(0).max_event_time();
  const uint64_t fired_before = SumStats(run.shards).timer_firings;
  int64_t span = kFirstFiringSpanMs;
  for (bool first = true;; first = false) {
    EventTime next = EventTime::Max();
    for (Shard* shard : run.shards) {
      next = std::min(next, shard->NextQueuedDeadline());
    }
    if (!first && next >= to) {
      break;
    }
    const uint64_t fired_already = SumStats(run.shards).timer_firings;
    shards.StartFiring(to, FiringCut(next, span, to));
    if (Result<void> done = shards.Wait(); !done) {
      return failed(done.error());
    }
    write(nullptr);
    const uint64_t fired = SumStats(run.shards).timer_firings;
    if (fired - fired_already < kFiringsPerStep / 2) {
      span = std::min<int64_t>(span * 2, kMaxFiringSpanMs);
    } else if (fired - fired_already > kFiringsPerStep * 2) {
      span = std::max<int64_t>(span / 2, 1);
    }
    if (run.progress.Due()) {
      run.progress.Firing(fired - fired_before, run.shards);
    }
    size_t dirty = 0;
    for (Shard* shard : run.shards) {
      dirty += shard->DirtyCount();
    }
    Result<void> committed = run.committer.Poll();
    if (committed && run.CacheFull(dirty)) {
      committed = run.committer.Start(end.offset, end.line);
    }
    if (!committed) {
      return committed.error();
    }
  }
  return run.committer.Commit(end.offset, end.line, true);
}

}  // namespace

Result<ReplaySummary> RunReplay(const ReplayOptions& options, const Clock& clock) {
  auto started = std::chrono::steady_clock::now();
  ReplaySummary summary;
  Result<std::unique_ptr<InputFileView>> input = InputFileView::Open(options.input);
  if (!input) {
    return input.error();
  }
  Result<std::unique_ptr<LineReader>> reader =
      LineReader::Open(options.input, options.input_caching);
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
  const size_t slices =
      options.on_event_applied || options.on_signal ? 1 : std::max<size_t>(options.threads, 1);
  std::shared_ptr<StateStore> shared_store = std::move(store).value();
  std::unique_ptr<Shard> one_shard;
  std::unique_ptr<SlicedShards> sliced;
  std::vector<Shard*> shards;
  if (slices == 1) {
    one_shard = std::make_unique<Shard>(0, options.rules, shared_store, options.cache_customers,
                                        sink, options.cache_bytes);
    shards.push_back(one_shard.get());
  } else {
    sliced = std::make_unique<SlicedShards>(
        slices, options.rules, shared_store, options.cache_customers, options.cache_bytes,
        std::array<bool, kReplayOutputs>{alerts != nullptr, signals != nullptr,
                                         dead_letters != nullptr});
    for (size_t slice = 0; slice < slices; ++slice) {
      shards.push_back(&sliced->shard(slice));
    }
  }
  for (Shard* shard : shards) {
    if (Result<void> restored = shard->Restore(); !restored) {
      return restored.error();
    }
  }
  ReplayCommitter::TakeBatches take;
  ReplayCommitter::BatchesWritten written;
  if (sliced) {
    take = [&sliced](std::vector<StoreBatch>& batches) { sliced->TakeCommitBatches(batches); };
    written = [&sliced] { sliced->OnBatchesWritten(); };
  }
  ReplayCommitter committer(shards, take, written, **input, std::move(checkpoints->consumed),
                            options.store.sync_commits, kinds, {alerts, signals, dead_letters});
  DecodedLines lines(
      std::move(reader).value(), kLineAhead,
      [&clock, &options] { return clock.Now() + options.max_future; },
      sliced ? kSlicedReadBatches : DecodedLines::kDefaultBatches);
  ReplayRun run{options, lines, sink, committer, shards, summary, Progress(options, started)};
  Result<void> processed = sliced ? ProcessSliced(run, *sliced, {alerts, signals, dead_letters})
                                  : ProcessOnOneShard(run, *one_shard);
  if (!processed) {
    return processed.error();
  }
  if (Result<void> closed = CloseAll({alerts, signals, dead_letters}); !closed) {
    return closed.error();
  }
  const ShardStats stats = SumStats(shards);
  summary.events_applied = stats.events_applied;
  summary.duplicates = stats.duplicates;
  summary.dead_letters = sink.dead_letter_count();
  summary.signals = stats.signals;
  summary.alerts = stats.alerts;
  for (Shard* shard : shards) {
    summary.customers_in_cache += shard->cache().Size();
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace cx
