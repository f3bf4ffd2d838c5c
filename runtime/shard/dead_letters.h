#pragma once

#include <string_view>
#include <utility>

#include "schemas/dead_letter.h"
#include "schemas/decoder.h"

namespace cx {

// Sets `dead_letter.original` to `bytes`, or, when they are longer than
// kMaxDeadLetterOriginalBytes, to their longest prefix within that bound that ends at a UTF-8
// character boundary, with original_size and original_sha256 of all of `bytes`: a dead letter
// stays small enough to be delivered whatever was received.
void SetDeadLetterOriginal(std::string_view bytes, DeadLetter& dead_letter);

// A dead letter for `bytes` rejected with `why`, from `source` (FileSource or KafkaSource).
template <typename Source>
[[nodiscard]] DeadLetter MakeDeadLetter(std::string_view bytes, const DecodeFailure& why,
                                        Source source) {
  DeadLetter dead_letter;
  SetDeadLetterOriginal(bytes, dead_letter);
  dead_letter.error = why.error;
  dead_letter.field.assign(why.field.data(), why.field.size());
  dead_letter.message = why.Message();
  dead_letter.source = std::move(source);
  return dead_letter;
}

}  // namespace cx
