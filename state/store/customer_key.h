#pragma once

#include <cstddef>
#include <string_view>

#include <absl/hash/hash.h>

namespace cx {

// A customer id with its hash, computed once for the several lookups of one event or timer (the
// customer cache's index, the shard's timer table: both hash with CustomerIdHash). Views `id`:
// the bytes must outlive the key.
struct CustomerKey {
  explicit CustomerKey(std::string_view customer_id)
      : id(customer_id), hash(absl::Hash<std::string_view>{}(customer_id)) {}
  // With the hash computed before (it must be the one the constructor above computes).
  CustomerKey(std::string_view customer_id, size_t customer_hash)
      : id(customer_id), hash(customer_hash) {}
  std::string_view id;
  size_t hash;
};

// The hash and equality of tables keyed by customer id (std::string): transparent, so that a
// lookup by std::string_view builds no string and one by CustomerKey hashes nothing (Debian's
// absl has its own string_view, which its default string hash expects).
struct CustomerIdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const { return absl::Hash<std::string_view>{}(id); }
  size_t operator()(const CustomerKey& key) const { return key.hash; }
};
struct CustomerIdEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const CustomerKey& a, std::string_view b) const { return a.id == b; }
  bool operator()(std::string_view a, const CustomerKey& b) const { return a == b.id; }
};

}  // namespace cx
