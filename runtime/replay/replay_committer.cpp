#include "runtime/replay/replay_committer.h"

#include <utility>

#include "runtime/shard/thread_name.h"

namespace cx {

ReplayCommitter::ReplayCommitter(std::vector<Shard*> shards, TakeBatches take,
                                 BatchesWritten written, const InputFileView& input,
                                 std::vector<InputMark> consumed, bool sync,
                                 const std::array<int64_t, kReplayOutputs>& kinds,
                                 std::initializer_list<JsonLinesFile*> outputs)
    : shards_(std::move(shards)),
      take_(std::move(take)),
      written_(std::move(written)),
      input_(input),
      consumed_(std::move(consumed)),
      sync_(sync),
      kinds_(kinds),
      outputs_(outputs),
      batches_(shards_.size() + 1) {}

Result<void> ReplayCommitter::Finish() {
  if (in_flight_ == nullptr) {
    return Ok();
  }
  in_flight_->thread.join();
  Result<void> written = std::move(in_flight_->written);
  in_flight_.reset();
  if (written && written_) {
    written_();
  } else if (written) {
    for (Shard* shard : shards_) {
      shard->OnBatchWritten();
    }
  }
  return written;
}

Result<void> ReplayCommitter::Begin(uint64_t offset, uint64_t line, bool finished) {
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
  // Each shard's customers are its own: the others' writes in this commit count as its own for
  // its cache's view of the store (CustomerCache::CountPartnerWrites).
  std::vector<uint64_t> taken(shards_.size());
  uint64_t all_taken = 0;
  for (size_t i = 0; i < shards_.size(); ++i) {
    taken[i] = shards_[i]->DirtyCount();
    all_taken += taken[i];
  }
  if (take_) {
    take_(batches_);
  } else {
    for (size_t i = 0; i < shards_.size(); ++i) {
      shards_[i]->TakeCommitBatch(batches_[i]);
    }
  }
  if (shards_.size() > 1) {
    for (size_t i = 0; i < shards_.size(); ++i) {
      shards_[i]->cache().CountPartnerWrites(all_taken - taken[i]);
    }
  }
  StoreBatch& meta = batches_.back();
  meta.Clear();
  meta.PutMeta(kReplayCheckpointKey, EncodeCheckpoint(checkpoint));
  if (finished) {
    std::erase_if(consumed_, [&](const InputMark& mark) { return input_.Holds(mark); });
    consumed_.push_back(checkpoint.input);
    meta.PutMeta(kReplayConsumedKey, EncodeConsumed(consumed_));
  }
  in_flight_ = std::make_unique<InFlight>();
  InFlight& commit = *in_flight_;
  const bool flush = !flushed_once_;
  flushed_once_ = true;
  commit.thread = std::thread([this, &commit, flush] {
    NameThisThread("cx-commit");
    std::vector<const StoreBatch*> all;
    for (const StoreBatch& batch : batches_) {
      all.push_back(&batch);
    }
    StateStore& store = shards_.front()->store();
    StoreResult result = store.Commit(all);
    if (result.IsOk() && flush) {
      result = store.Flush();
    }
    commit.written = result.IsOk() ? Ok() : Result<void>(Err(result.message()));
    commit.done.store(true, std::memory_order_release);
  });
  return Ok();
}

}  // namespace cx
