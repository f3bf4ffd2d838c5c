#pragma once

#include <cstddef>

#include "state/customer_state.h"

namespace cx {

// The bytes a heap block asked for with `n` bytes takes: the size class jemalloc (the binary's
// malloc) rounds it up to (16-byte steps up to 128, then four classes per doubling: 160, 192,
// 224, 256, 320, ...). Measured against jemalloc's own count with bench/cache_memory. A build on
// glibc's malloc spends about as much (an 8-byte header, 16-byte steps).
[[nodiscard]] constexpr size_t AllocationBytes(size_t n) {
  if (n == 0) return 0;
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~size_t{15};
  size_t lg = 0;
  for (size_t v = n - 1; v > 1; v >>= 1) ++lg;  // floor(log2(n - 1))
  const size_t step = size_t{1} << (lg - 2);
  return (n + step - 1) & ~(step - 1);
}

// An estimate of the memory a decoded CustomerState holds: the struct itself plus every heap
// block of its vectors and strings (capacity, not size, rounded to the allocator's size class).
// For bounding caches by bytes; not exact (it does not see the allocator's partly used pages).
[[nodiscard]] size_t ApproxMemoryBytes(const CustomerState& state);

// The heap block of a string with this capacity (none while it fits the string itself).
[[nodiscard]] constexpr size_t StringHeapBytes(size_t capacity) {
  // libstdc++'s small-string buffer holds 15 bytes.
  return capacity <= 15 ? 0 : AllocationBytes(capacity + 1);
}

// Gives back the capacity `state`'s vectors hold beyond their elements (an emptied vector frees
// its block). Vectors grow by doubling while events arrive and windows prune them without
// shrinking, so a customer that went quiet otherwise keeps up to half of each block unused.
// Changes no value (the state compares equal); invalidates pointers into its vectors.
void ReleaseSlack(CustomerState& state);

}  // namespace cx
