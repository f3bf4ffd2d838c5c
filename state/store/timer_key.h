#pragma once

#include <string>
#include <string_view>

#include "schemas/time.h"

namespace cx {

// The key of one timer in the `timers` column family: the deadline as 8 bytes big-endian with
// the sign bit flipped (so that byte order is numeric order, negative deadlines included),
// followed by the customer id. Keys therefore sort by (deadline, customer_id).
inline constexpr size_t kTimerDeadlineBytes = 8;

// Replaces `out` with the key of (deadline, customer_id).
void EncodeTimerKey(EventTime deadline, std::string_view customer_id, std::string& out);

// Splits a timer key. Returns false when `key` is shorter than the deadline prefix. On success
// `customer_id` is a view into `key`.
[[nodiscard]] bool DecodeTimerKey(std::string_view key, EventTime& deadline,
                                  std::string_view& customer_id);

}  // namespace cx
