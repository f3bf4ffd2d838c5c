#pragma once

#include <string>
#include <string_view>

#include "state/customer_state.h"

namespace cx {

// Versioned binary codec for CustomerState. The encoding starts with a fixed header
// (format version byte, then last_activity as 8 bytes little-endian) so that the store can read
// the last activity without decoding the rest (eviction). Every older format version still
// decodes: fields added later take their defaults.

// Replaces `out` with the encoding of `state` (reuses out's capacity).
void EncodeCustomerState(const CustomerState& state, std::string& out);

// Decodes `bytes` into `out`. Returns false (and leaves `out` unspecified) when the bytes are
// not a valid encoding of any known version.
[[nodiscard]] bool DecodeCustomerState(std::string_view bytes, CustomerState& out);

// Why `bytes`, which DecodeCustomerState refused, do not decode, as one line without their
// content: "state format vN is newer than this build supports (≤ vM); upgrade cxpulse" when the
// version byte is above the newest this build knows, else that `size` bytes are corrupt.
[[nodiscard]] std::string UndecodableStateReason(std::string_view bytes);

// The last_activity stored in an encoding's header, or EventTime::Min() when the bytes are too
// short to hold one.
[[nodiscard]] EventTime LastActivityOfEncoded(std::string_view bytes);

}  // namespace cx
