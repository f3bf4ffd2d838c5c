#include "runtime/metrics/outreach_metrics.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/runtime/metrics/prometheus_sample.h"

namespace cx {
namespace {

constexpr size_t kWarning = static_cast<size_t>(Severity::kWarning);
constexpr size_t kCritical = static_cast<size_t>(Severity::kCritical);

TEST(OutreachMetricsTest, TimeToClaimAndResolveBySeverityAndOutcomes) {
  OutreachMetrics metrics;
  metrics.OnClaimed(45, Severity::kCritical);
  metrics.OnClaimed(400, Severity::kWarning);
  metrics.OnClaimed(700, Severity::kWarning);
  metrics.OnResolved(1000, Severity::kWarning, Outcome::kNoAnswer);
  metrics.OnResolved(90, Severity::kCritical, Outcome::kReached);
  metrics.OnEscalations(2);
  metrics.OnCommandAnswered(std::chrono::milliseconds(30), 200);
  metrics.OnCommandRefused(409);
  metrics.OnCommandRefused(409);
  std::string text = metrics.Serialize({}, true);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_command_answers_total{status=\"200\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_command_answers_total{status=\"409\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_command_round_trip_seconds_count"), 1);
  const std::string claim = "cxpulse_outreach_time_to_claim_seconds";
  EXPECT_EQ(Sample(text, claim + "_count{severity=\"critical\"}"), 1);
  EXPECT_EQ(Sample(text, claim + "_count{severity=\"warning\"}"), 2);
  EXPECT_EQ(Sample(text, claim + "_bucket{severity=\"critical\",le=\"60\"}"), 1);
  EXPECT_EQ(Sample(text, claim + "_bucket{severity=\"warning\",le=\"300\"}"), 0);
  EXPECT_EQ(Sample(text, claim + "_bucket{severity=\"warning\",le=\"600\"}"), 1);
  EXPECT_EQ(Sample(text, claim + "_sum{severity=\"warning\"}"), 1100);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_time_to_resolve_seconds_count{severity=\"warning\"}"),
            1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_time_to_resolve_seconds_count{severity=\"critical\"}"),
            1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_outcomes_total{outcome=\"no_answer\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_outcomes_total{outcome=\"reached\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_outcomes_total{outcome=\"resolved\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_escalations_total"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_ready"), 1);
}

TEST(OutreachMetricsTest, OpenCasesByQueueAndSeverityAndTheLongestUnclaimedWait) {
  OutreachMetrics metrics;
  OutreachCaseCounts counts;
  counts.by_status[static_cast<size_t>(CaseStatus::kOpen)][kCritical] = 3;
  counts.by_status[static_cast<size_t>(CaseStatus::kClaimed)][kWarning] = 4;
  counts.open_by_queue["billing"][kCritical] = 2;
  counts.open_by_queue[""][kCritical] = 1;
  counts.oldest_unclaimed_seconds[kCritical] = 1260.5;
  std::string text = metrics.Serialize(counts, false);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_cases{severity=\"critical\",status=\"open\"}"), 3);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_cases{severity=\"warning\",status=\"claimed\"}"), 4);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_open_cases{queue=\"billing\",severity=\"critical\"}"),
            2);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_open_cases{queue=\"\",severity=\"critical\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_oldest_unclaimed_seconds{severity=\"critical\"}"),
            1260.5);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_oldest_unclaimed_seconds{severity=\"warning\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_ready"), 0);

  // The next scrape sets the gauges afresh: a queue emptied goes to 0, the wait falls.
  counts.open_by_queue.erase("billing");
  counts.oldest_unclaimed_seconds[kCritical] = 30;
  text = metrics.Serialize(counts, true);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_open_cases{queue=\"billing\",severity=\"critical\"}"),
            0);
  EXPECT_EQ(Sample(text, "cxpulse_outreach_oldest_unclaimed_seconds{severity=\"critical\"}"), 30);
}

}  // namespace
}  // namespace cx
