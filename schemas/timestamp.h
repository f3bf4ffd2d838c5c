#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schemas/time.h"

namespace cx {

// The range of integer epoch milliseconds accepted as `ts`: 1970-01-01T00:00:00.000Z to
// 9999-12-31T23:59:59.999Z.
inline constexpr int64_t kMinEpochMillis = 0;
inline constexpr int64_t kMaxEpochMillis = 253'402'300'799'999;

// Parses an RFC 3339 date-time with a mandatory offset: "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|
// -HH:MM)". `T` and `Z` may be lower case; the fraction may have any number of digits and is
// truncated to milliseconds; the date is calendar-checked (leap years); seconds 60 (leap
// seconds) are rejected. Pure arithmetic: no C library time zone functions. Returns false and
// leaves `out` untouched on any deviation.
[[nodiscard]] bool ParseRfc3339(std::string_view text, EventTime& out);

// Appends `t` as RFC 3339 UTC with milliseconds, e.g. "2026-10-05T09:03:00.000Z" (24 bytes).
// Instants outside years 0000..9999 are clamped to that range.
void AppendRfc3339Millis(EventTime t, std::string& out);
// The same 24 bytes into `out`.
void FormatRfc3339Millis(EventTime t, char (&out)[24]);

}  // namespace cx
