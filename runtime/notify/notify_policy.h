#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/time.h"

namespace cx {

// What one HTTP attempt means for its message (SPEC §8 delivery).
enum class AttemptOutcome : uint8_t {
  kDelivered,  // 2xx
  kRetry,      // no response (status 0: connect, TLS or timeout error), 408, 429, 5xx
  kPermanent,  // any other status (4xx, and 1xx/3xx, which a webhook must not answer): dead letter
};

[[nodiscard]] AttemptOutcome ClassifyStatus(unsigned status);

// The delay before retry number `retry` (1 = the first retry): initial * 2^(retry-1), at most
// `max`, scaled by 0.5 + 0.5 * jitter (jitter in [0, 1): "equal jitter", so a herd of
// messages that failed together spreads out but never retries sooner than half the step).
[[nodiscard]] std::chrono::milliseconds BackoffDelay(int retry, Duration initial, Duration max,
                                                     double jitter);

// A Retry-After header value (RFC 9110: delay-seconds, or an IMF-fixdate such as "Wed, 21 Oct
// 2015 07:28:00 GMT") as a delay from `now`; nullopt when empty or unparseable. A date in the
// past is a delay of zero.
[[nodiscard]] std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                                       EventTime now);

// A token bucket: `rate` tokens per second, at most `burst` stored, full at first. Time is passed
// in (milliseconds of a steady clock). Not thread-safe.
class TokenBucket {
 public:
  TokenBucket(double rate_per_second, double burst);
  // Takes one token when one is available at `now_ms`.
  [[nodiscard]] bool TryTake(int64_t now_ms);
  // The earliest time (>= now_ms) at which TryTake can succeed.
  [[nodiscard]] int64_t NextTokenAt(int64_t now_ms);

 private:
  void Refill(int64_t now_ms);

  double rate_per_ms_;
  double burst_;
  double tokens_;
  std::optional<int64_t> last_ms_;
};

// At-least-once commit points of a consumer whose messages finish out of order: a partition's
// offset may be committed up to (not including) its oldest unfinished message. Not thread-safe.
class OffsetTracker {
 public:
  // A message read at `offset` (offsets of one partition arrive in increasing order).
  void Add(int32_t partition, int64_t offset);
  // That message is delivered or dead-lettered. Unknown offsets are ignored.
  void Done(int32_t partition, int64_t offset);
  // (partition, next offset to read) for every partition whose commit point moved since the last
  // call: the oldest unfinished offset, or one past the newest read when all are finished.
  [[nodiscard]] std::vector<std::pair<int32_t, int64_t>> TakeCommits();
  // Forgets a partition (revoked: another member re-reads from its committed offset).
  void Forget(int32_t partition);
  // Messages read and not finished, over all partitions.
  [[nodiscard]] size_t unfinished() const;

 private:
  struct Partition {
    std::set<int64_t> unfinished;
    int64_t next = -1;       // one past the newest offset read
    int64_t committed = -1;  // the last commit point handed out
  };
  std::map<int32_t, Partition> partitions_;
};

}  // namespace cx
