#include "runtime/config/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <string>

#include "runtime/config/cgroup_files.h"

namespace cx {
namespace {

// cgroup v1 reports "unlimited" as PAGE_COUNTER_MAX pages, 2^63 - 4096 on x86-64 with 4 KiB
// pages; anything from 2^62 up is no limit a machine has.
constexpr uint64_t kNoLimit = uint64_t{1} << 62;

std::optional<uint64_t> Limit(std::optional<int64_t> bytes) {
  if (!bytes || *bytes <= 0 || static_cast<uint64_t>(*bytes) >= kNoLimit) return std::nullopt;
  return static_cast<uint64_t>(*bytes);
}

}  // namespace

std::optional<uint64_t> MemoryLimitFromCgroupV2(std::string_view memory_max) {
  memory_max = TrimBlanks(memory_max);
  if (memory_max == "max") return std::nullopt;
  return Limit(ParseWholeInteger(memory_max));
}

std::optional<uint64_t> MemoryLimitFromCgroupV1(std::string_view limit_in_bytes) {
  return Limit(ParseWholeInteger(TrimBlanks(limit_in_bytes)));
}

std::optional<uint64_t> ReadCgroupMemoryLimit() {
  if (std::optional<std::string> v2 = ReadFirstLine("/sys/fs/cgroup/memory.max")) {
    return MemoryLimitFromCgroupV2(*v2);
  }
  if (std::optional<std::string> v1 =
          ReadFirstLine("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
    return MemoryLimitFromCgroupV1(*v1);
  }
  return std::nullopt;
}

uint64_t AvailableMemoryBytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  uint64_t bytes = pages > 0 && page_size > 0
                       ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                       : 0;
  if (std::optional<uint64_t> limit = ReadCgroupMemoryLimit()) {
    bytes = bytes == 0 ? *limit : std::min(bytes, *limit);
  }
  return bytes;
}

}  // namespace cx
