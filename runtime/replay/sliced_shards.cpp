#include "runtime/replay/sliced_shards.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "runtime/shard/thread_name.h"
#include "schemas/json_writer.h"
#include "state/store/customer_key.h"

namespace cx {
namespace {

// Lines after the one processed whose customers a shard starts loading, and how far (see
// Shard::PrefetchCustomer): as on one thread, counted in the shard's own lines.
constexpr std::array<std::pair<size_t, Shard::PrefetchStage>, 3> kPrefetchAhead = {{
    {3, Shard::PrefetchStage::kIndex},
    {2, Shard::PrefetchStage::kState},
    {1, Shard::PrefetchStage::kWindows},
}};
// Further ahead in the shard's own lines, the decoded line, then its customer id's bytes (as on
// one thread: the chunk's scan for the shard's lines read them a chunk ago, long out of cache).
constexpr size_t kLineAhead = 5;
static_assert(kLineAhead > 3);
constexpr uint64_t kAfterTheLastLine = std::numeric_limits<uint64_t>::max();

}  // namespace

void SlicedShards::Tagged::Clear() {
  groups.clear();
  ids.clear();
  for (std::string& output : bytes) {
    output.clear();
  }
}

// A shard's sink: appends each output's JSON Lines to the step's Tagged, grouped by cause.
class SlicedShards::TaggingSink final : public EmissionSink {
 public:
  explicit TaggingSink(const std::array<bool, kReplayOutputs>& wanted) : wanted_(wanted) {}

  void Begin(Tagged& tagged) { tagged_ = &tagged; }
  void SetPosition(uint64_t position) { position_ = position; }

  void OnCause(const EmissionCause& cause) override {
    Tagged::Group& group = tagged_->groups.emplace_back();
    group.position = position_;
    group.timer = cause.timer;
    group.deadline = cause.deadline;
    if (cause.timer) {
      group.id_begin = tagged_->ids.size();
      group.id_size = cause.customer_id.size();
      tagged_->ids.append(cause.customer_id);
    }
    for (size_t i = 0; i < kReplayOutputs; ++i) {
      group.end[i] = tagged_->bytes[i].size();
    }
  }
  void OnSignal(const Signal& signal) override {
    if (Wanted(ReplayOutput::kSignals)) {
      AppendSignalJson(signal, Bytes(ReplayOutput::kSignals));
      EndLine(ReplayOutput::kSignals);
    }
  }
  void OnAlert(const Alert& alert) override {
    if (Wanted(ReplayOutput::kAlerts)) {
      AppendAlertJson(alert, Bytes(ReplayOutput::kAlerts));
      EndLine(ReplayOutput::kAlerts);
    }
  }
  void OnDeadLetter(const DeadLetter& dead_letter) override {
    if (Wanted(ReplayOutput::kDeadLetters)) {
      AppendDeadLetterJson(dead_letter, Bytes(ReplayOutput::kDeadLetters));
      EndLine(ReplayOutput::kDeadLetters);
    }
  }

 private:
  [[nodiscard]] bool Wanted(ReplayOutput output) const {
    return wanted_[static_cast<size_t>(output)];
  }
  [[nodiscard]] std::string& Bytes(ReplayOutput output) {
    return tagged_->bytes[static_cast<size_t>(output)];
  }
  // Ends a record of the current group (the shard names its cause before emitting).
  void EndLine(ReplayOutput output) {
    const auto i = static_cast<size_t>(output);
    tagged_->bytes[i].push_back('\n');
    Tagged::Group& group = tagged_->groups.back();
    group.end[i] = tagged_->bytes[i].size();
    ++group.lines[i];
  }

