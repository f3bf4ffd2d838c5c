#include "runtime/shard/customer_lookup.h"

#include "state/customer_state_codec.h"

namespace cx {

Result<CustomerLookup> ReadStoredCustomer(StateStore& store, std::string_view customer_id,
                                          CustomerState& state) {
  std::string bytes;
  StoreResult result = store.GetCustomer(customer_id, bytes);
  if (result.IsError()) {
    return Err(result.message());
  }
  if (result.IsNotFound()) {
    return CustomerLookup::kNotFound;
  }
  return DecodeCustomerState(bytes, state) ? CustomerLookup::kFound : CustomerLookup::kCorrupt;
}

Result<CustomerLookup> FindCustomer(Shard& shard, std::string_view customer_id,
                                    CustomerState& state) {
  if (shard.cache().Contains(customer_id)) {
    Result<CustomerState*> load = shard.cache().GetOrLoad(customer_id);
    if (!load) {
      return CustomerLookup::kNotFound;
    }
    state = **load;
    return CustomerLookup::kFound;
  }
  return ReadStoredCustomer(shard.store(), customer_id, state);
}

}  // namespace cx
