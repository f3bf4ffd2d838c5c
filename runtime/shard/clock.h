#pragma once

#include <atomic>
#include <chrono>

#include "schemas/time.h"

namespace cx {

// The wall clock, injected into the runtime so tests can move time by hand. The processors
// never see a clock: they get time as a value.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current wall-clock time as milliseconds since the Unix epoch. Thread-safe.
  [[nodiscard]] virtual EventTime Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] EventTime Now() const override {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return EventTime::FromMillis(
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(EventTime start) : now_ms_(start.ms) {}
  [[nodiscard]] EventTime Now() const override { return EventTime::FromMillis(now_ms_.load()); }
  void Set(EventTime t) { now_ms_.store(t.ms); }
  void Advance(Duration d) { now_ms_.fetch_add(d.ms); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace cx
