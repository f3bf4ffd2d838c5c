#include "runtime/cli/terminal_view.h"

#include <unistd.h>

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "schemas/timestamp.h"

namespace cx {
namespace {

std::string_view ActionWords(std::string_view action) {
  if (action == "callback") return "call the customer back";
  if (action == "apologise_and_compensate") return "apologise and offer compensation";
  if (action == "own_the_issue") return "own the issue end to end";
  if (action == "senior_callback") return "have a manager call";
  if (action == "offer_chat") return "offer a chat now";
  return action;
}

std::string FormatElapsed(std::chrono::seconds elapsed) {
  int64_t s = elapsed.count();
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

}  // namespace

std::string FormatProgressLine(const ProgressCounts& counts) {
  std::string head = fmt::format("-- {}  {} events  {:.0f}/s", FormatElapsed(counts.elapsed),
                                 counts.events, counts.events_per_second);
  if (counts.lag >= 0) head += fmt::format("  lag {}", counts.lag);
  if (counts.dead_letters > 0) head += fmt::format("  {} dead", counts.dead_letters);
  std::vector<size_t> kinds;
  for (size_t k = 0; k < counts.alerts_by_kind.size(); ++k) {
    if (counts.alerts_by_kind[k] > 0) kinds.push_back(k);
  }
  if (kinds.empty()) return head + " | no alerts yet";
  // Longest form first; the first that fits wins.
  for (bool compact : {false, true}) {
    for (size_t shown = kinds.size(); shown > 0; --shown) {
      std::string line = head + " |";
      for (size_t i = 0; i < shown; ++i) {
        size_t k = kinds[i];
        uint64_t critical = counts.critical_by_kind[k];
        line += fmt::format("{} {} {}", i == 0 ? "" : ",", ToString(static_cast<AlertKind>(k)),
                            counts.alerts_by_kind[k]);
        if (critical > 0)
          line += compact ? fmt::format("/{}!", critical) : fmt::format(" ({} crit)", critical);
      }
      if (shown < kinds.size()) line += fmt::format(" +{} more", kinds.size() - shown);
      if (line.size() <= kProgressColumns) return line;
      if (!compact) break;  // try the compact form with every kind before dropping any
    }
  }
  return head.substr(0, kProgressColumns);
}

TerminalView::TerminalView(FILE* out) : out_(out), colour_(::isatty(::fileno(out)) != 0) {}

void TerminalView::OnRecordsProcessed(const RecordTally& records) {
  events_.fetch_add(records.records(), std::memory_order_relaxed);
}

void TerminalView::OnDeadLetter(DecodeError) {
  dead_letters_.fetch_add(1, std::memory_order_relaxed);
}

void TerminalView::OnAlertCommitted(const Alert& alert, std::string_view,
                                    std::chrono::nanoseconds) {
  std::string line;
  std::string ts;
  AppendRfc3339Millis(alert.ts, ts);
  bool critical = alert.severity == Severity::kCritical;
  const char* on = colour_ ? (critical ? "\x1b[1;31m" : "\x1b[33m") : "";
  const char* off = colour_ ? "\x1b[0m" : "";
  std::string_view reason = alert.reasons.empty() ? std::string_view() : alert.reasons[0].detail;
  fmt::format_to(std::back_inserter(line), "{} {}{:<8}{} {:<14} {:<14} {} -> {}\n",
                 ts.substr(11, 8), on, critical ? "CRITICAL" : "warning", off, ToString(alert.kind),
                 alert.customer_id, reason,
                 ActionWords(RecommendedAction(alert.kind, alert.severity)));
  std::lock_guard<std::mutex> lock(mutex_);
  auto k = static_cast<size_t>(alert.kind);
  ++alerts_by_kind_[k];
  critical_by_kind_[k] += critical ? 1 : 0;
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void TerminalView::OnConsumerLag(const std::vector<PartitionLag>& lags) {
  int64_t total = -1;
  for (const PartitionLag& lag : lags) {
    if (lag.lag >= 0) total = std::max<int64_t>(total, 0) + lag.lag;
  }
  lag_.store(total, std::memory_order_relaxed);
}

void TerminalView::MaybePrintCounts(std::chrono::seconds every) {
  if (std::chrono::steady_clock::now() - last_counts_ >= every) {
    PrintCounts();
  }
}

void TerminalView::PrintCounts() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  ProgressCounts counts;
  counts.elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - started_);
  counts.events = events_.load();
  double interval = std::chrono::duration<double>(now - last_counts_).count();
  counts.events_per_second =
      interval > 0 ? static_cast<double>(counts.events - events_at_last_counts_) / interval : 0;
  counts.dead_letters = dead_letters_.load();
  counts.lag = lag_.load(std::memory_order_relaxed);
  counts.alerts_by_kind = alerts_by_kind_;
  counts.critical_by_kind = critical_by_kind_;
  last_counts_ = now;
  events_at_last_counts_ = counts.events;
  std::string line = colour_ ? "\x1b[1m" : "";
  line += FormatProgressLine(counts);
  line += colour_ ? "\x1b[0m\n" : "\n";
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace cx
