#include "runtime/replay/replay.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <system_error>

#include <spdlog/spdlog.h>

#include "runtime/replay/jsonl_file.h"
#include "runtime/replay/line_reader.h"
#include "runtime/replay/temporary_directory.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/decoder.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

constexpr uint64_t kClockCheckEvery = 4096;

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

bool OpenOptional(const std::string& path, std::unique_ptr<JsonLinesFile>& file,
                  std::string& error) {
  if (path.empty()) {
    return true;
  }
  file = JsonLinesFile::Open(path, error);
  return file != nullptr;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

bool CloseAll(std::initializer_list<JsonLinesFile*> files, std::string& error) {
  bool ok = true;
  for (JsonLinesFile* file : files) {
    if (file != nullptr && !file->Close(error)) {
      ok = false;
    }
  }
  return ok;
}

}  // namespace

bool RunReplay(const ReplayOptions& options, const Clock& clock, ReplaySummary& summary,
               std::string& error) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<LineReader> reader = LineReader::Open(options.input, error);
  if (reader == nullptr) {
    return false;
  }
  std::unique_ptr<JsonLinesFile> alerts, signals, dead_letters;
  if (!OpenOptional(options.output, alerts, error) ||
      !OpenOptional(options.signals, signals, error) ||
      !OpenOptional(options.dead_letter, dead_letters, error)) {
    return false;
  }

  TemporaryDirectory temporary;
  std::string state_dir = options.state_dir;
  if (state_dir.empty()) {
    if (!temporary.Create("cxpulse-replay", error)) {
      return false;
    }
    state_dir = temporary.path();
  }
  StoreOptions store_options = options.store;
  store_options.path = ShardStatePath(state_dir, 0);
  std::unique_ptr<StateStore> store = StateStore::Open(store_options, error);
  if (store == nullptr) {
    return false;
  }
  FileSink sink(alerts.get(), signals.get(), dead_letters.get(), options.on_signal);
  Shard shard(0, options.rules, std::move(store), options.cache_customers, sink);
  if (!shard.Restore(error)) {
    return false;
  }

  Decoder decoder;
  Event event;
  DecodeFailure why;
  EventTime not_after = clock.Now() + options.max_future;
  uint64_t since_commit = 0;
  auto last_progress = started;
  std::string_view line;
  while (reader->Next(line)) {
    if (IsBlank(line)) {
      continue;
    }
    ++summary.lines;
    if (summary.lines % kClockCheckEvery == 0) {
      not_after = clock.Now() + options.max_future;
      auto now = std::chrono::steady_clock::now();
      if (options.progress_every.ms > 0 &&
          now - last_progress >= std::chrono::milliseconds(options.progress_every.ms)) {
        double secs = std::chrono::duration<double>(now - started).count();
        spdlog::info("{}: {} lines, {:.0f} lines/s, {} dead letters, {} alerts",
                     options.progress_label, summary.lines, summary.lines / secs,
                     sink.dead_letter_count(), shard.stats().alerts);
        last_progress = now;
      }
    }
    if (decoder.Decode(line, not_after, event, why) != DecodeError::kOk) {
      sink.OnDeadLetter(MakeDeadLetter(
          line, why, FileSource{options.input, static_cast<int64_t>(reader->line_number())}));
      continue;
    }
    const uint64_t duplicates_before = shard.stats().duplicates;
    if (!shard.Process(event)) {
      error = "state store failure: " + shard.last_error();
      return false;
    }
    if (options.on_event_applied && shard.stats().duplicates == duplicates_before) {
      options.on_event_applied(event);
    }
    if (++since_commit >= options.commit_every_events ||
        shard.DirtyCount() >= options.cache_customers) {
      if (!shard.Commit(error)) {
        return false;
      }
      since_commit = 0;
    }
  }
  if (!reader->error().empty()) {
    error = "cannot read " + options.input + ": " + reader->error();
    return false;
  }
  if (!shard.AdvanceWatermark(shard.max_event_time())) {
    error = "state store failure: " + shard.last_error();
    return false;
  }
  if (!shard.Commit(error)) {
    return false;
  }
  if (!CloseAll({alerts.get(), signals.get(), dead_letters.get()}, error)) {
    return false;
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
  return true;
}

}  // namespace cx
