#pragma once

#include <cmath>
#include <cstdint>

namespace cx::gen {

// SplitMix64 finaliser: a bijective 64-bit mix. Pure; used to derive independent seeds.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A small deterministic random source (SplitMix64, 8 bytes of state) with its own
// distributions, so that the same seed gives the same numbers with every standard library
// (std::uniform_*_distribution does not). Not thread-safe; copyable.
class Rng {
 public:
  explicit constexpr Rng(uint64_t seed = 0) : state_(seed) {}

  constexpr uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); n == 0 gives 0. Multiply-shift reduction (bias below 2^-40 for our n).
  constexpr uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi], both inclusive. Precondition: lo <= hi.
  constexpr int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1) with 53 random bits.
  constexpr double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0 never, p >= 1 always).
  constexpr bool Chance(double p) { return Unit() < p; }

  // Exponentially distributed with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Unit()); }

  // lo plus an exponential duration with mean (mean - lo), in milliseconds, capped at hi.
  // Precondition: lo < mean.
  int64_t ExpMillis(int64_t mean, int64_t lo, int64_t hi) {
    auto v = lo + static_cast<int64_t>(Exponential(static_cast<double>(mean - lo)));
    return v > hi ? hi : v;
  }

  // An index in [0, n) drawn with the given non-negative integer weights (not all zero).
  template <typename Weights>
  constexpr size_t Pick(const Weights& weights) {
    uint64_t total = 0;
    for (auto w : weights) total += w;
    uint64_t r = Below(total);
    size_t i = 0;
    for (auto w : weights) {
      if (r < w) return i;
      r -= w;
      ++i;
    }
    return i - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace cx::gen
