// A deliberate fault for integration.sanitizer_reports (ASan+UBSan builds only): proves that a
// sanitizer report from a process the integration tests start fails the test. Never part of
// cxpulse. Usage: sanitizer_canary heap|undefined|none
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "none";
  if (std::strcmp(mode, "heap") == 0) {
    auto bytes = std::make_unique<char[]>(8);
    volatile int index = 8;  // one past the end, decided at run time
    bytes[index] = 1;        // heap-buffer-overflow
    std::printf("%d\n", bytes[0]);
  } else if (std::strcmp(mode, "undefined") == 0) {
    volatile int big = INT_MAX;
    std::printf("%d\n", big + 1);  // signed integer overflow
  }
  return 0;
}
