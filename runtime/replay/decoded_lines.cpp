#include "runtime/replay/decoded_lines.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "runtime/replay/string_copies.h"
#include "runtime/shard/thread_name.h"
#include "state/store/customer_key.h"

namespace cx {
namespace {

// Lines between two readings of the wall clock (the decoder's `not_after`).
constexpr uint64_t kClockCheckEvery = 4096;
// How long the destructor waits for the reading thread to notice it should stop.
constexpr auto kStopWait = std::chrono::seconds(1);

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

struct DecodedLines::Batch {
  std::vector<DecodedLine> lines = std::vector<DecodedLine>(kLinesPerBatch);
  size_t count = 0;  // lines filled
  StringCopies strings;
  bool last = false;         // no batch after this one
  std::optional<Err> error;  // when `last`: the read error after its lines, if any
  InputEnd end;              // when `last` without an error
};

struct DecodedLines::Shared {
  std::unique_ptr<LineReader> reader;
  NotAfter not_after;
  std::vector<std::unique_ptr<Batch>> batches;
  std::mutex mutex;
  std::condition_variable changed;  // any of the fields below changed
  uint64_t filled = 0;              // batches the reading thread filled
  uint64_t released = 0;            // batches the processing thread is done with
  bool stopping = false;
  bool exited = false;
  // The reading thread has handed over every line it read and is reading more input, which
  // may not come soon (an idle pipe): the batch it fills may not be waited for.
  bool waiting_for_input = false;
};

void DecodedLines::SetWaitingForInput(Shared& shared, bool waiting) {
  std::lock_guard lock(shared.mutex);
  shared.waiting_for_input = waiting;
  shared.changed.notify_all();
}

DecodedLines::DecodedLines(std::unique_ptr<LineReader> reader, size_t ahead, NotAfter not_after,
                           size_t batches)
    : shared_(std::make_shared<Shared>()), ahead_(std::min(ahead, kLinesPerBatch - 1)) {
  shared_->reader = std::move(reader);
  shared_->not_after = std::move(not_after);
  for (size_t i = 0; i < std::max<size_t>(batches, 2); ++i) {
    shared_->batches.push_back(std::make_unique<Batch>());
  }
  thread_ = std::thread(&DecodedLines::Read, shared_);
}

DecodedLines::~DecodedLines() {
  std::unique_lock lock(shared_->mutex);
  shared_->stopping = true;
  shared_->changed.notify_all();
  const bool exited = shared_->changed.wait_for(lock, kStopWait, [&] { return shared_->exited; });
  lock.unlock();
  if (exited) {
    thread_.join();
  } else {
    thread_.detach();  // blocked in a read; it holds `Shared` until it returns
  }
}

void DecodedLines::Read(const std::shared_ptr<Shared>& shared) {
  NameThisThread("cx-read");
  Decoder decoder;
  LineReader& reader = *shared->reader;
  EventTime not_after = shared->not_after();
  uint64_t since_clock = 0;
  for (uint64_t sequence = 0;; ++sequence) {
    {
      std::unique_lock lock(shared->mutex);
      shared->changed.wait(lock, [&] {
        return shared->stopping || sequence - shared->released < shared->batches.size();
      });
      if (shared->stopping) {
        shared->exited = true;
        shared->changed.notify_all();
        return;
      }
    }
    Batch& batch = *shared->batches[sequence % shared->batches.size()];
    batch.count = 0;
    batch.strings.Clear();
    batch.error.reset();
    batch.last = false;
    while (batch.count < kLinesPerBatch && !batch.last) {
      std::string_view text;
      Result<bool> next = true;
      if (!reader.NextBuffered(text)) {
        if (batch.count > 0) {
          break;  // hand over what is decoded before waiting for more input
        }
        SetWaitingForInput(*shared, true);
        next = reader.Next(text);
        SetWaitingForInput(*shared, false);
      }
      if (!next) {
        batch.error = next.error();
        batch.last = true;
      } else if (!*next) {
        batch.end = {reader.offset(), reader.line_number()};
        batch.last = true;
      } else if (!IsBlank(text)) {
        if (++since_clock == kClockCheckEvery) {
          not_after = shared->not_after();
          since_clock = 0;
        }
        DecodedLine& line = batch.lines[batch.count++];
        line.line_number = reader.line_number();
        line.end_offset = reader.offset();
        line.ok = decoder.Decode(text, not_after, line.event, line.why) == DecodeError::kOk;
        if (line.ok) {
          CopyStrings(line.event, batch.strings);
          line.customer_hash = CustomerIdHash{}(line.event.customer_id);
          line.text.clear();
        } else {
          line.text.assign(text);
        }
      }
    }
    std::lock_guard lock(shared->mutex);
    shared->filled = sequence + 1;
    shared->exited = batch.last;
    shared->changed.notify_all();
    if (batch.last) {
      return;
    }
  }
}

DecodedLines::Batch& DecodedLines::At(uint64_t sequence) const {
  return *shared_->batches[sequence % shared_->batches.size()];
}

void DecodedLines::Acquire() {
  std::unique_lock lock(shared_->mutex);
  shared_->changed.wait(lock, [&] { return shared_->filled > acquired_; });
  ++acquired_;
}

void DecodedLines::AcquireForPeek() {
  std::unique_lock lock(shared_->mutex);
  shared_->changed.wait(lock,
                        [&] { return shared_->filled > acquired_ || shared_->waiting_for_input; });
  if (shared_->filled > acquired_) {
    ++acquired_;
  }
}

Result<const DecodedLine*> DecodedLines::Next() {
  if (finished_) {
    return static_cast<const DecodedLine*>(nullptr);
  }
  if (returned_) {
    ++position_;
    returned_ = false;
  }
  for (;;) {
    if (acquired_ == current_) {
      Acquire();
    }
    Batch& batch = At(current_);
    if (position_ < batch.count) {
      break;
    }
    if (batch.last) {
      finished_ = true;
      end_ = batch.end;
      if (batch.error) {
        return *batch.error;
      }
      return static_cast<const DecodedLine*>(nullptr);
    }
    {
      std::lock_guard lock(shared_->mutex);
      shared_->released = current_ + 1;
      shared_->changed.notify_all();
    }
    ++current_;
    position_ = 0;
  }
  Batch& batch = At(current_);
  if (position_ + ahead_ >= batch.count && !batch.last && acquired_ == current_ + 1) {
    AcquireForPeek();  // the lines Peek reaches continue in the next batch
  }
  returned_ = true;
  return &batch.lines[position_];
}

Result<std::span<const DecodedLine>> DecodedLines::NextBatch() {
  if (failed_) {
    Err error = *failed_;
    failed_.reset();
    return error;
  }
  if (finished_) {
    return std::span<const DecodedLine>();
  }
  Acquire();
  const Batch& batch = At(acquired_ - 1);
  if (batch.last) {
    finished_ = true;
    end_ = batch.end;
    if (batch.error) {
      if (batch.count == 0) {
        return *batch.error;
      }
      failed_ = *batch.error;
    }
  }
  return std::span<const DecodedLine>(batch.lines.data(), batch.count);
}

bool DecodedLines::BatchReady() const {
  if (failed_ || finished_) {
    return true;
  }
  std::lock_guard lock(shared_->mutex);
  return shared_->filled > acquired_;
}

void DecodedLines::ReleaseOldest() {
  std::lock_guard lock(shared_->mutex);
  ++shared_->released;
  shared_->changed.notify_all();
}

const DecodedLine* DecodedLines::Peek(size_t distance) const {
  if (!returned_ || distance == 0 || distance > ahead_) {
    return nullptr;
  }
  size_t index = position_ + distance;
  const Batch& batch = At(current_);
  if (index < batch.count) {
    return &batch.lines[index];
  }
  if (acquired_ <= current_ + 1) {
    return nullptr;
  }
  const Batch& next = At(current_ + 1);
  index -= batch.count;
  return index < next.count ? &next.lines[index] : nullptr;
}

}  // namespace cx
