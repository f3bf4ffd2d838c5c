#include "runtime/notify/notify_policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace cx {

AttemptOutcome ClassifyStatus(unsigned status) {
  if (status >= 200 && status < 300) return AttemptOutcome::kDelivered;
  if (status == 0 || status == 408 || status == 429 || status >= 500) {
    return AttemptOutcome::kRetry;
  }
  return AttemptOutcome::kPermanent;
}

std::chrono::milliseconds BackoffDelay(int retry, Duration initial, Duration max, double jitter) {
  double step = static_cast<double>(initial.ms);
  for (int i = 1; i < retry && step < static_cast<double>(max.ms); ++i) step *= 2;
  step = std::min(step, static_cast<double>(max.ms));
  jitter = std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(step * (0.5 + 0.5 * jitter))));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, EventTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::milliseconds(std::min<int64_t>(seconds, 86'400) * 1000);
  }
  std::tm tm{};
  const std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') return std::nullopt;
  const int64_t at_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return std::chrono::milliseconds(std::clamp<int64_t>(at_ms - now.ms, 0, 86'400'000));
}

TokenBucket::TokenBucket(double rate_per_second, double burst)
    : rate_per_ms_(rate_per_second / 1000.0), burst_(std::max(1.0, burst)), tokens_(burst_) {}

void TokenBucket::Refill(int64_t now_ms) {
  if (last_ms_ && now_ms > *last_ms_) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - *last_ms_) * rate_per_ms_);
  }
  if (!last_ms_ || now_ms > *last_ms_) last_ms_ = now_ms;
}

bool TokenBucket::TryTake(int64_t now_ms) {
  Refill(now_ms);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

int64_t TokenBucket::NextTokenAt(int64_t now_ms) {
  Refill(now_ms);
  if (tokens_ >= 1.0) return now_ms;
  return now_ms + static_cast<int64_t>(std::ceil((1.0 - tokens_) / rate_per_ms_));
}

void OffsetTracker::Add(int32_t partition, int64_t offset) {
  Partition& p = partitions_[partition];
  p.unfinished.insert(offset);
  p.next = std::max(p.next, offset + 1);
}

void OffsetTracker::Done(int32_t partition, int64_t offset) {
  auto it = partitions_.find(partition);
  if (it != partitions_.end()) it->second.unfinished.erase(offset);
}

std::vector<std::pair<int32_t, int64_t>> OffsetTracker::TakeCommits() {
  std::vector<std::pair<int32_t, int64_t>> commits;
  for (auto& [partition, p] : partitions_) {
    const int64_t point = p.unfinished.empty() ? p.next : *p.unfinished.begin();
    if (point > p.committed) {
      p.committed = point;
      commits.emplace_back(partition, point);
    }
  }
  return commits;
}

void OffsetTracker::Forget(int32_t partition) { partitions_.erase(partition); }

size_t OffsetTracker::unfinished() const {
  size_t n = 0;
  for (const auto& [partition, p] : partitions_) n += p.unfinished.size();
  return n;
}

}  // namespace cx
