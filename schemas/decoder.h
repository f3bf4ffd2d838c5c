#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "schemas/decode_error.h"
#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// The largest accepted event (SPEC §1): 64 KiB.
inline constexpr size_t kMaxEventBytes = 64 * 1024;
// Bytes that must be readable after the input for DecodePadded() (= SIMDJSON_PADDING).
inline constexpr size_t kDecoderPadding = 64;
// Objects and arrays nested deeper than this (the event object is level 1) are kInvalidJson.
inline constexpr int kMaxJsonDepth = 64;

// Decodes and fully validates one input event (SPEC §1, §2) with simdjson on-demand, straight
// into an Event: one pass over the object's fields, no DOM. The JSON of unknown fields is
// validated too, as are UTF-8 and the absence of anything after the object. Fields are checked
// only where SPEC defines them for the event's type and action; others are ignored like
// unknown fields. The rules, and the order in which they are checked when an event breaks
// several, are documented in schemas/README.md and mirrored by schemas/json/*.schema.json.
//
// Not thread-safe: use one Decoder per thread. It allocates its buffers once, in the
// constructor; Decode() itself never allocates.
class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes `bytes`. Events with ts > `not_after` are kFutureTimestamp (the caller passes wall
  // clock + 1 h; EventTime::Max() disables the check). Events over kMaxEventBytes are kTooLarge.
  // On kOk, `out` is overwritten and its string views point into this Decoder's buffers until
  // the next call; `why` is reset. On failure `why` says what went wrong and `out` is
  // unspecified.
  [[nodiscard]] DecodeError Decode(std::string_view bytes, EventTime not_after, Event& out,
                                   DecodeFailure& why);

  // Like Decode() but without copying the input. Precondition: kDecoderPadding bytes after
  // bytes.data() + bytes.size() are readable (their content does not matter). `bytes` need not
  // outlive the call: string views in `out` point into this Decoder's buffers.
  [[nodiscard]] DecodeError DecodePadded(std::string_view bytes, EventTime not_after, Event& out,
                                         DecodeFailure& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cx
