#include "state/store/timer_key.h"

#include <cstdint>

namespace cx {

namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void EncodeTimerKey(EventTime deadline, std::string_view customer_id, std::string& out) {
  const uint64_t biased = static_cast<uint64_t>(deadline.ms) ^ kSignBit;
  out.clear();
  out.reserve(kTimerDeadlineBytes + customer_id.size());
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((biased >> shift) & 0xff));
  }
  out.append(customer_id);
}

bool DecodeTimerKey(std::string_view key, EventTime& deadline, std::string_view& customer_id) {
  if (key.size() < kTimerDeadlineBytes) {
    return false;
  }
  uint64_t biased = 0;
  for (size_t i = 0; i < kTimerDeadlineBytes; ++i) {
    biased = (biased << 8) | static_cast<uint8_t>(key[i]);
  }
  deadline = EventTime::FromMillis(static_cast<int64_t>(biased ^ kSignBit));
  customer_id = key.substr(kTimerDeadlineBytes);
  return true;
}

}  // namespace cx
