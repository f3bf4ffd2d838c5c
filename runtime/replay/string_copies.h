#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/decoder.h"
#include "schemas/event.h"

namespace cx {

// Copies of the strings of a batch of events, which a Decoder's buffers hold only until it
// decodes the next line. Clear() forgets them and keeps the memory for the next batch.
class StringCopies {
 public:
  void Clear() {
    chunk_ = 0;
    used_ = 0;
  }

  [[nodiscard]] std::string_view Copy(std::string_view text) {
    if (text.empty()) {
      return text;
    }
    if (chunk_ < chunks_.size() && used_ + text.size() > chunks_[chunk_].size()) {
      ++chunk_;
      used_ = 0;
    }
    while (chunk_ < chunks_.size() && text.size() > chunks_[chunk_].size()) {
      ++chunk_;  // a chunk made for one larger string before; the next may fit
    }
    if (chunk_ == chunks_.size()) {
      chunks_.emplace_back(std::max(kChunkBytes, text.size()), '\0');
    }
    char* at = chunks_[chunk_].data() + used_;
    std::copy(text.begin(), text.end(), at);
    used_ += text.size();
    return {at, text.size()};
  }

 private:
  static constexpr size_t kChunkBytes = kMaxEventBytes;
  std::vector<std::string> chunks_;
  size_t chunk_ = 0;
  size_t used_ = 0;
};

// Points every string of `event` at a copy in `copies`.
inline void CopyStrings(Event& event, StringCopies& copies) {
  // Event's string fields, all of them: a field added to Event must be added here too, or its
  // view would point into a Decoder buffer that the next line overwrites.
  static_assert(sizeof(Event) == 256, "Event changed: copy its string fields below");
  for (std::string_view* field :
       {&event.event_id, &event.customer_id, &event.channel, &event.page, &event.element,
        &event.session_id, &event.query, &event.contact_id, &event.queue, &event.reason,
        &event.agent_id, &event.comment}) {
    *field = copies.Copy(*field);
  }
}

}  // namespace cx