  std::array<bool, kReplayOutputs> wanted_;
  Tagged* tagged_ = nullptr;
  uint64_t position_ = 0;
};

struct SlicedShards::Worker {
  size_t slice = 0;
  std::unique_ptr<TaggingSink> sink;
  std::unique_ptr<Shard> shard;
  std::array<Tagged, 2> tagged;
  std::vector<const DecodedLine*> own;  // the chunk's lines of this slice
  Result<void> result = Ok();
  std::thread thread;
};

SlicedShards::SlicedShards(size_t slices, const RulesConfig& rules,
                           const std::shared_ptr<StateStore>& store, size_t cache_customers,
                           size_t cache_bytes, const std::array<bool, kReplayOutputs>& wanted) {
  for (size_t slice = 0; slice < slices; ++slice) {
    auto worker = std::make_unique<Worker>();
    worker->slice = slice;
    worker->sink = std::make_unique<TaggingSink>(wanted);
    worker->shard = std::make_unique<Shard>(
        0, rules, store, std::max<size_t>(cache_customers / slices, 1), *worker->sink,
        cache_bytes == SIZE_MAX ? SIZE_MAX : cache_bytes / slices);
    worker->shard->SetSlice(CustomerSlice{slice, slices});
    workers_.push_back(std::move(worker));
  }
  for (const std::unique_ptr<Worker>& worker : workers_) {
    worker->thread = std::thread([this, &worker = *worker] { Run(worker); });
  }
}

SlicedShards::~SlicedShards() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (const std::unique_ptr<Worker>& worker : workers_) {
    worker->thread.join();
  }
}

Shard& SlicedShards::shard(size_t slice) { return *workers_[slice]->shard; }

void SlicedShards::StartChunk(const ReplayChunk& chunk) {
  Step step;
  step.kind = StepKind::kChunk;
  step.chunk = &chunk;
  Start(step);
}

void SlicedShards::StartFiring(EventTime to, EventTime before) {
  Step step;
  step.kind = StepKind::kFiring;
  step.to = to;
  step.before = before;
  Start(step);
}

void SlicedShards::TakeCommitBatches(std::vector<StoreBatch>& batches) {
  Step step;
  step.kind = StepKind::kTake;
  step.batches = &batches;
  Start(step);
  // A take does not fail (it only encodes and moves what is in memory).
  (void)Wait();
}

void SlicedShards::Start(const Step& step) {
  {
    std::lock_guard lock(mutex_);
    step_ = step;
    step_.written_first = written_pending_;
    written_pending_ = false;
    if (step.kind != StepKind::kTake) {
      step_.buffer = output_steps_++ % 2;
    }
    ++started_;
    finished_ = 0;
  }
  running_ = true;
  changed_.notify_all();
}

Result<void> SlicedShards::Wait() {
  if (!running_) {
    return Ok();
  }
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return finished_ == workers_.size(); });
    if (step_.kind != StepKind::kTake) {
      waited_buffer_ = step_.buffer;
    }
  }
  running_ = false;
  for (const std::unique_ptr<Worker>& worker : workers_) {
    if (!worker->result) {
      return worker->result;
    }
  }
  return Ok();
}

void SlicedShards::Run(Worker& worker) {
  NameThisThread("cx-slice-" + std::to_string(worker.slice));
  uint64_t done = 0;
  for (;;) {
    Step step;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || started_ > done; });
      if (stopping_) {
        return;
      }
      done = started_;
      step = step_;
    }
    worker.result = Execute(worker, step);
    {
      std::lock_guard lock(mutex_);
      ++finished_;
    }
    changed_.notify_all();
  }
}

