#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "schemas/decode_error.h"

namespace cx {

// Where a rejected event came from in live mode.
struct KafkaSource {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// Where a rejected event came from in replay: the input file and its 1-based line number.
struct FileSource {
  std::string file;
  int64_t line = 1;
};

// The most bytes of a rejected event a dead letter keeps: the largest event cxpulse accepts
// (kMaxEventBytes), so only `too_large` records are ever cut.
inline constexpr size_t kMaxDeadLetterOriginalBytes = 64 * 1024;

// A bound on AppendDeadLetterJson()'s output while `message`, `field` and the source's topic or
// file name are each under 4 KiB: `original` escapes to at most 6 bytes per byte. Well under the
// 1 MB a Kafka broker and librdkafka accept by default, so a dead letter is always deliverable.
inline constexpr size_t kMaxDeadLetterJsonBytes = 6 * kMaxDeadLetterOriginalBytes + 16 * 1024;

// A rejected input event (SPEC §2), written by AppendDeadLetterJson() to cx.deadletter /
// --dead-letter (schemas/json/deadletter.schema.json). Owns its bytes.
struct DeadLetter {
  // The event's bytes exactly as received, or only their first bytes (at most
  // kMaxDeadLetterOriginalBytes, cut at a UTF-8 character boundary) when `original_size` says
  // more were received.
  std::string original;
  DecodeError error = DecodeError::kInvalidJson;
  std::string field;    // the offending field, empty when none
  std::string message;  // DecodeFailure::Message()
  std::variant<KafkaSource, FileSource> source;
  // Set only when `original` is a prefix: the size of all the bytes received and their SHA-256
  // (64 lower-case hex digits). 0 and empty when `original` is whole.
  uint64_t original_size = 0;
  std::string original_sha256;

  [[nodiscard]] bool truncated() const { return original_size > original.size(); }
};

}  // namespace cx
