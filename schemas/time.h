#pragma once

#include <compare>
#include <cstdint>

namespace cx {

// A span of time in milliseconds. Plain value; may be negative.
struct Duration {
  int64_t ms = 0;

  static constexpr Duration Millis(int64_t v) { return Duration{v}; }
  static constexpr Duration Seconds(int64_t v) { return Duration{v * 1000}; }
  static constexpr Duration Minutes(int64_t v) { return Duration{v * 60'000}; }
  static constexpr Duration Hours(int64_t v) { return Duration{v * 3'600'000}; }
  static constexpr Duration Days(int64_t v) { return Duration{v * 86'400'000}; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 flags the defaulted <=> (LLVM #46235).
  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration{ms + o.ms}; }
  constexpr Duration operator-(Duration o) const { return Duration{ms - o.ms}; }
  constexpr Duration operator*(int64_t k) const { return Duration{ms * k}; }
};

// An instant of event time: milliseconds since the Unix epoch, UTC. Event time is the only
// notion of time inside the core; the wall clock lives in runtime/ and is passed in as a value.
struct EventTime {
  int64_t ms = 0;

  static constexpr EventTime FromMillis(int64_t v) { return EventTime{v}; }
  // The smallest representable instant: "no time yet".
  static constexpr EventTime Min() { return EventTime{INT64_MIN / 2}; }
  static constexpr EventTime Max() { return EventTime{INT64_MAX / 2}; }

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 flags the defaulted <=> (LLVM #46235).
  constexpr auto operator<=>(const EventTime&) const = default;
  constexpr EventTime operator+(Duration d) const { return EventTime{ms + d.ms}; }
  constexpr EventTime operator-(Duration d) const { return EventTime{ms - d.ms}; }
  constexpr Duration operator-(EventTime o) const { return Duration{ms - o.ms}; }
};

}  // namespace cx
