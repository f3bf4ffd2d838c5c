#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "runtime/kafka/live_observer.h"

namespace cx {

// The demo's live view: one line per alert as it commits (time, severity, kind, customer, the
// first reason in words, the recommended action), and every few seconds a line of counts per
// alert kind and events processed. Colours when the output is a terminal.
class TerminalView final : public LiveObserver {
 public:
  explicit TerminalView(FILE* out);

  void OnEventProcessed(std::string_view topic, const Event* decoded,
                        std::chrono::nanoseconds processing_time) override;
  void OnDeadLetter(DecodeError error) override;
  void OnAlertCommitted(const Alert& alert, std::chrono::nanoseconds event_to_alert) override;
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
  std::chrono::steady_clock::time_point last_counts_ = std::chrono::steady_clock::now();
};

}  // namespace cx
