#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/live_status.h"
#include "runtime/kafka/record_tally.h"
#include "runtime/kafka/transactions.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/emission_sink.h"

namespace cx {

// Where the live shards' outputs go: each signal, alert and dead letter as JSON to its topic
// inside the open transaction (Transactions::Produce), and to the observers (metrics, the HTTP
// alert feed): signals into `tally` when there are observers, which the processor hands to them
// once per turn. An alert reaches the observers only once its transaction committed
// (AlertsCommitted), with the time since its triggering record was consumed. Single-threaded:
// the processing thread. `topics`, `transactions`, `status`, `observers` and `tally` must
// outlive it.
class LiveOutputs final : public EmissionSink {
 public:
  LiveOutputs(const TopicNames& topics, Transactions& transactions, LiveStatus& status,
              const std::vector<LiveObserver*>& observers, RecordTally& tally)
      : topics_(topics),
        transactions_(transactions),
        status_(status),
        observers_(observers),
        tally_(tally) {}

  // The monotonic time at which the record now being processed was consumed (alert latency).
  void SetTrigger(MonotonicTime consumed_at) { trigger_consumed_at_ = consumed_at; }

  void OnSignal(const Signal& signal) override;
  void OnAlert(const Alert& alert) override;
  void OnDeadLetter(const DeadLetter& dead_letter) override;

  // The alerts so far belong to the commit now starting (alerts after this call belong to the
  // next one).
  void SealAlerts();
  // When the oldest alert not yet sealed into a commit was consumed; none when there is none.
  [[nodiscard]] std::optional<MonotonicTime> OldestUnsealedAlert() const {
    if (pending_alerts_.empty()) return std::nullopt;
    return pending_alerts_.front().consumed_at;
  }
  // The commit holding the alerts sealed last committed at `committed_at`.
  void AlertsCommitted(MonotonicTime committed_at);
  // The work since the last commit was rolled back: its alerts will be produced again.
  void Drop() {
    pending_alerts_.clear();
    sealed_alerts_.clear();
  }

 private:
  const TopicNames& topics_;
  Transactions& transactions_;
  LiveStatus& status_;
  const std::vector<LiveObserver*>& observers_;
  RecordTally& tally_;
  MonotonicTime trigger_consumed_at_;
  std::string scratch_;
  // An alert produced in the open transaction, for the observers once it committed: the JSON
  // the topic got, so that it is formatted once.
  struct ProducedAlert {
    Alert alert;
    std::string json;
    MonotonicTime consumed_at;
  };
  std::vector<ProducedAlert> pending_alerts_;
  std::vector<ProducedAlert> sealed_alerts_;
};

}  // namespace cx
