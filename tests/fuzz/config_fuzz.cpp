// Fuzz target for the configuration loader (runtime/config/config.h): any text must load or be
// refused with one line per problem, each naming its origin, never crash or throw. A text that
// loads, loads again to the same configuration. Run by tests/fuzz/tests.cmake (fuzz.config)
// and, for long runs, by tests/fuzz/run_fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/config/config.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr std::string_view kOrigin = "fuzz.yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cx::AppConfig config;
  const cx::Result<void> loaded = cx::LoadConfigText(text, kOrigin, config);
  if (!loaded) {
    const std::string& message = loaded.error().message();
    Check(!message.empty());
    size_t start = 0;
    while (start <= message.size()) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      Check(std::string_view(message).substr(start, end - start).starts_with(kOrigin));
      start = end + 1;
    }
    return 0;
  }
  cx::AppConfig again;
  Check(cx::LoadConfigText(text, kOrigin, again).ok());
  Check(again == config);
  return 0;
}
