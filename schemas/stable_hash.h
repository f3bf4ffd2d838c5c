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

// 128-bit FNV-1a over length-prefixed parts, fed one part at a time:
// StableHasher().Part("ab").Part("c") hashes what Fnv1a128({"ab", "c"}) does. A part may also
// be fed in pieces (BeginPart with its whole size, then Piece until that many bytes): the same
// value as the joined part, without building it. Copyable, so a shared prefix (a customer's id,
// the first part of every id a rule emits) is hashed once and continued for each id.
class StableHasher {
 public:
  // One whole part: its length (4 bytes, little-endian), then its bytes.
  StableHasher& Part(std::string_view part) { return BeginPart(part.size()).Piece(part); }
  // Starts a part of `size` bytes, to be fed by Piece calls whose sizes add up to `size`.
  StableHasher& BeginPart(uint64_t size) {
    unsigned __int128 h = h_;
    for (int i = 0; i < 4; ++i) h = Mixed(h, static_cast<uint8_t>(size >> (8 * i)));
    h_ = h;
    return *this;
  }
  StableHasher& Piece(std::string_view bytes) {
    // Mixed into a local, stored once: the member would be stored after every byte, since the
    // bytes read through a char pointer may alias it.
    unsigned __int128 h = h_;
    for (char c : bytes) h = Mixed(h, static_cast<uint8_t>(c));
    h_ = h;
    return *this;
  }
  // One part made of `pieces` joined, hashed without joining them.
  StableHasher& JoinedPart(std::initializer_list<std::string_view> pieces) {
    uint64_t size = 0;
    for (std::string_view piece : pieces) size += piece.size();
    BeginPart(size);
    for (std::string_view piece : pieces) Piece(piece);
    return *this;
  }
  [[nodiscard]] unsigned __int128 Value() const { return h_; }
  // 32 lowercase hex digits of Value(): the deterministic alert_id / signal_id.
  [[nodiscard]] std::string Id() const {
    static constexpr char kHex[] = "0123456789abcdef";
    auto high = static_cast<uint64_t>(h_ >> 64);
    auto low = static_cast<uint64_t>(h_);
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

 private:
  static constexpr unsigned __int128 kPrime =
      (static_cast<unsigned __int128>(0x0000000001000000ULL) << 64) | 0x000000000000013BULL;
  static constexpr unsigned __int128 Mixed(unsigned __int128 h, uint8_t byte) {
    return (h ^ byte) * kPrime;
  }
  unsigned __int128 h_ =
      (static_cast<unsigned __int128>(0x6c62272e07bb0142ULL) << 64) | 0x62b821756295c58dULL;
};

// 128-bit FNV-1a over `parts`, each prefixed with its length so that ("ab","c") != ("a","bc").
[[nodiscard]] inline unsigned __int128 Fnv1a128(std::initializer_list<std::string_view> parts) {
  StableHasher h;
  for (std::string_view part : parts) h.Part(part);
  return h.Value();
}

// 32 lowercase hex digits of Fnv1a128(parts): the deterministic alert_id / signal_id.
[[nodiscard]] inline std::string StableId(std::initializer_list<std::string_view> parts) {
  StableHasher h;
  for (std::string_view part : parts) h.Part(part);
  return h.Id();
}

}  // namespace cx
