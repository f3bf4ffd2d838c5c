#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "outreach/routing.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace cx {

// Why a notification went to the dead letters (a bounded label).
enum class DeadLetterCause : uint8_t {
  kRejected,     // a 4xx other than 408/429 (not retried)
  kGaveUp,       // still failing after notify.give_up_after
  kBacklogFull,  // the endpoint already held notify.destinations.*.max_pending messages
};
inline constexpr size_t kDeadLetterCauses = 3;

// The Prometheus metrics of the notifiers (all prefixed `cxpulse_notify_`), labelled by
// destination (webhook, slack, proactive_chat, escalation) and nothing finer: no URL, customer
// id, alert id or case id. On* calls may come from any thread.
class NotifyMetrics {
 public:
  NotifyMetrics();
  ~NotifyMetrics();
  NotifyMetrics(const NotifyMetrics&) = delete;
  NotifyMetrics& operator=(const NotifyMetrics&) = delete;

  // One HTTP attempt that took `elapsed` (a response of any status, or an error).
  void OnAttempt(Destination destination, std::chrono::nanoseconds elapsed);
  // Delivered (2xx), `since_queued` after the message was first queued.
  void OnDelivered(Destination destination, std::chrono::nanoseconds since_queued);
  void OnRetry(Destination destination);
  void OnDeadLetter(Destination destination, DeadLetterCause cause);
  // A dead letter could not be written to the dead-letter topic (it is retried).
  void OnDeadLetterWriteFailed();
  // Messages held per destination (queued, in flight, or waiting to retry).
  void SetPending(Destination destination, double count);
  // Alerts read by the notifiers' consumer and routed to `destination` (cases included).
  void OnRouted(Destination destination);

  // Every metric in the Prometheus text format 0.0.4.
  [[nodiscard]] std::string Serialize();

 private:
  static constexpr size_t kDestinations = 5;
  std::mutex mutex_;  // Serialize()
  std::shared_ptr<prometheus::Registry> registry_;
  std::array<prometheus::Counter*, kDestinations> delivered_{};
  std::array<prometheus::Counter*, kDestinations> retries_{};
  std::array<prometheus::Counter*, kDestinations> routed_{};
  std::array<std::array<prometheus::Counter*, kDeadLetterCauses>, kDestinations> dead_{};
  std::array<prometheus::Histogram*, kDestinations> attempt_seconds_{};
  std::array<prometheus::Histogram*, kDestinations> delivery_seconds_{};
  std::array<prometheus::Gauge*, kDestinations> pending_{};
  prometheus::Counter* deadletter_write_failures_ = nullptr;
};

}  // namespace cx
