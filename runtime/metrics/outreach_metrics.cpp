#include "runtime/metrics/outreach_metrics.h"

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

constexpr std::array<const char*, 2> kLogs = {"alerts", "outreach"};
constexpr std::array<CaseStatus, 4> kStatuses = {CaseStatus::kOpen, CaseStatus::kClaimed,
                                                 CaseStatus::kSnoozed, CaseStatus::kResolved};
constexpr std::array<Severity, 2> kSeverities = {Severity::kWarning, Severity::kCritical};
constexpr std::array<CommandKind, 4> kKinds = {CommandKind::kClaim, CommandKind::kRelease,
                                               CommandKind::kSnooze, CommandKind::kResolve};
constexpr std::array<Verdict, 4> kVerdicts = {Verdict::kAccepted, Verdict::kConflict,
                                              Verdict::kNotFound, Verdict::kInvalid};
constexpr std::array<Outcome, 4> kOutcomes = {Outcome::kReached, Outcome::kNoAnswer,
                                              Outcome::kResolved, Outcome::kNotNeeded};

std::string Label(auto value) { return std::string(ToString(value)); }

}  // namespace

OutreachMetrics::OutreachMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  auto& records = BuildCounter()
                      .Name(metric::kOutreachRecordsTotal)
                      .Help("Records read from cx.alerts and cx.outreach")
                      .Register(r);
  auto& bad = BuildCounter()
                  .Name(metric::kOutreachBadRecordsTotal)
                  .Help("Records skipped because their value could not be decoded")
                  .Register(r);
  for (size_t i = 0; i < kLogs.size(); ++i) {
    records_[i] = &records.Add({{"log", kLogs[i]}});
    bad_records_[i] = &bad.Add({{"log", kLogs[i]}});
  }
  auto& commands = BuildCounter()
                       .Name(metric::kOutreachCommandsTotal)
                       .Help("Rep commands folded, by command and verdict")
                       .Register(r);
  for (size_t k = 0; k < kKinds.size(); ++k) {
    for (size_t v = 0; v < kVerdicts.size(); ++v) {
      commands_[k][v] =
          &commands.Add({{"command", Label(kKinds[k])}, {"verdict", Label(kVerdicts[v])}});
    }
  }
  auto& outcomes = BuildCounter()
                       .Name(metric::kOutreachOutcomesTotal)
                       .Help("Cases resolved, by outcome")
                       .Register(r);
  for (size_t i = 0; i < kOutcomes.size(); ++i) {
    outcomes_[i] = &outcomes.Add({{"outcome", Label(kOutcomes[i])}});
  }
  escalations_ = &BuildCounter()
                      .Name(metric::kOutreachEscalationsTotal)
                      .Help("Critical cases escalated (unclaimed too long)")
                      .Register(r)
                      .Add({});
  Histogram::BucketBoundaries minutes = {30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};
  auto& claim = BuildHistogram()
                    .Name(metric::kOutreachTimeToClaimSeconds)
                    .Help("From a case opening to its first accepted claim, by severity")
                    .Register(r);
  auto& resolve = BuildHistogram()
                      .Name(metric::kOutreachTimeToResolveSeconds)
                      .Help("From a case opening to its resolve, by severity")
                      .Register(r);
  auto& oldest = BuildGauge()
                     .Name(metric::kOutreachOldestUnclaimedSeconds)
                     .Help("The longest an open case has waited unclaimed, by severity")
                     .Register(r);
  for (size_t v = 0; v < kSeverities.size(); ++v) {
    time_to_claim_[v] = &claim.Add({{"severity", Label(kSeverities[v])}}, minutes);
    time_to_resolve_[v] = &resolve.Add({{"severity", Label(kSeverities[v])}}, minutes);
    oldest_unclaimed_[v] = &oldest.Add({{"severity", Label(kSeverities[v])}});
  }
  round_trip_ = &BuildHistogram()
                     .Name(metric::kOutreachCommandRoundTripSeconds)
                     .Help("A command request from arrival to its answer (read back)")
                     .Register(r)
                     .Add({}, Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                          1, 2.5, 5, 10});
  answers_family_ = &BuildCounter()
                         .Name(metric::kOutreachCommandAnswersTotal)
                         .Help("Command requests answered, by HTTP status")
                         .Register(r);
  auto& cases = BuildGauge()
                    .Name(metric::kOutreachCases)
                    .Help("Cases kept, by status and severity")
                    .Register(r);
  for (size_t s = 0; s < kStatuses.size(); ++s) {
    for (size_t v = 0; v < kSeverities.size(); ++v) {
      cases_[s][v] =
          &cases.Add({{"status", Label(kStatuses[s])}, {"severity", Label(kSeverities[v])}});
    }
  }
  open_family_ = &BuildGauge()
                      .Name(metric::kOutreachOpenCases)
                      .Help("Open cases by queue and severity")
                      .Register(r);
  ready_ = &BuildGauge()
                .Name(metric::kOutreachReady)
                .Help("1 once both logs are read up to their end offsets of start-up")
                .Register(r)
                .Add({});
  rebuild_seconds_ = &BuildGauge()
                          .Name(metric::kOutreachRebuildSeconds)
                          .Help("Time from start until both logs were read to their end")
                          .Register(r)
                          .Add({});
}

