#include "runtime/config/processing_threads.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

namespace cx {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// A whole decimal integer and nothing else.
std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> Ratio(std::optional<int64_t> quota, std::optional<int64_t> period) {
  if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
  return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<std::string> ReadSmallFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

std::optional<double> CpuLimitFromCgroupV2(std::string_view cpu_max) {
  cpu_max = Trim(cpu_max);
  size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view quota = cpu_max.substr(0, space);
  std::string_view period = Trim(cpu_max.substr(space + 1));
  if (quota == "max") return std::nullopt;
  return Ratio(ParseInteger(quota), ParseInteger(period));
}

std::optional<double> CpuLimitFromCgroupV1(std::string_view cfs_quota_us,
                                           std::string_view cfs_period_us) {
  return Ratio(ParseInteger(Trim(cfs_quota_us)), ParseInteger(Trim(cfs_period_us)));
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
  if (std::optional<std::string> v2 = ReadSmallFile("/sys/fs/cgroup/cpu.max")) {
    return CpuLimitFromCgroupV2(*v2);
  }
  for (const char* dir : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    std::optional<std::string> quota =
        ReadSmallFile((std::string(dir) + "/cpu.cfs_quota_us").c_str());
    std::optional<std::string> period =
        ReadSmallFile((std::string(dir) + "/cpu.cfs_period_us").c_str());
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
