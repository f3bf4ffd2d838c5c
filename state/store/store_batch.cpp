#include "state/store/store_batch.h"

#include "state/store/timer_key.h"

namespace cx {

namespace {

constexpr size_t kLengthBytes = 4;

}  // namespace

void StoreBatch::PutCustomer(std::string_view customer_id, std::string_view encoded_state) {
  Append(StoreOp::kPutCustomer, customer_id, encoded_state);
}

void StoreBatch::DeleteCustomer(std::string_view customer_id) {
  Append(StoreOp::kDeleteCustomer, customer_id, {});
}

void StoreBatch::PutTimer(EventTime deadline, std::string_view customer_id) {
  EncodeTimerKey(deadline, customer_id, scratch_key_);
  Append(StoreOp::kPutTimer, scratch_key_, {});
}

void StoreBatch::DeleteTimer(EventTime deadline, std::string_view customer_id) {
  EncodeTimerKey(deadline, customer_id, scratch_key_);
  Append(StoreOp::kDeleteTimer, scratch_key_, {});
}

void StoreBatch::PutMeta(std::string_view key, std::string_view value) {
  Append(StoreOp::kPutMeta, key, value);
}

void StoreBatch::DeleteMeta(std::string_view key) { Append(StoreOp::kDeleteMeta, key, {}); }

void StoreBatch::Clear() {
  rep_.clear();
  count_ = 0;
}

void StoreBatch::Append(StoreOp op, std::string_view key, std::string_view value) {
  rep_.push_back(static_cast<char>(op));
  AppendField(key);
  AppendField(value);
  ++count_;
}

void StoreBatch::AppendField(std::string_view field) {
  const auto size = static_cast<uint32_t>(field.size());
  for (size_t i = 0; i < kLengthBytes; ++i) {
    rep_.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  }
  rep_.append(field);
}

std::string_view StoreBatch::ReadField(size_t& pos) const {
  uint32_t size = 0;
  for (size_t i = 0; i < kLengthBytes; ++i) {
    size |= static_cast<uint32_t>(static_cast<uint8_t>(rep_[pos + i])) << (8 * i);
  }
  pos += kLengthBytes;
  const std::string_view field(rep_.data() + pos, size);
  pos += size;
  return field;
}

}  // namespace cx
