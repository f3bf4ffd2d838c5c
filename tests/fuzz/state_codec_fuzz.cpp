// Fuzz target for the customer-state codec (state/customer_state_codec.h): stored bytes come
// back from RocksDB and the changelog, so any bytes must decode or be refused, never crash.
// Checks that an accepted encoding re-encodes to a canonical form that decodes to the same
// encoding again, that its header's last activity is the decoded one, that a strict prefix or a
// newer format version of it is refused. Run by tests/fuzz/tests.cmake (fuzz.state_codec) and,
// for long runs, by tests/fuzz/run_fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "state/customer_state_codec.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

// The newest format version this build knows: the version byte of any encoding it writes (a
// constant here went stale when the codec moved to v4, and a valid v4 state "crashed").
uint8_t NewestVersion() {
  static const uint8_t newest = [] {
    std::string encoded;
    cx::EncodeCustomerState(cx::CustomerState{}, encoded);
    return static_cast<uint8_t>(encoded[0]);
  }();
  return newest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cx::CustomerState state;
  const bool ok = cx::DecodeCustomerState(bytes, state);
  const cx::EventTime header = cx::LastActivityOfEncoded(bytes);
  if (size > 0 && static_cast<uint8_t>(bytes[0]) > NewestVersion()) Check(!ok);
  if (!ok) return 0;
  Check(state.last_activity == header);

  std::string once;
  cx::EncodeCustomerState(state, once);
  Check(static_cast<uint8_t>(once[0]) == NewestVersion());
  Check(cx::LastActivityOfEncoded(once) == state.last_activity);
  cx::CustomerState again;
  Check(cx::DecodeCustomerState(once, again));
  std::string twice;
  cx::EncodeCustomerState(again, twice);
  Check(once == twice);

  cx::CustomerState refused;
  Check(!cx::DecodeCustomerState(std::string_view(once).substr(0, once.size() - 1), refused));
  std::string newer = once;
  newer[0] = static_cast<char>(static_cast<uint8_t>(newer[0]) + 1);
  Check(!cx::DecodeCustomerState(newer, refused));
  return 0;
}
