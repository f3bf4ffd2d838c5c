#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cx {

// Stable hashes (FNV-1a): the same bytes give the same value on every platform, build and run,
// unlike std::hash. Used for ids that must survive re-processing and for compact state keys.

// 64-bit FNV-1a of `bytes`.
[[nodiscard]] constexpr uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// 128-bit FNV-1a over `parts`, each prefixed with its length so that ("ab","c") != ("a","bc").
[[nodiscard]] inline unsigned __int128 Fnv1a128(std::initializer_list<std::string_view> parts) {
  constexpr unsigned __int128 kPrime =
      (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  unsigned __int128 h =
      (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
  auto mix = [&](uint8_t byte) {
    h ^= byte;
    h *= kPrime;
  };
  for (std::string_view part : parts) {
    uint64_t n = part.size();
    for (int i = 0; i < 4; ++i) mix(static_cast<uint8_t>(n >> (8 * i)));
    for (char c : part) mix(static_cast<uint8_t>(c));
  }
  return h;
}

// 32 lowercase hex digits of Fnv1a128(parts): the deterministic alert_id / signal_id.
[[nodiscard]] inline std::string StableId(std::initializer_list<std::string_view> parts) {
  static constexpr char kHex[] = "0123456789abcdef";
  const unsigned __int128 h = Fnv1a128(parts);
  auto high = static_cast<uint64_t>(h >> 64);
  auto low = static_cast<uint64_t>(h);
  std::string out(32, '0');
  // Each half on its own: 64-bit shifts instead of 128-bit ones (a third of an id's cost).
  for (size_t i = 16; i-- > 0;) {
    out[i] = kHex[high & 0xF];
    out[16 + i] = kHex[low & 0xF];
    high >>= 4;
    low >>= 4;
  }
  return out;
}

}  // namespace cx
