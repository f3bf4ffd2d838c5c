#pragma once

#include <atomic>
#include <chrono>

#include "schemas/time.h"

namespace cx {

// Monotonic time (never jumps): for waits, deadlines and latencies, never stored or emitted.
using MonotonicTime = std::chrono::steady_clock::time_point;

// The clocks, injected into the runtime so tests can move time by hand. The processors never
// see a clock: they get time as a value.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time as milliseconds since the Unix epoch. Thread-safe.
  [[nodiscard]] virtual EventTime Now() const = 0;
  // Current monotonic time. Thread-safe.
  [[nodiscard]] virtual MonotonicTime Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] EventTime Now() const override {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return EventTime::FromMillis(
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
  }
  [[nodiscard]] MonotonicTime Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

// A clock that moves only when told to; its monotonic time moves with its wall clock (and
// never back: Set() to an earlier time is for the wall clock only). Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(EventTime start) : now_ms_(start.ms) {}
  [[nodiscard]] EventTime Now() const override { return EventTime::FromMillis(now_ms_.load()); }
  [[nodiscard]] MonotonicTime Monotonic() const override {
    return MonotonicTime(std::chrono::milliseconds(monotonic_ms_.load()));
  }
  void Set(EventTime t) {
    int64_t before = now_ms_.exchange(t.ms);
    if (t.ms > before) monotonic_ms_.fetch_add(t.ms - before);
  }
  void Advance(Duration d) {
    now_ms_.fetch_add(d.ms);
    monotonic_ms_.fetch_add(d.ms);
  }

 private:
  std::atomic<int64_t> now_ms_;
  // Starts at 1 s so that no reading equals MonotonicTime{} ("not set" in some callers).
  std::atomic<int64_t> monotonic_ms_{1000};
};

}  // namespace cx
