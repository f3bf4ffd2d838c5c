#include "runtime/shard/record_key.h"

namespace cx {

bool CheckRecordKey(std::optional<std::string_view> key, std::string_view customer_id,
                    DecodeFailure& why) {
  if (key.has_value() && *key == customer_id) {
    return true;
  }
  why.error = DecodeError::kKeyMismatch;
  why.field = "customer_id";
  why.detail = key.has_value() ? "the record is keyed by another value" : "the record has no key";
  return false;
}

}  // namespace cx