OutreachMetrics::~OutreachMetrics() = default;

void OutreachMetrics::OnRecord(bool command, bool decoded) {
  size_t i = command ? 1 : 0;
  records_[i]->Increment();
  if (!decoded) bad_records_[i]->Increment();
}

void OutreachMetrics::OnCommandFolded(CommandKind kind, Verdict verdict) {
  commands_[static_cast<size_t>(kind)][static_cast<size_t>(verdict)]->Increment();
}

void OutreachMetrics::OnClaimed(double seconds_since_open, Severity severity) {
  time_to_claim_[static_cast<size_t>(severity)]->Observe(seconds_since_open);
}

void OutreachMetrics::OnResolved(double seconds_since_open, Severity severity, Outcome outcome) {
  time_to_resolve_[static_cast<size_t>(severity)]->Observe(seconds_since_open);
  if (outcome != Outcome::kNone) outcomes_[static_cast<size_t>(outcome) - 1]->Increment();
}

void OutreachMetrics::OnEscalations(uint64_t count) {
  escalations_->Increment(static_cast<double>(count));
}

void OutreachMetrics::OnCommandAnswered(std::chrono::nanoseconds elapsed, unsigned status) {
  round_trip_->Observe(std::chrono::duration<double>(elapsed).count());
  answers_family_->Add({{"status", std::to_string(status)}}).Increment();
}

void OutreachMetrics::OnCommandRefused(unsigned status) {
  answers_family_->Add({{"status", std::to_string(status)}}).Increment();
}

void OutreachMetrics::OnCaughtUp(std::chrono::nanoseconds elapsed) {
  rebuild_seconds_->Set(std::chrono::duration<double>(elapsed).count());
}

std::string OutreachMetrics::Serialize(const OutreachCaseCounts& counts, bool ready) {
  std::lock_guard<std::mutex> lock(mutex_);
  ready_->Set(ready ? 1 : 0);
  for (size_t v = 0; v < kSeverities.size(); ++v) {
    oldest_unclaimed_[v]->Set(counts.oldest_unclaimed_seconds[v]);
  }
  for (size_t s = 0; s < kStatuses.size(); ++s) {
    for (size_t v = 0; v < kSeverities.size(); ++v) {
      cases_[s][v]->Set(static_cast<double>(counts.by_status[s][v]));
    }
  }
  for (auto& [queue, gauges] : open_by_queue_) {
    for (auto* gauge : gauges) gauge->Set(0);
  }
  for (const auto& [queue, open] : counts.open_by_queue) {
    std::string label = queue;
    if (!open_by_queue_.contains(label) && open_by_queue_.size() >= kMaxQueues) label = "other";
    auto [it, added] = open_by_queue_.try_emplace(label);
    if (added) {
      for (size_t v = 0; v < kSeverities.size(); ++v) {
        it->second[v] = &open_family_->Add({{"queue", label}, {"severity", Label(kSeverities[v])}});
      }
    }
    for (size_t v = 0; v < kSeverities.size(); ++v) {
      it->second[v]->Increment(static_cast<double>(open[v]));
    }
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace cx
