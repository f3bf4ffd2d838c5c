#include "runtime/config/processing_threads.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>

#include "runtime/config/cgroup_files.h"

namespace cx {
namespace {

std::optional<double> Ratio(std::optional<int64_t> quota, std::optional<int64_t> period) {
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

}  // namespace

std::optional<double> CpuLimitFromCgroupV2(std::string_view cpu_max) {
  cpu_max = TrimBlanks(cpu_max);
  size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view quota = cpu_max.substr(0, space);
  std::string_view period = TrimBlanks(cpu_max.substr(space + 1));
  if (quota == "max") return std::nullopt;
  return Ratio(ParseWholeInteger(quota), ParseWholeInteger(period));
}

std::optional<double> CpuLimitFromCgroupV1(std::string_view cfs_quota_us,
                                           std::string_view cfs_period_us) {
  return Ratio(ParseWholeInteger(TrimBlanks(cfs_quota_us)),
               ParseWholeInteger(TrimBlanks(cfs_period_us)));
}

int ResolveProcessingThreads(int configured, std::optional<double> cpu_limit,
                             unsigned hardware_threads) {
  if (configured >= 1) return std::min(configured, kMaxProcessingThreads);
  int cores = static_cast<int>(
      std::clamp<unsigned>(hardware_threads, 1, static_cast<unsigned>(kMaxProcessingThreads)));
  if (cpu_limit) {
    double whole = std::floor(std::clamp<double>(*cpu_limit, 1, kMaxProcessingThreads));
    cores = std::min(cores, static_cast<int>(whole));
  }
  return cores;
}

std::optional<double> ReadCgroupCpuLimit() {
  if (std::optional<std::string> v2 = ReadFirstLine("/sys/fs/cgroup/cpu.max")) {
    return CpuLimitFromCgroupV2(*v2);
  }
  for (const char* dir : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    std::optional<std::string> quota = ReadFirstLine(std::string(dir) + "/cpu.cfs_quota_us");
    std::optional<std::string> period = ReadFirstLine(std::string(dir) + "/cpu.cfs_period_us");
    if (quota && period) return CpuLimitFromCgroupV1(*quota, *period);
  }
  return std::nullopt;
}

int AvailableProcessingThreads(int configured) {
  if (configured >= 1) return ResolveProcessingThreads(configured, std::nullopt, 0);
  return ResolveProcessingThreads(configured, ReadCgroupCpuLimit(),
                                  std::thread::hardware_concurrency());
}

}  // namespace cx
