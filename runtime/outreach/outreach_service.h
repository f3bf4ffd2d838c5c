#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "outreach/case_book.h"
#include "runtime/config/config.h"
#include "runtime/http/http_alert_feed.h"
#include "runtime/http/http_server.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/metrics/outreach_metrics.h"
#include "runtime/outreach/partition_merge.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// `cxpulse outreach` (SPEC §7, DESIGN "the outreach service"): reads every partition of the
// alerts and commands topics from the beginning (no consumer group, read_committed), merges
// each partition's two logs in fold order (PartitionMerge) into that partition's CaseBook, and
// answers the /cases routes (HttpBackend::handle). A command request is checked against the
// fold (404/400/409 at once, nothing written), produced to the case's partition of the
// commands topic (acks=all, idempotent) and answered when it is read back and folded, or 503
// after `outreach.command_timeout`. One reader thread owns the consumer and the merges; the
// books are shared with the HTTP thread under one mutex.
class OutreachService {
 public:
  OutreachService(const AppConfig& config, const Clock& clock);
  ~OutreachService();
  OutreachService(const OutreachService&) = delete;
  OutreachService& operator=(const OutreachService&) = delete;

  // Creates the clients, waits up to kafka.startup_timeout for the brokers, checks both topics
  // exist with the same partition count, assigns every partition from the beginning and starts
  // the reader thread. The one-line reason on failure.
  [[nodiscard]] Result<void> Start();
  // Stops the reader thread; pending requests get a 503. Idempotent.
  void Stop();
  // Set when the reader hit a fatal client error (then Stop and exit non-zero).
  [[nodiscard]] bool Failed() const { return failed_.load(); }
  // The `outreach:` section it runs with (listen address, command timeout, identity header).
  [[nodiscard]] const OutreachConfig& config() const { return config_.outreach; }

  // HttpBackend::handle: the /cases routes. Thread-safe.
  bool Handle(const HttpRequest& request, std::function<void(HttpReply)> reply);
  // Both logs read up to the end offsets they had at start. Thread-safe.
  [[nodiscard]] bool Ready() const { return ready_.load(); }
  // The Prometheus text. Thread-safe.
  [[nodiscard]] std::string Metrics();
  // For HttpBackend::alerts: every alert read from the alerts topic (all partitions), the
  // recent ones and a live stream. Handle() asks for a rep identity before the server serves it.
  [[nodiscard]] AlertFeed& Alerts() { return alert_feed_; }
  // For HttpBackend::case_events (/cases/events, the page's live updates): once ready, each
  // case a folded record or a deadline changed, once per reader pass, as AppendCaseJson
  // writes it, or {"case_id":…,"removed":true} when the fold forgot it. Handle() asks for an
  // identity and readiness first.
  [[nodiscard]] AlertFeed& CaseEvents() { return case_events_; }
  // Called on the reader thread, under the books' lock, with the escalations of each fold step
  // (the rebuild at start included): keep it short (the notifiers only queue them). Set before
  // Start.
  void SetEscalationSink(std::function<void(const std::vector<Escalation>&)> sink) {
    escalation_sink_ = std::move(sink);
  }

 private:
  struct Pending {
    std::function<void(HttpReply)> reply;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point deadline;
  };

  [[nodiscard]] Result<void> CreateClients();
  // Reads the cluster metadata, retrying for up to kafka.startup_timeout and saying every few
  // seconds what it waits for; then a one-line reason.
  [[nodiscard]] Result<TopicPartitionCounts> WaitForBrokers();
  [[nodiscard]] Result<void> AssignAll();
  void Run();
  void Consume(rd_kafka_message_t* message);
  void FoldReady(size_t partition);
  void Fold(size_t partition, const LogRecord& record);
  void FoldCommand(CaseBook& book, const LogRecord& record, std::vector<Escalation>& escalations);
  void Tick();
  void Answer(const std::string& command_id, HttpReply reply);
  void HandleCommand(const HttpRequest& request, std::string_view case_id, std::string_view action,
                     const std::string& rep, std::function<void(HttpReply)> reply);
  // Publishes each case in changed_ to case_events_ and clears it (outreach_events.cpp).
  void PublishCaseChanges();
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  const AppConfig& config_;
  const Clock& clock_;
  OutreachMetrics metrics_;
  AccessFailure access_;  // TLS / SASL failures of the consumer (WaitForBrokers gives up)
  KafkaHandle consumer_;
  KafkaHandle producer_;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> ready_{false};
  std::chrono::steady_clock::time_point started_;
  std::string instance_;  // random prefix of this instance's command ids
  std::atomic<uint64_t> next_command_{0};
  std::function<void(const std::vector<Escalation>&)> escalation_sink_;

  std::vector<PartitionMerge> merges_;                // reader thread only
  std::mutex mutex_;                                  // guards everything below
  std::vector<CaseBook> books_;                       // one per partition
  std::unordered_map<std::string, Pending> pending_;  // by command_id
  std::vector<std::string> changed_;                  // case ids, once ready
  // Thread-safe themselves; published to under mutex_ by the reader thread.
  AlertFeed alert_feed_{500};
  AlertFeed case_events_{1};
};

}  // namespace cx
