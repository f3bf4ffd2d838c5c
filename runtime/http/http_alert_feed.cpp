#include "runtime/http/http_alert_feed.h"

#include <algorithm>
#include <utility>

namespace cx {

AlertFeed::AlertFeed(int capacity) : capacity_(static_cast<size_t>(std::max(capacity, 1))) {}

void AlertFeed::OnAlertCommitted(const Alert&, std::string_view alert_json,
                                 std::chrono::nanoseconds) {
  Publish(std::string(alert_json));
}

void AlertFeed::Publish(std::string alert_json) {
  auto shared = std::make_shared<const std::string>(std::move(alert_json));
  std::lock_guard<std::mutex> lock(mutex_);
  recent_.push_back(shared);
  if (recent_.size() > capacity_) recent_.pop_front();
  ++published_;
  for (auto& [id, subscriber] : subscribers_) subscriber(shared);
}

std::string AlertFeed::RecentJson(size_t limit) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t count = limit == 0 ? recent_.size() : std::min(limit, recent_.size());
  std::string out = "[";
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += *recent_[recent_.size() - 1 - i];
  }
  out += ']';
  return out;
}

size_t AlertFeed::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recent_.size();
}

uint64_t AlertFeed::published() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return published_;
}

uint64_t AlertFeed::Subscribe(Subscriber subscriber) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t id = next_subscriber_++;
  subscribers_.emplace(id, std::move(subscriber));
  return id;
}

void AlertFeed::Unsubscribe(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  subscribers_.erase(id);
}

size_t AlertFeed::subscribers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscribers_.size();
}

}  // namespace cx
