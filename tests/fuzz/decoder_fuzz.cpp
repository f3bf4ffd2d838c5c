// libFuzzer target for cx::Decoder (build and run with tests/fuzz/run_fuzz.sh). Checks that
// decoding never crashes, that results are deterministic, that the padded variant agrees with
// the copying one, and that accepted events satisfy the Event invariants.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "schemas/decoder.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cx::Decoder decoder;
  static cx::Decoder padded_decoder;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cx::Event event;
  cx::DecodeFailure why;
  const cx::DecodeError error = decoder.Decode(bytes, cx::EventTime::Max(), event, why);
  Check(why.error == error);
  Check(!cx::ToString(error).empty());

  std::vector<char> padded(size + cx::kDecoderPadding, '\0');
  if (size > 0) std::memcpy(padded.data(), data, size);
  cx::Event event2;
  cx::DecodeFailure why2;
  const cx::DecodeError error2 = padded_decoder.DecodePadded(std::string_view(padded.data(), size),
                                                             cx::EventTime::Max(), event2, why2);
  Check(error2 == error);
  Check(why2.field == why.field);

  if (error == cx::DecodeError::kOk) {
    Check(size <= cx::kMaxEventBytes);
    Check(!event.event_id.empty() && !event.customer_id.empty());
    Check(event.event_id == event2.event_id && event.ts == event2.ts);
    Check(event.type != cx::EventType::kSurvey || event.score >= 0);
    Check(event.type == cx::EventType::kSurvey || event.type == cx::EventType::kClick ||
          !event.contact_id.empty());
    Check(decoder.Decode(bytes, event.ts - cx::Duration::Millis(1), event2, why2) ==
          cx::DecodeError::kFutureTimestamp);
  }
  return 0;
}
