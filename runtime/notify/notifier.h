#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "outreach/routing.h"
#include "runtime/config/notify_config.h"
#include "runtime/metrics/notify_metrics.h"
#include "runtime/notify/https_client.h"
#include "runtime/notify/notify_policy.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// One message for one endpoint (SPEC §8).
struct NotifyJob {
  Destination destination = Destination::kWebhook;
  std::string url;              // http(s) endpoint
  std::string token;            // bearer token, or empty
  std::string idempotency_key;  // alert_id or case_id: the Idempotency-Key header
  std::string body;             // JSON
  // The cx.alerts record it came from (its offset is committed once the job is finished), or
  // partition -1 for an escalation.
  int32_t partition = -1;
  int64_t offset = -1;
  // Kept by the notifier.
  int attempts = 0;
  std::chrono::steady_clock::time_point queued_at{};
  EventTime first_queued{};
  std::string last_error;
  DeadLetterCause cause = DeadLetterCause::kGaveUp;
};

// The delivery engine of the notifiers: one I/O thread (Boost.Asio) and one lane per endpoint
// URL, each with its own concurrency limit, token-bucket rate limit, pause after a 429's
// Retry-After, and bound on held messages, so a dead or slow endpoint holds only its own lane.
// A job is tried at once, then retried after BackoffDelay (or the Retry-After of a 408/429/503)
// while 408, 429, 5xx or no response; it is finished as dead (cause and last error set) on any
// other 4xx, when the next try would start after notify.give_up_after from its first queueing,
// or when its lane is full. Every finished job is handed to `on_finished` on the I/O thread
// (delivered true/false) exactly once, unless the notifier is stopped first (then never: its
// source record stays uncommitted and is read again after a restart).
class Notifier {
 public:
  using Finished = std::function<void(NotifyJob job, bool delivered)>;

  Notifier(const NotifyConfig& config, const Clock& clock, NotifyMetrics& metrics,
           Finished on_finished);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Loads the TLS trust (system default paths, plus notify.ca_file when set), starts the I/O
  // thread, and probes each of `endpoints` once in the background (a TCP connect; a failure is
  // a warning naming the destination and host, never fatal). The one-line reason on failure.
  [[nodiscard]] Result<void> Start(
      const std::vector<std::pair<Destination, std::string>>& endpoints);
  // Stops the I/O thread; jobs not finished are dropped (see the class comment). Idempotent.
  void Stop();
  // Queues `job`. Thread-safe.
  void Submit(NotifyJob job);

 private:
  struct Lane {
    Destination destination = Destination::kWebhook;
    const DestinationConfig* settings = nullptr;
    HttpEndpoint endpoint;
    std::deque<std::unique_ptr<NotifyJob>> ready;
    int active = 0;
    size_t held = 0;
    TokenBucket bucket{1, 1};
    std::chrono::steady_clock::time_point paused_until{};
    std::unique_ptr<boost::asio::steady_timer> wake;
    bool wake_armed = false;
  };

  Lane& LaneFor(const NotifyJob& job);
  void Enqueue(std::unique_ptr<NotifyJob> job);
  void Pump(Lane& lane);
  void ArmWake(Lane& lane, std::chrono::steady_clock::time_point at);
  boost::asio::awaitable<void> Attempt(Lane& lane, std::unique_ptr<NotifyJob> job);
  void AfterAttempt(Lane& lane, std::unique_ptr<NotifyJob> job, const PostResult& result);
  void Finish(Lane& lane, std::unique_ptr<NotifyJob> job, bool delivered);
  void UpdatePending(Destination destination);
  boost::asio::awaitable<void> Probe(Destination destination, HttpEndpoint endpoint);

  const NotifyConfig& config_;
  const Clock& clock_;
  NotifyMetrics& metrics_;
  Finished on_finished_;
  // Declared before io_ so that it outlives the coroutine frames io_ destroys.
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_client};
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  // I/O thread only.
  std::map<std::string, Lane> lanes_;  // by url
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace cx
