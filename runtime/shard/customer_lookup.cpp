#include "runtime/shard/customer_lookup.h"

#include "state/customer_state_codec.h"

namespace cx {

CustomerLookup ReadStoredCustomer(StateStore& store, std::string_view customer_id,
                                  CustomerState& state, std::string& error) {
  std::string bytes;
  StoreResult result = store.GetCustomer(customer_id, bytes);
  if (result.IsError()) {
    error = result.message();
    return CustomerLookup::kError;
  }
  if (result.IsNotFound()) {
    return CustomerLookup::kNotFound;
  }
  return DecodeCustomerState(bytes, state) ? CustomerLookup::kFound : CustomerLookup::kCorrupt;
}

CustomerLookup FindCustomer(Shard& shard, std::string_view customer_id, CustomerState& state,
                            std::string& error) {
  if (shard.cache().Contains(customer_id)) {
    CacheLoad load = shard.cache().GetOrLoad(customer_id);
    if (load.state == nullptr) {
      return CustomerLookup::kNotFound;
    }
    state = *load.state;
    return CustomerLookup::kFound;
  }
  return ReadStoredCustomer(shard.store(), customer_id, state, error);
}

}  // namespace cx
