#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/kafka/live_observer.h"

namespace cx {

// What the demo's progress line shows.
struct ProgressCounts {
  std::chrono::seconds elapsed{0};  // since the view started
  uint64_t events = 0;              // input records processed
  double events_per_second = 0;     // over the last interval
  uint64_t dead_letters = 0;
  int64_t lag = -1;  // records not yet consumed, summed over the input partitions; -1 unknown
  std::array<uint64_t, kAlertKindCount> alerts_by_kind{};
  std::array<uint64_t, kAlertKindCount> critical_by_kind{};
};

inline constexpr size_t kProgressColumns = 100;

// The progress line without colour or newline, at most kProgressColumns wide, e.g.
// "-- 1m05s  7358 events  190/s  lag 12  13 dead | sla_breach 24 (4 crit), at_risk 2".
// Kinds without alerts are left out; when the kinds do not fit, critical counts shorten to
// "24/4!" and then the last kinds give way to "+N more".
[[nodiscard]] std::string FormatProgressLine(const ProgressCounts& counts);

// The demo's live view: one line per alert as it commits (time, severity, kind, customer, the
// first reason in words, the recommended action), and every few seconds the progress line
// (FormatProgressLine). Colours when the output is a terminal.
class TerminalView final : public LiveObserver {
 public:
  explicit TerminalView(FILE* out);

  void OnRecordsProcessed(const RecordTally& records) override;
  void OnDeadLetter(DecodeError error) override;
  void OnAlertCommitted(const Alert& alert, std::string_view alert_json,
                        std::chrono::nanoseconds event_to_alert) override;
  void OnConsumerLag(const std::vector<PartitionLag>& lags) override;
  // Prints the counts line when `every` has passed since the last one.
  void MaybePrintCounts(std::chrono::seconds every);
  void PrintCounts();

 private:
  FILE* out_;
  bool colour_;
  std::mutex mutex_;
  std::array<uint64_t, kAlertKindCount> alerts_by_kind_{};
  std::array<uint64_t, kAlertKindCount> critical_by_kind_{};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> dead_letters_{0};
  std::atomic<int64_t> lag_{-1};
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_counts_ = started_;
  uint64_t events_at_last_counts_ = 0;
};

}  // namespace cx
