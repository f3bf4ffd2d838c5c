#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "outreach/case.h"
#include "outreach/command.h"
#include "runtime/metrics/prometheus_fwd.h"

namespace cx {

// Case counts for the gauges, taken by the outreach service under its lock.
struct OutreachCaseCounts {
  // [status][severity] (CaseStatus, Severity order).
  std::array<std::array<uint64_t, 2>, 4> by_status{};
  // Open cases per queue ("" = no queue), [severity].
  std::map<std::string, std::array<uint64_t, 2>> open_by_queue;
  // [severity]: the longest an open case has waited unclaimed (now − Case::unclaimed_since,
  // the escalation clock), 0 when none is open.
  std::array<double, 2> oldest_unclaimed_seconds{};
};

// The Prometheus metrics of `cxpulse outreach` (all prefixed `cxpulse_outreach_`). On* calls
// may come from any thread; Serialize() from the HTTP thread. Labels are bounded: statuses,
// severities, commands, verdicts, outcomes, logs, and at most kMaxQueues queue names (then
// "other"). No customer id, case id or rep name is ever a label.
class OutreachMetrics {
 public:
  static constexpr size_t kMaxQueues = 64;

  OutreachMetrics();
  ~OutreachMetrics();
  OutreachMetrics(const OutreachMetrics&) = delete;
  OutreachMetrics& operator=(const OutreachMetrics&) = delete;

  // A record read from cx.alerts (`command` false) or cx.outreach; `decoded` false when its
  // value could not be decoded (skipped).
  void OnRecord(bool command, bool decoded);
  void OnCommandFolded(CommandKind kind, Verdict verdict);
  // SPEC §7: time to claim (opened → claimed) and to resolve (opened → resolved) by the case's
  // severity, outcomes. The service calls these (and OnEscalations) only for what it folds
  // once ready, so a restart's rebuild does not count the history again.
  void OnClaimed(double seconds_since_open, Severity severity);
  void OnResolved(double seconds_since_open, Severity severity, Outcome outcome);
  void OnEscalations(uint64_t count);
  // One command request answered with `status` after `elapsed` (the claim round trip).
  void OnCommandAnswered(std::chrono::nanoseconds elapsed, unsigned status);
  // One command request answered at once, nothing written (a 4xx the fold already decides):
  // counted by status, not a round trip.
  void OnCommandRefused(unsigned status);
  // Both logs read up to their end offsets of start-up, `elapsed` after start.
  void OnCaughtUp(std::chrono::nanoseconds elapsed);

  // Every metric in the Prometheus text format 0.0.4, with the gauges set from `counts`.
  [[nodiscard]] std::string Serialize(const OutreachCaseCounts& counts, bool ready);

 private:
  std::mutex mutex_;  // Serialize()
  std::shared_ptr<prometheus::Registry> registry_;
  std::array<prometheus::Counter*, 2> records_{};
  std::array<prometheus::Counter*, 2> bad_records_{};
  std::array<std::array<prometheus::Counter*, 4>, 4> commands_{};  // [kind][verdict]
  std::array<prometheus::Counter*, 4> outcomes_{};
  prometheus::Counter* escalations_ = nullptr;
  std::array<prometheus::Histogram*, 2> time_to_claim_{};    // [severity]
  std::array<prometheus::Histogram*, 2> time_to_resolve_{};  // [severity]
  prometheus::Histogram* round_trip_ = nullptr;
  prometheus::Family<prometheus::Counter>* answers_family_ = nullptr;
  std::array<std::array<prometheus::Gauge*, 2>, 4> cases_{};
  prometheus::Family<prometheus::Gauge>* open_family_ = nullptr;
  std::map<std::string, std::array<prometheus::Gauge*, 2>> open_by_queue_;
  std::array<prometheus::Gauge*, 2> oldest_unclaimed_{};  // [severity]
  prometheus::Gauge* ready_ = nullptr;
  prometheus::Gauge* rebuild_seconds_ = nullptr;
};

}  // namespace cx
