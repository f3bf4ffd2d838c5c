#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "runtime/replay/line_reader.h"
#include "schemas/decode_error.h"
#include "schemas/decoder.h"
#include "schemas/event.h"
#include "schemas/result.h"
#include "schemas/time.h"

namespace cx {

// One non-blank input line, decoded.
struct DecodedLine {
  bool ok = false;  // `event` is the decoded line; otherwise `why` and `text` say what failed
  Event event;      // views into strings owned by the DecodedLines that returned it
  size_t customer_hash = 0;  // CustomerKey's hash of event.customer_id, when ok
  DecodeFailure why;
  std::string text;          // the line itself, kept only when it failed (for its dead letter)
  uint64_t line_number = 0;  // 1-based, blank lines included
  uint64_t end_offset = 0;   // input bytes up to the end of this line, its "\n" included
};

// Starts loading the fields of `line` that Shard::PrefetchCustomer's stages read: `ok` at its
// start to `customer_hash` after the event. A hint only; `line` is not read.
inline void PrefetchDecodedLine(const DecodedLine& line) {
  const char* begin = reinterpret_cast<const char*>(&line);
  const char* end = reinterpret_cast<const char*>(&line.customer_hash + 1);
  for (const char* p = begin; p < end; p += 64) {
    __builtin_prefetch(p);
  }
}

// Where the input ended: its length in bytes and its number of lines, blank ones included (the
// reader's offset() and line_number() after its last line).
struct InputEnd {
  uint64_t offset = 0;
  uint64_t line = 0;
};

// A replay's input, read and decoded on a thread of its own, ahead of the line being processed:
// the processing thread gets decoded events (reading and decoding are ≈ a fifth of a replay's
// work) and can start loading the memory of the customers it is about to reach
// (Shard::PrefetchCustomer), which with millions of customers is cold. Lines come out in input
// order, decoded exactly as one Decoder would have decoded them. Next() and Peek() are for one
// thread.
class DecodedLines {
 public:
  // Wall clock + the allowed future: events after it are refused (Decoder::Decode's
  // `not_after`). Called on the reading thread, before the first line and every few thousand.
  using NotAfter = std::function<EventTime()>;

  // Takes `reader` (positioned where the lines to decode start) and starts the reading thread.
  // Peek reaches at most `ahead` lines beyond the one returned. The reading thread decodes up to
  // `batches` batches of lines ahead (fewer while NextBatch's are held).
  DecodedLines(std::unique_ptr<LineReader> reader, size_t ahead, NotAfter not_after,
               size_t batches = kDefaultBatches);
  static constexpr size_t kDefaultBatches = 6;
  // Lines in a full batch handed from the reading thread to the processing one (one can hold
  // fewer: the lines read before waiting for more input). With Next, the processing thread holds
  // one or two batches (the next one once the lines it peeks at reach it); the reading thread
  // fills the others.
  static constexpr size_t kLinesPerBatch = 256;
  // Stops the reading thread. A thread still blocked reading an input that neither ends nor
  // sends (an idle standard input) is left to finish on its own, with what it uses.
  ~DecodedLines();
  DecodedLines(const DecodedLines&) = delete;
  DecodedLines& operator=(const DecodedLines&) = delete;

  // The next non-blank line, valid until the next call; nullptr at the end of the input. The
  // reason when the input cannot be read (after the lines read before the failure).
  [[nodiscard]] Result<const DecodedLine*> Next();

  // The line `distance` (1..ahead) places after the one Next returned last, when already read;
  // nullptr otherwise (the end of the input, or before the first Next). Valid until the next
  // call of Next.
  [[nodiscard]] const DecodedLine* Peek(size_t distance) const;

  // The other way to take the lines (never both on one object): the next batch of lines, held
  // until ReleaseOldest() releases it (batches are released in the order taken). Empty at the
  // end of the input; the reason when it cannot be read, after the lines read before. Waits
  // while the batches not held are being filled: hold fewer than `batches`.
  [[nodiscard]] Result<std::span<const DecodedLine>> NextBatch();
  void ReleaseOldest();
  // Whether NextBatch would return without waiting for the reading thread.
  [[nodiscard]] bool BatchReady() const;

  // Where the input ended; valid once Next has returned nullptr (or NextBatch an empty batch).
  [[nodiscard]] InputEnd end() const { return end_; }

 private:
  struct Batch;
  // What the reading thread and this object share; the thread keeps it alive while it runs.
  struct Shared;
  static void Read(const std::shared_ptr<Shared>& shared);
  static void SetWaitingForInput(Shared& shared, bool waiting);

  // Waits until batch `acquired_` is filled and counts it as held.
  void Acquire();
  // Acquire, unless the reading thread is waiting for more input before it can fill it.
  void AcquireForPeek();
  [[nodiscard]] Batch& At(uint64_t sequence) const;

  std::shared_ptr<Shared> shared_;
  size_t ahead_;
  // The processing thread's place: batch `current_`, its line `position_` (returned when
  // `returned_`); batches before `acquired_` are filled and readable here.
  uint64_t current_ = 0;
  size_t position_ = 0;
  bool returned_ = false;
  uint64_t acquired_ = 0;
  bool finished_ = false;
  std::optional<Err> failed_;  // NextBatch: the read error to return next
  InputEnd end_;
  std::thread thread_;
};

}  // namespace cx
