#include "runtime/cli/terminal_view.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

ProgressCounts Sample() {
  ProgressCounts counts;
  counts.elapsed = std::chrono::seconds(65);
  counts.events = 7358;
  counts.events_per_second = 190.4;
  counts.dead_letters = 13;
  counts.lag = 42;
  counts.alerts_by_kind[static_cast<size_t>(AlertKind::kSlaBreach)] = 24;
  counts.critical_by_kind[static_cast<size_t>(AlertKind::kSlaBreach)] = 4;
  counts.alerts_by_kind[static_cast<size_t>(AlertKind::kAtRisk)] = 2;
  return counts;
}

TEST(TerminalView, ProgressLineHasTimeRateLagAndOnlyKindsWithAlerts) {
  EXPECT_EQ(FormatProgressLine(Sample()),
            "-- 1m05s  7358 events  190/s  lag 42  13 dead | sla_breach 24 (4 crit), at_risk 2");
}

TEST(TerminalView, ProgressLineLeavesOutWhatIsUnknownOrZero) {
  ProgressCounts counts;
  counts.elapsed = std::chrono::seconds(7);
  EXPECT_EQ(FormatProgressLine(counts), "-- 7s  0 events  0/s | no alerts yet");
  counts.elapsed = std::chrono::seconds(3 * 3600 + 125);
  EXPECT_EQ(FormatProgressLine(counts).substr(0, 9), "-- 3h02m ");
}

TEST(TerminalView, ProgressLineFitsOneHundredColumns) {
  ProgressCounts counts = Sample();
  counts.events = 123'456'789;
  counts.lag = 9'876'543;
  counts.dead_letters = 99'999;
  counts.alerts_by_kind.fill(123'456);
  counts.critical_by_kind.fill(12'345);
  std::string line = FormatProgressLine(counts);
  EXPECT_LE(line.size(), kProgressColumns) << line;
  EXPECT_NE(line.find("more"), std::string::npos) << line;
  counts = Sample();
  counts.alerts_by_kind.fill(5);
  counts.critical_by_kind.fill(1);
  line = FormatProgressLine(counts);
  EXPECT_LE(line.size(), kProgressColumns) << line;
  EXPECT_NE(line.find("| sla_breach 5/1!, repeat_contact 5/1!"), std::string::npos) << line;
}

}  // namespace
}  // namespace cx
