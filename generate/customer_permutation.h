#pragma once

#include <array>
#include <cstdint>

#include "generate/rng.h"

namespace cx::gen {

// A keyed bijection of [0, n) (a 4-round Feistel network over the smallest even number of bits
// covering n, with cycle walking), so customers arrive in a shuffled order of their numbers.
// Pure and deterministic in (n, key). Precondition for operator(): index < n.
class CustomerPermutation {
 public:
  CustomerPermutation(uint64_t n, uint64_t key) : n_(n) {
    while (half_bits_ < 32 && (uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
    mask_ = (uint64_t{1} << half_bits_) - 1;
    for (size_t i = 0; i < keys_.size(); ++i) keys_[i] = Mix64(key + i);
  }

  uint64_t operator()(uint64_t index) const {
    uint64_t v = index;
    do {
      v = Encrypt(v);
    } while (v >= n_);
    return v;
  }

 private:
  uint64_t Encrypt(uint64_t v) const {
    uint64_t left = v >> half_bits_;
    uint64_t right = v & mask_;
    for (uint64_t k : keys_) {
      uint64_t next = left ^ (Mix64(right ^ k) & mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  uint64_t n_;
  unsigned half_bits_ = 1;
  uint64_t mask_ = 1;
  std::array<uint64_t, 4> keys_{};
};

}  // namespace cx::gen
