#pragma once

#include <optional>
#include <string_view>

#include "schemas/decode_error.h"

namespace cx {

// SPEC §1: every input topic is keyed by `customer_id`; the key decides the partition and so
// the shard that owns the customer's state. A record whose key is null or another customer's
// would be applied to a shard that does not hold that customer (a false breach, a call that
// never closes), so it is a dead letter with code key_mismatch instead.
//
// Returns true when `key` (nullopt: the record has no key) equals `customer_id` byte for byte;
// otherwise sets `why` (key_mismatch on customer_id, with whether the key was null) and returns
// false. Replay has no keys and never calls this.
[[nodiscard]] bool CheckRecordKey(std::optional<std::string_view> key, std::string_view customer_id,
                                  DecodeFailure& why);

}  // namespace cx
