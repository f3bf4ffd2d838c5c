#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cx {

// The customers that left a CustomerCache's memory, as a Bloom filter over their ids' 64-bit
// hashes (CustomerKey::hash), so that a miss of a customer who never left, i.e. a first
// sighting, needs no store read. MayContain is true for every hash added (no false negatives)
// and, for a hash never added, with a probability of ≈ 0.5 % per full layer.
//
// Split-block Bloom filter, the layout of Apache Parquet's bloom filter spec: a hash selects a
// 32-byte block and sets one bit in each of its eight words, so a lookup reads one cache line.
// The hashes given need not be uniform in every bit (a replay slice's all share their top
// bits): the filter mixes each again before it picks the block and the bits.
// RocksDB's own filters answer the same question per table file and level, a cache miss each;
// its dynamic filter is not in its public headers, and Debian has no C++ Bloom filter library.
// The filter grows by layers: the first holds 1 024 hashes (1.5 KiB, small against the
// smallest cache budget), each next one twice the one before, at 12 bits per hash; a lookup
// reads one block per layer (≈ 1.5 to 3 bytes per customer added, 11 layers at 2 M customers,
// 14 at 16 M; the small ones stay in the CPU's caches).
class DepartedFilter {
 public:
  static constexpr uint64_t kFirstLayerHashes = 1024;
  static constexpr uint64_t kBitsPerHash = 12;
  static constexpr uint64_t kBlockBits = 256;
  static constexpr size_t kFirstLayerBytes = kFirstLayerHashes * kBitsPerHash / 8;

  // Adds `hash`; the bytes of memory this took (a new layer's), or 0.
  size_t Add(uint64_t hash);
  [[nodiscard]] bool MayContain(uint64_t hash) const;
  // Loads the blocks MayContain(hash) will read into the CPU's caches.
  void Prefetch(uint64_t hash) const;
  [[nodiscard]] bool empty() const { return layers_.empty(); }
  // Hashes added.
  [[nodiscard]] uint64_t size() const { return added_; }
  // Memory of its layers (the cache checks it at each eviction and packing step: kept, not summed).
  [[nodiscard]] size_t bytes() const { return bytes_; }
  void Clear();

 private:
  struct alignas(32) Block {
    std::array<uint32_t, 8> words;
  };
  struct Layer {
    std::vector<Block> blocks;
    uint64_t capacity = 0;  // hashes it takes before the next layer starts
    uint64_t added = 0;
  };
  // The block of `layer` that `hash` sets or tests.
  static size_t BlockIndex(const Layer& layer, uint64_t hash);

  std::vector<Layer> layers_;
  uint64_t added_ = 0;
  size_t bytes_ = 0;
};

}  // namespace cx
