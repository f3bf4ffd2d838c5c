#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cx {

// The memory limit of a cgroup v2 `memory.max` file, in bytes ("max" = unlimited). Nothing when
// unlimited or not well-formed.
[[nodiscard]] std::optional<uint64_t> MemoryLimitFromCgroupV2(std::string_view memory_max);

// The same from cgroup v1's `memory.limit_in_bytes`, which reads as a number near 2^63 (rounded
// down to a page) when unlimited.
[[nodiscard]] std::optional<uint64_t> MemoryLimitFromCgroupV1(std::string_view limit_in_bytes);

// This process's cgroup memory limit: cgroup v2 (/sys/fs/cgroup/memory.max), else v1
// (/sys/fs/cgroup/memory/memory.limit_in_bytes). Nothing when unlimited or unreadable.
[[nodiscard]] std::optional<uint64_t> ReadCgroupMemoryLimit();

// The memory this process can use: the machine's physical memory, or the cgroup limit when that
// is lower (a Kubernetes pod's limit; the kernel's page cache of the pod counts against it).
// 0 when unknown.
[[nodiscard]] uint64_t AvailableMemoryBytes();

}  // namespace cx
