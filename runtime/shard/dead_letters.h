#pragma once

#include <string_view>
#include <utility>

#include "schemas/dead_letter.h"
#include "schemas/decoder.h"

namespace cx {

// A dead letter for `bytes` rejected with `why`, from `source` (FileSource or KafkaSource).
template <typename Source>
[[nodiscard]] DeadLetter MakeDeadLetter(std::string_view bytes, const DecodeFailure& why,
                                        Source source) {
  DeadLetter dead_letter;
  dead_letter.original.assign(bytes.data(), bytes.size());
  dead_letter.error = why.error;
  dead_letter.field.assign(why.field.data(), why.field.size());
  dead_letter.message = why.Message();
  dead_letter.source = std::move(source);
  return dead_letter;
}

}  // namespace cx
