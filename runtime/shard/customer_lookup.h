#pragma once

#include <string>
#include <string_view>

#include "runtime/shard/shard.h"
#include "state/customer_state.h"
#include "state/store/state_store.h"

namespace cx {

enum class CustomerLookup {
  kFound,
  kNotFound,
  // The stored bytes do not decode (a state written by a newer, incompatible version).
  kCorrupt,
};

// One customer's committed state from a shard's store (`cxpulse state get`, the changelog
// restore). Sets `state` only when found. The error when the store failed.
[[nodiscard]] Result<CustomerLookup> ReadStoredCustomer(StateStore& store,
                                                        std::string_view customer_id,
                                                        CustomerState& state);

// One customer's current state in a live shard (`/customers/{id}`): the cached state when it is
// cached (it may hold changes not committed yet), else the stored one.
[[nodiscard]] Result<CustomerLookup> FindCustomer(Shard& shard, std::string_view customer_id,
                                                  CustomerState& state);

}  // namespace cx
