#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "processors/rules_config.h"
#include "runtime/replay/decoded_lines.h"
#include "runtime/replay/jsonl_file.h"
#include "runtime/replay/replay_checkpoint.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/result.h"
#include "state/store/state_store.h"

namespace cx {

// Consecutive input lines that every shard of a SlicedShards works through together: batches
// of DecodedLines (NextBatch), held by the caller until the step is done and its outputs
// written.
class ReplayChunk {
 public:
  // Forgets the batches; the next line added is line `first_position` of the replay.
  void Clear(uint64_t first_position) {
    batches_.clear();
    size_ = 0;
    first_position_ = first_position;
  }
  void Add(std::span<const DecodedLine> batch) {
    batches_.push_back(batch);
    size_ += batch.size();
    end_offset_ = batch.back().end_offset;
    last_line_ = batch.back().line_number;
  }

  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] const std::vector<std::span<const DecodedLine>>& batches() const {
    return batches_;
  }
  // Where the chunk's last line ends: its input byte offset and line number. Kept by value, so
  // that they stay right once the batches are released (and refilled with later lines).
  [[nodiscard]] uint64_t end_offset() const { return end_offset_; }
  [[nodiscard]] uint64_t last_line() const { return last_line_; }
  [[nodiscard]] uint64_t first_position() const { return first_position_; }

 private:
  std::vector<std::span<const DecodedLine>> batches_;
  size_t size_ = 0;
  uint64_t first_position_ = 0;
  uint64_t end_offset_ = 0;
  uint64_t last_line_ = 0;
};

// A replay on several threads (ReplayOptions::threads): one Shard per CustomerSlice, each on a
// thread of its own, all sharing one store. Each shard sees every event's time, so that all have
// the watermark a single shard would have at each event, fires its own customers' timers and
// processes its own customers' events. Their outputs, tagged with what caused them (the line,
// then a fired timer's deadline and customer), merge back into exactly the order of one shard:
// per line, the timers it made due in (deadline, customer id) order, then the event's own. So
// the outputs do not depend on the number of threads.
//
// Work runs in steps (a chunk of lines, or a range of the final firing). Between Wait() and the
// next Start, the shards are idle and belong to the caller (commits, statistics); the outputs of
// the step waited for can be written while the next step runs.
class SlicedShards {
 public:
  // `slices` shards over `store`; each gets its share of the cache bounds. The outputs not
  // wanted are not encoded.
  SlicedShards(size_t slices, const RulesConfig& rules, const std::shared_ptr<StateStore>& store,
               size_t cache_customers, size_t cache_bytes,
               const std::array<bool, kReplayOutputs>& wanted);
  ~SlicedShards();
  SlicedShards(const SlicedShards&) = delete;
  SlicedShards& operator=(const SlicedShards&) = delete;

  [[nodiscard]] size_t size() const { return workers_.size(); }
  [[nodiscard]] Shard& shard(size_t slice);

  // Starts every shard on `chunk`, which must stay unchanged until Wait returns.
  void StartChunk(const ReplayChunk& chunk);
  // Starts every shard moving its watermark to `to` and firing its due timers with a deadline
  // before `before` (Shard::FireDueBefore), after every line.
  void StartFiring(EventTime to, EventTime before);
  // Fills batches[i] with the changes of shard i (Shard::TakeCommitBatch), each on its shard's
  // thread, and waits. Between steps; does not change what WriteOutputs writes.
  void TakeCommitBatches(std::vector<StoreBatch>& batches);
  // The batches taken last are in the store: each shard's OnBatchWritten (its cache evicting
  // and packing) runs on its own thread at the start of the next step.
  void OnBatchesWritten() { written_pending_ = true; }
  // Waits for the step started last; the first shard's error, if any failed.
  [[nodiscard]] Result<void> Wait();
  // Appends the outputs of the step waited for last to `files` (null: not wanted), in one
  // shard's order. Call once per step, before the step after the next one starts.
  void WriteOutputs(const std::array<JsonLinesFile*, kReplayOutputs>& files);

 private:
  // A shard's outputs of one step and what caused each group of them.
  struct Tagged {
    struct Group {
      uint64_t position = 0;  // the line; UINT64_MAX after the last
      bool timer = false;
      EventTime deadline;
      size_t id_begin = 0;  // the customer id in `ids`, for a timer
      size_t id_size = 0;
      std::array<size_t, kReplayOutputs> end{};      // the end of its bytes in `bytes`
      std::array<uint64_t, kReplayOutputs> lines{};  // its records in each output
    };
    std::vector<Group> groups;
    std::string ids;
    std::array<std::string, kReplayOutputs> bytes;
    void Clear();
  };
  class TaggingSink;
  struct Worker;
  enum class StepKind : uint8_t { kChunk, kFiring, kTake };
  struct Step {
    StepKind kind = StepKind::kChunk;
    const ReplayChunk* chunk = nullptr;
    EventTime to;
    EventTime before;
    std::vector<StoreBatch>* batches = nullptr;
    bool written_first = false;  // call OnBatchWritten before the step's work
    size_t buffer = 0;           // which of the workers' two Tagged it fills
  };

  void Start(const Step& step);
  void Run(Worker& worker);
  [[nodiscard]] Result<void> Execute(Worker& worker, const Step& step);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Step step_;                  // guarded by mutex_
  uint64_t started_ = 0;       // steps started; guarded by mutex_
  uint64_t output_steps_ = 0;  // of those, steps with outputs
  size_t finished_ = 0;        // workers done with the step started last; guarded by mutex_
  bool stopping_ = false;      // guarded by mutex_
  size_t waited_buffer_ = 0;   // the buffer of the step Wait returned last
  bool running_ = false;
  bool written_pending_ = false;
};

}  // namespace cx
