#pragma once

#include <cstddef>

#include "state/customer_state.h"

namespace cx {

// An estimate of the memory a decoded CustomerState holds: the struct itself plus every heap
// block of its vectors and strings (capacity, not size, and malloc's per-block overhead). For
// bounding caches by bytes; not exact (it does not see the allocator's rounding or arenas).
[[nodiscard]] size_t ApproxMemoryBytes(const CustomerState& state);

}  // namespace cx
