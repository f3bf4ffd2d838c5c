#include "runtime/metrics/notify_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "runtime/metrics/metric_names.h"

namespace cx {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

namespace {

constexpr std::array<Destination, 5> kAll = {Destination::kCases, Destination::kWebhook,
                                             Destination::kSlack, Destination::kProactiveChat,
                                             Destination::kEscalation};
constexpr std::array<const char*, kDeadLetterCauses> kCauses = {"rejected", "gave_up",
                                                                "backlog_full"};

size_t Index(Destination d) { return static_cast<size_t>(d); }

double Seconds(std::chrono::nanoseconds elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

}  // namespace

NotifyMetrics::NotifyMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  auto& delivered = BuildCounter()
                        .Name(metric::kNotifyDeliveredTotal)
                        .Help("Notifications delivered (2xx), by destination")
                        .Register(r);
  auto& retries = BuildCounter()
                      .Name(metric::kNotifyRetriesTotal)
                      .Help("Notification attempts that failed and were retried, by destination")
                      .Register(r);
  auto& routed = BuildCounter()
                     .Name(metric::kNotifyRoutedTotal)
                     .Help("Alerts read by the notifiers, by the destination routing chose")
                     .Register(r);
  auto& dead = BuildCounter()
                   .Name(metric::kNotifyDeadlettersTotal)
                   .Help(
                       "Notifications sent to the notify dead-letter topic, by destination "
                       "and cause (rejected: 4xx; gave_up: give-up time passed; "
                       "backlog_full)")
                   .Register(r);
  auto& attempt = BuildHistogram()
                      .Name(metric::kNotifyAttemptSeconds)
                      .Help("Duration of one HTTP attempt, by destination")
                      .Register(r);
  auto& delivery = BuildHistogram()
                       .Name(metric::kNotifyDeliverySeconds)
                       .Help(
                           "Time from queueing a notification to its delivery (retries "
                           "included), by destination")
                       .Register(r);
  auto& pending = BuildGauge()
                      .Name(metric::kNotifyPending)
                      .Help("Notifications held (queued, in flight or waiting to retry)")
                      .Register(r);
  const Histogram::BucketBoundaries attempt_buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1,    2.5,   5,    10,  30};
  const Histogram::BucketBoundaries delivery_buckets = {0.01, 0.05, 0.1, 0.5, 1,    5,
                                                        10,   30,   60,  300, 1800, 3600};
  for (Destination d : kAll) {
    const std::string name(ToString(d));
    routed_[Index(d)] = &routed.Add({{"destination", name}});
    if (d == Destination::kCases) continue;
    delivered_[Index(d)] = &delivered.Add({{"destination", name}});
    retries_[Index(d)] = &retries.Add({{"destination", name}});
    for (size_t c = 0; c < kCauses.size(); ++c) {
      dead_[Index(d)][c] = &dead.Add({{"destination", name}, {"cause", kCauses[c]}});
    }
    attempt_seconds_[Index(d)] = &attempt.Add({{"destination", name}}, attempt_buckets);
    delivery_seconds_[Index(d)] = &delivery.Add({{"destination", name}}, delivery_buckets);
    pending_[Index(d)] = &pending.Add({{"destination", name}});
  }
  deadletter_write_failures_ =
      &BuildCounter()
           .Name(metric::kNotifyDeadletterWriteFailuresTotal)
           .Help("Dead letters that could not be written to the dead-letter topic (retried)")
           .Register(r)
           .Add({});
}

NotifyMetrics::~NotifyMetrics() = default;

void NotifyMetrics::OnAttempt(Destination destination, std::chrono::nanoseconds elapsed) {
  if (auto* h = attempt_seconds_[Index(destination)]) h->Observe(Seconds(elapsed));
}

void NotifyMetrics::OnDelivered(Destination destination, std::chrono::nanoseconds since_queued) {
  if (auto* c = delivered_[Index(destination)]) c->Increment();
  if (auto* h = delivery_seconds_[Index(destination)]) h->Observe(Seconds(since_queued));
}

void NotifyMetrics::OnRetry(Destination destination) {
  if (auto* c = retries_[Index(destination)]) c->Increment();
}

void NotifyMetrics::OnDeadLetter(Destination destination, DeadLetterCause cause) {
  if (auto* c = dead_[Index(destination)][static_cast<size_t>(cause)]) c->Increment();
}

void NotifyMetrics::OnDeadLetterWriteFailed() { deadletter_write_failures_->Increment(); }

void NotifyMetrics::SetPending(Destination destination, double count) {
  if (auto* g = pending_[Index(destination)]) g->Set(count);
}

void NotifyMetrics::OnRouted(Destination destination) { routed_[Index(destination)]->Increment(); }

std::string NotifyMetrics::Serialize() {
  std::lock_guard<std::mutex> lock(mutex_);
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace cx
