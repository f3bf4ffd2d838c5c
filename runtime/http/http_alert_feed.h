#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "runtime/kafka/live_observer.h"

namespace cx {

// The recent committed alerts behind /alerts and its Server-Sent Events stream. Each alert is
// kept, as the JSON its topic holds (LiveObserver::OnAlertCommitted), in a ring of `capacity`
// alerts. Thread-safe: the processor publishes from its thread, the HTTP
// server reads and subscribes from its own.
class AlertFeed final : public LiveObserver {
 public:
  using AlertJson = std::shared_ptr<const std::string>;
  // Called with each new alert's JSON, on the publishing thread and under the feed's lock: it
  // must be quick and must not call back into the feed (post the work elsewhere).
  using Subscriber = std::function<void(const AlertJson& alert_json)>;

  // `capacity` < 1 is taken as 1.
  explicit AlertFeed(int capacity);

  void OnAlertCommitted(const Alert& alert, std::string_view alert_json,
                        std::chrono::nanoseconds event_to_alert) override;
  // Adds one alert already formatted as a JSON object (no newline).
  void Publish(std::string alert_json);

  // The newest `limit` alerts (all when limit is 0) as a JSON array, newest first.
  [[nodiscard]] std::string RecentJson(size_t limit = 0) const;
  [[nodiscard]] size_t size() const;
  // Alerts published since construction.
  [[nodiscard]] uint64_t published() const;

  // Registers `subscriber` for every alert published from now on; returns its id.
  [[nodiscard]] uint64_t Subscribe(Subscriber subscriber);
  // After it returns, the subscriber is not running and will not be called again.
  void Unsubscribe(uint64_t id);
  [[nodiscard]] size_t subscribers() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<AlertJson> recent_;  // oldest first
  uint64_t published_ = 0;
  uint64_t next_subscriber_ = 1;
  std::map<uint64_t, Subscriber> subscribers_;
};

}  // namespace cx
