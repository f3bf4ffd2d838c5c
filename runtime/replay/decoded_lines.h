#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
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
  Event event;      // views into this line's own Decoder
  DecodeFailure why;
  std::string text;          // the line itself, kept only when it failed (for its dead letter)
  uint64_t line_number = 0;  // 1-based, blank lines included
  uint64_t end_offset = 0;   // input bytes up to the end of this line, its "\n" included
};

// A replay's input decoded a few lines ahead of the one being processed, so that the processor
// can start loading the memory of the customers it is about to reach (Shard::PrefetchCustomer):
// with millions of customers their entries are cold, and an event's lookups wait on several
// dependent memory loads in turn. Each line has its own Decoder, so its event stays valid while
// the lines after it are decoded. The lines come out in input order, decoded exactly as one
// Decoder would have decoded them. Not thread-safe.
class DecodedLines {
 public:
  // Reads from `reader` (which must outlive this), at most `ahead` lines beyond the one returned.
  DecodedLines(LineReader& reader, size_t ahead);

  // The next non-blank line, valid until the next call; nullptr at the end of the input. The
  // lines read during this call are decoded against `not_after` (Decoder::Decode). The reason
  // when the input cannot be read.
  [[nodiscard]] Result<const DecodedLine*> Next(EventTime not_after);

  // The line `distance` (1..ahead) places after the one Next returned last, when already read;
  // nullptr otherwise (the end of the input, or before the first Next).
  [[nodiscard]] const DecodedLine* Peek(size_t distance) const;

 private:
  struct Slot {
    Decoder decoder;
    DecodedLine line;
  };
  // Reads and decodes one more non-blank line into the ring; false at the end of the input.
  Result<bool> ReadOne(EventTime not_after);

  LineReader& reader_;
  std::vector<std::unique_ptr<Slot>> ring_;
  size_t head_ = 0;   // the line Next returned last (when returned_)
  size_t count_ = 0;  // lines in the ring from head_ on
  bool returned_ = false;
  bool at_end_ = false;
};

}  // namespace cx
