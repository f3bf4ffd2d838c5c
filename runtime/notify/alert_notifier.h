#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "outreach/alert_reader.h"
#include "outreach/case_book.h"
#include "runtime/config/config.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/metrics/notify_metrics.h"
#include "runtime/notify/notifier.h"
#include "runtime/notify/notify_policy.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// The notifiers of `cxpulse outreach` (SPEC §8). A consumer in its own group (notify.group_id)
// reads the alerts topic (read_committed), routes each alert (RouteAlert), and hands every one
// not routed to cases to the Notifier with its body (webhook: the alert JSON; proactive_chat:
// ProactiveChatBody; slack: SlackAlertBody). A record's offset is committed only once its
// notification was delivered, or written to notify.deadletter_topic (acks=all) with the last
// error; records routed to cases, and records that do not decode, are finished at once. Case
// escalations (OnEscalations) go to the `escalation` destination the same way, keyed by case_id;
// their durable source is the case fold itself (an escalation fired again by the fold's rebuild
// at start is sent again, with the same Idempotency-Key, unless it is older than
// notify.give_up_after). One consumer thread owns the consumer, the dead-letter producer and
// the commit points; deliveries run on the Notifier's own thread, so nothing here ever waits on
// an endpoint.
class AlertNotifier {
 public:
  AlertNotifier(const AppConfig& config, const Clock& clock);
  ~AlertNotifier();
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Creates the clients, subscribes, starts the Notifier and the consumer thread. The one-line
  // reason on failure.
  [[nodiscard]] Result<void> Start();
  // Stops both threads and commits what is finished. Idempotent.
  void Stop();
  // Set on a fatal Kafka client error.
  [[nodiscard]] bool Failed() const { return failed_.load(); }
  // Queues the escalations for the `escalation` destination (when one is configured).
  // Thread-safe and quick (OutreachService::SetEscalationSink).
  void OnEscalations(const std::vector<Escalation>& escalations);
  // The cxpulse_notify_* metrics in the Prometheus text format. Thread-safe.
  [[nodiscard]] std::string Metrics() { return metrics_.Serialize(); }

 private:
  struct DeadLetterWrite;

  [[nodiscard]] Result<void> CreateClients();
  void Run();
  void Consume(const rd_kafka_message_t* message);
  void DrainFinished();
  void WriteDeadLetter(NotifyJob job);
  void Commit();
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  const AppConfig& config_;
  const Clock& clock_;
  NotifyMetrics metrics_;
  Notifier notifier_;
  KafkaHandle consumer_;
  KafkaHandle producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  OffsetTracker offsets_;  // consumer thread only
  AlertReader reader_;     // consumer thread only
  std::mutex mutex_;       // guards finished_
  std::vector<std::pair<NotifyJob, bool>> finished_;
};

}  // namespace cx
