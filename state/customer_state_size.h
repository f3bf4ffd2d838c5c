#pragma once

#include <cstddef>

#include "state/customer_state.h"

namespace cx {

// An estimate of the memory a decoded CustomerState holds: the struct itself plus every heap
// block of its vectors and strings (capacity, not size, and malloc's per-block overhead). For
// bounding caches by bytes; not exact (it does not see the allocator's rounding or arenas).
[[nodiscard]] size_t ApproxMemoryBytes(const CustomerState& state);

// Gives back the capacity `state`'s vectors hold beyond their elements (an emptied vector frees
// its block). Vectors grow by doubling while events arrive and windows prune them without
// shrinking, so a customer that went quiet otherwise keeps up to half of each block unused.
// Changes no value (the state compares equal); invalidates pointers into its vectors.
void ReleaseSlack(CustomerState& state);

}  // namespace cx
