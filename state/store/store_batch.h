#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/time.h"

namespace cx {

// One kind of write in a StoreBatch.
enum class StoreOp : uint8_t {
  kPutCustomer,     // key: customer id, value: encoded CustomerState
  kDeleteCustomer,  // key: customer id
  kPutTimer,        // key: timer key (state/store/timer_key.h)
  kDeleteTimer,     // key: timer key
  kPutMeta,         // key: meta key, value: meta value
  kDeleteMeta,      // key: meta key
};

// Writes to apply atomically with StateStore::Commit: all of them or none. A plain value that
// owns copies of its keys and values in one flat buffer; it does not refer to any store, so it
// can be built before the store is known and reused (Clear keeps the capacity). Later writes to
// the same key win. Not thread-safe.
class StoreBatch {
 public:
  void PutCustomer(std::string_view customer_id, std::string_view encoded_state);
  void DeleteCustomer(std::string_view customer_id);
  // A timer of `customer_id` due at `deadline` (several per customer are allowed).
  void PutTimer(EventTime deadline, std::string_view customer_id);
  void DeleteTimer(EventTime deadline, std::string_view customer_id);
  void PutMeta(std::string_view key, std::string_view value);
  void DeleteMeta(std::string_view key);

  // Number of writes, and the size of the buffer holding them.
  size_t Count() const { return count_; }
  size_t ByteSize() const { return rep_.size(); }
  bool Empty() const { return count_ == 0; }
  // Forgets every write; keeps the buffer's capacity.
  void Clear();

  // Calls fn(StoreOp, std::string_view key, std::string_view value) for every write in the
  // order they were added (value is empty for deletes and timers). Used by the store.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    size_t pos = 0;
    while (pos < rep_.size()) {
      const auto op = static_cast<StoreOp>(rep_[pos]);
      pos += 1;
      const std::string_view key = ReadField(pos);
      const std::string_view value = ReadField(pos);
      fn(op, key, value);
    }
  }

 private:
  void Append(StoreOp op, std::string_view key, std::string_view value);
  void AppendField(std::string_view field);
  std::string_view ReadField(size_t& pos) const;

  // Records: op byte, key length (u32 little-endian), key, value length, value.
  std::string rep_;
  size_t count_ = 0;
  std::string scratch_key_;
};

}  // namespace cx
