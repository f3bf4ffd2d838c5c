#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/replay/input_file_view.h"
#include "runtime/replay/jsonl_file.h"
#include "runtime/replay/replay_checkpoint.h"
#include "runtime/shard/shard.h"
#include "schemas/result.h"
#include "state/store/store_batch.h"

namespace cx {

// Commits a replay exactly once: the outputs are written out first, then the shards' changes
// and the checkpoint (input position, output lengths) go to the store in one WriteBatch. A
// kill between the two leaves output bytes past the checkpoint, which a resume truncates; so
// does a kill before the store flushed the last commits (no write-ahead log): the resume then
// starts from the last flushed one.
// The WriteBatch runs on a thread of its own while processing goes on (Shard::WriteBatch); the
// caches may evict the written customers once Poll or Finish has seen it done.
//
// Several shards (one per CustomerSlice, sharing one store) commit together, in one WriteBatch;
// every call must then come while none of them is processing (they are the caller's).
class ReplayCommitter {
 public:
  // Fills batches[i] with shard i's changes (Shard::TakeCommitBatch), e.g. each on the shard's
  // own thread.
  using TakeBatches = std::function<void(std::vector<StoreBatch>& batches)>;

  // Tells every shard that the batch taken last is written (Shard::OnBatchWritten), e.g. on
  // the shard's own thread before its next step.
  using BatchesWritten = std::function<void()>;

  // `take` and `written` empty: on the calling thread, one shard after the other.
  ReplayCommitter(std::vector<Shard*> shards, TakeBatches take, BatchesWritten written,
                  const InputFileView& input, std::vector<InputMark> consumed, bool sync,
                  const std::array<int64_t, kReplayOutputs>& kinds,
                  std::initializer_list<JsonLinesFile*> outputs);
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
  // Whether a commit is being written: started, and not yet completed by Poll or Finish.
  [[nodiscard]] bool Writing() const { return in_flight_ != nullptr; }
  // Completes the commit being written when its write has ended; does not wait. Its error, if
  // it failed.
  [[nodiscard]] Result<void> Poll() {
    if (in_flight_ != nullptr && in_flight_->done.load(std::memory_order_acquire)) {
      return Finish();
    }
    return Ok();
  }
  // Waits for the commit being written, if any, and completes it: the caches may evict what it
  // wrote. Its error, if it failed.
  [[nodiscard]] Result<void> Finish();
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

  [[nodiscard]] Result<void> Begin(uint64_t offset, uint64_t line, bool finished);

  std::vector<Shard*> shards_;
  TakeBatches take_;
  BatchesWritten written_;
  const InputFileView& input_;
  std::vector<InputMark> consumed_;
  bool sync_;
  std::array<int64_t, kReplayOutputs> kinds_;
  std::vector<JsonLinesFile*> outputs_;
  // The shards' batches, then one with the checkpoint: written while in_flight_.
  std::vector<StoreBatch> batches_;
  std::unique_ptr<InFlight> in_flight_;
  // A commit lasts once the store flushes it (no write-ahead log; state/README.md). The first
  // of a run is flushed at once: from then on the state dir names the input as interrupted, so
  // a kill before the next flush resumes there (or later) and another input is refused.
  bool flushed_once_ = false;
};

}  // namespace cx
