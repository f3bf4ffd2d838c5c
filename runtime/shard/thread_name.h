#pragma once

#include <pthread.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace cx {

// Linux lets a thread name hold 15 bytes (plus the terminating zero).
inline constexpr size_t kMaxThreadNameBytes = 15;

// Names the calling thread, as `top -H`, `ps -L`, `perf` and gdb show it and /proc/<pid>/task/
// <tid>/comm holds it: "cx-" and what the thread does (cx-read, cx-commit, cx-proc-0, ...), so
// that an operator can tell which of cxpulse's threads uses a core. Longer names are cut to
// kMaxThreadNameBytes. Never the main thread: its name is the process's (`pgrep cxpulse`).
// Header-only, so that every part of runtime/ can name its threads without linking the shard.
inline void NameThisThread(std::string_view name) {
  std::array<char, kMaxThreadNameBytes + 1> buffer{};
  const size_t length = std::min(name.size(), kMaxThreadNameBytes);
  std::copy_n(name.data(), length, buffer.data());
  // Fails only for a name that is too long; a thread that keeps its old name still works.
  (void)pthread_setname_np(pthread_self(), buffer.data());
}

}  // namespace cx
