#pragma once

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

// A rejected input event (SPEC §2), written by AppendDeadLetterJson() to cx.deadletter /
// --dead-letter (schemas/json/deadletter.schema.json). Owns its bytes.
struct DeadLetter {
  std::string original;  // the event's bytes exactly as received
  DecodeError error = DecodeError::kInvalidJson;
  std::string field;    // the offending field, empty when none
  std::string message;  // DecodeFailure::Message()
  std::variant<KafkaSource, FileSource> source;
};

}  // namespace cx
