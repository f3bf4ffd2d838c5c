#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cx {

// Helpers for reading the one-line files of the cgroup filesystem (processing_threads.h,
// memory_limit.h).

// `text` without leading and trailing blanks and line ends.
[[nodiscard]] std::string_view TrimBlanks(std::string_view text);

// A whole decimal integer and nothing else.
[[nodiscard]] std::optional<int64_t> ParseWholeInteger(std::string_view text);

// The first line of the file at `path`; nothing when it cannot be read.
[[nodiscard]] std::optional<std::string> ReadFirstLine(const std::string& path);

}  // namespace cx
