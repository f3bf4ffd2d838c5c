#pragma once

#include <cstdint>

#include "schemas/event.h"
#include "schemas/time.h"

namespace cx {

// Everything cxpulse remembers about one customer. A plain value type: copyable, comparable,
// no pointers into other objects. The rules in processors/ are functions over it; the codec in
// state/customer_state_codec.h persists it.
struct CustomerState {
  // Latest event time applied to this customer (drives eviction after inactivity).
  EventTime last_activity = EventTime::Min();
  // Latest `tier` seen.
  Tier tier = Tier::kUnset;

  bool operator==(const CustomerState&) const = default;
};

}  // namespace cx
