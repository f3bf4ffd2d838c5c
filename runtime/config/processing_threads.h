#pragma once

#include <optional>
#include <string_view>

namespace cx {

// The most processing threads `processing.threads` may ask for. Each thread is a consumer group
// member with its own producer, so more than the input partitions is never useful either.
constexpr int kMaxProcessingThreads = 256;

// The CPU limit of a cgroup v2 `cpu.max` file ("<quota> <period>", quota "max" = unlimited),
// in CPUs (e.g. "200000 100000" -> 2.0). Nothing when unlimited or not well-formed.
[[nodiscard]] std::optional<double> CpuLimitFromCgroupV2(std::string_view cpu_max);

// The same from cgroup v1's `cpu.cfs_quota_us` and `cpu.cfs_period_us` (quota -1 = unlimited).
[[nodiscard]] std::optional<double> CpuLimitFromCgroupV1(std::string_view cfs_quota_us,
                                                         std::string_view cfs_period_us);

// The processing threads to run: `configured` when it is 1 or more; else (0 = auto) the cores
// available: the CPU limit rounded down (a fractional core would be throttled, not used), at
// least 1, at most `hardware_threads`; without a limit `hardware_threads` (0 = unknown -> 1).
[[nodiscard]] int ResolveProcessingThreads(int configured, std::optional<double> cpu_limit,
                                           unsigned hardware_threads);

// This process's cgroup CPU limit: cgroup v2 (/sys/fs/cgroup/cpu.max), else v1
// (/sys/fs/cgroup/cpu{,,cpuacct}/cpu.cfs_quota_us and cpu.cfs_period_us). Nothing when unlimited
// or unreadable (not in a container, no cgroup fs).
[[nodiscard]] std::optional<double> ReadCgroupCpuLimit();

// ResolveProcessingThreads with ReadCgroupCpuLimit() and std::thread::hardware_concurrency().
[[nodiscard]] int AvailableProcessingThreads(int configured);

}  // namespace cx