Result<void> SlicedShards::Execute(Worker& worker, const Step& step) {
  if (step.written_first) {
    worker.shard->OnBatchWritten();
  }
  if (step.kind == StepKind::kTake) {
    worker.shard->TakeCommitBatch((*step.batches)[worker.slice]);
    return Ok();
  }
  Tagged& tagged = worker.tagged[step.buffer];
  tagged.Clear();
  worker.sink->Begin(tagged);
  Shard& shard = *worker.shard;
  if (step.kind == StepKind::kFiring) {
    worker.sink->SetPosition(kAfterTheLastLine);
    return shard.FireDueBefore(step.to, step.before);
  }
  const ReplayChunk& chunk = *step.chunk;
  const size_t slices = workers_.size();
  worker.own.clear();
  for (const std::span<const DecodedLine> batch : chunk.batches()) {
    for (const DecodedLine& line : batch) {
      if (line.ok && CustomerSlice::Of(line.customer_hash, slices) == worker.slice) {
        worker.own.push_back(&line);
      }
    }
  }
  size_t next_own = 0;
  uint64_t position = chunk.first_position();
  for (const std::span<const DecodedLine> batch : chunk.batches()) {
    for (const DecodedLine& line : batch) {
      const uint64_t this_position = position++;
      if (!line.ok) {
        continue;
      }
      if (next_own == worker.own.size() || worker.own[next_own] != &line) {
        // Another slice's event: only its time.
        if (line.event.ts > shard.max_event_time()) {
          worker.sink->SetPosition(this_position);
          if (Result<void> fired = shard.ObserveEventTime(line.event.ts); !fired) {
            return fired;
          }
        }
        continue;
      }
      if (next_own + kLineAhead < worker.own.size()) {
        PrefetchDecodedLine(*worker.own[next_own + kLineAhead]);
      }
      if (next_own + kLineAhead - 1 < worker.own.size()) {
        __builtin_prefetch(worker.own[next_own + kLineAhead - 1]->event.customer_id.data());
      }
      for (const auto& [distance, stage] : kPrefetchAhead) {
        if (next_own + distance < worker.own.size()) {
          const DecodedLine& ahead = *worker.own[next_own + distance];
          shard.PrefetchCustomer(CustomerKey(ahead.event.customer_id, ahead.customer_hash), stage);
        }
      }
      ++next_own;
      worker.sink->SetPosition(this_position);
      if (Result<void> processed =
              shard.Process(line.event, CustomerKey(line.event.customer_id, line.customer_hash));
          !processed) {
        return processed;
      }
    }
  }
  return Ok();
}

void SlicedShards::WriteOutputs(const std::array<JsonLinesFile*, kReplayOutputs>& files) {
  // A k-way merge of the shards' groups by (line, timers before the event, deadline, customer
  // id): the order in which one shard would have emitted them.
  const auto before = [](const Tagged& a_tagged, const Tagged::Group& a, const Tagged& b_tagged,
                         const Tagged::Group& b) {
    if (a.position != b.position) {
      return a.position < b.position;
    }
    if (a.timer != b.timer) {
      return a.timer;
    }
    if (a.deadline != b.deadline) {
      return a.deadline < b.deadline;
    }
    return std::string_view(a_tagged.ids).substr(a.id_begin, a.id_size) <
           std::string_view(b_tagged.ids).substr(b.id_begin, b.id_size);
  };
  std::vector<size_t> next(workers_.size(), 0);
  for (;;) {
    const Tagged* first_tagged = nullptr;
    size_t first = 0;
    for (size_t w = 0; w < workers_.size(); ++w) {
      const Tagged& tagged = workers_[w]->tagged[waited_buffer_];
      if (next[w] == tagged.groups.size()) {
        continue;
      }
      if (first_tagged == nullptr || before(tagged, tagged.groups[next[w]], *first_tagged,
                                            first_tagged->groups[next[first]])) {
        first_tagged = &tagged;
        first = w;
      }
    }
    if (first_tagged == nullptr) {
      return;
    }
    const size_t index = next[first]++;
    const Tagged::Group& group = first_tagged->groups[index];
    for (size_t i = 0; i < kReplayOutputs; ++i) {
      const size_t begin = index == 0 ? 0 : first_tagged->groups[index - 1].end[i];
      if (files[i] != nullptr && group.end[i] > begin) {
        files[i]->AppendLines(
            std::string_view(first_tagged->bytes[i]).substr(begin, group.end[i] - begin),
            group.lines[i]);
      }
    }
  }
}

}  // namespace cx
