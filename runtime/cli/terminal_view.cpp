#include "runtime/cli/terminal_view.h"

#include <unistd.h>

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

}  // namespace

TerminalView::TerminalView(FILE* out) : out_(out), colour_(::isatty(::fileno(out)) != 0) {}

void TerminalView::OnEventProcessed(std::string_view, const Event*, std::chrono::nanoseconds) {
  events_.fetch_add(1, std::memory_order_relaxed);
}

void TerminalView::OnDeadLetter(DecodeError) {
  dead_letters_.fetch_add(1, std::memory_order_relaxed);
}

void TerminalView::OnAlertCommitted(const Alert& alert, std::chrono::nanoseconds) {
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

void TerminalView::MaybePrintCounts(std::chrono::seconds every) {
  if (std::chrono::steady_clock::now() - last_counts_ >= every) {
    PrintCounts();
  }
}

void TerminalView::PrintCounts() {
  std::lock_guard<std::mutex> lock(mutex_);
  last_counts_ = std::chrono::steady_clock::now();
  std::string line = colour_ ? "\x1b[1m" : "";
  fmt::format_to(std::back_inserter(line),
                 "-- {} events, {} dead letters | alerts:", events_.load(), dead_letters_.load());
  for (size_t k = 0; k < alerts_by_kind_.size(); ++k) {
    fmt::format_to(std::back_inserter(line), " {} {} ({} critical)",
                   ToString(static_cast<AlertKind>(k)), alerts_by_kind_[k], critical_by_kind_[k]);
    if (k + 1 < alerts_by_kind_.size()) line += ',';
  }
  line += colour_ ? "\x1b[0m\n" : "\n";
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace cx
