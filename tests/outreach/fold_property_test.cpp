// Properties of the case fold over a seeded random log: determinism (the same records give
// byte-identical JSON), rebuild-from-the-log equals the incremental state, time passing in
// extra steps changes nothing, and the SPEC §7 invariants hold after every record.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "outreach/case_book.h"
#include "outreach/case_json.h"
#include "outreach/command_json.h"
#include "tests/outreach/fold_helpers.h"
#include "tests/outreach/scenario_log.h"

namespace cx {
namespace {

// A random but valid log: alerts for a few customers and commands by a few reps on the cases
// those alerts open (and some unknown ones), time moving forward by 0-6 minutes per record.
test::OutreachLog RandomLog(uint32_t seed, int records) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const char* reps[] = {"ana", "bob", "cy"};
  test::OutreachLog log;
  std::vector<std::pair<std::string, std::string>> alert_refs;  // (customer, alert_id)
  double minutes = 0;
  for (int i = 0; i < records; ++i) {
    minutes += pick(7) * (pick(4) == 0 ? 0.0 : 1.0);
    const EventTime ts = test::At(minutes);
    if (alert_refs.empty() || pick(3) == 0) {
      const std::string customer = "c-" + std::to_string(pick(8));
      const std::string id = "a-" + std::to_string(i);
      Alert a = test::MakeAlert(id, customer, static_cast<AlertKind>(pick(kAlertKindCount)),
                                pick(3) == 0 ? Severity::kCritical : Severity::kWarning, ts);
      if (pick(4) == 0) a.tier = Tier::kVip;
      if (pick(2) == 0) a.queue = "q" + std::to_string(pick(3));
      log.alerts.push_back(a);
      alert_refs.emplace_back(customer, id);
      if (pick(10) == 0) log.alerts.push_back(a);  // a re-delivery
      continue;
    }
    const auto& [customer, alert_id] =
        alert_refs[static_cast<size_t>(pick(static_cast<int>(alert_refs.size())))];
    Command c = test::MakeCommand("k-" + std::to_string(i), CaseId(customer, alert_id),
                                  reps[pick(3)], static_cast<CommandKind>(pick(4)), ts);
    if (pick(20) == 0) c.case_id = "unknown";
    c.snooze_until = ts + Duration::Minutes(pick(90) - 5);
    c.outcome = static_cast<Outcome>(pick(5));
    log.commands.push_back(c);
  }
  return log;
}

struct Folded {
  std::string cases;
  std::string escalations;
  std::string results;
};

std::string Escalations(const std::vector<Escalation>& escalations) {
  std::string out;
  for (const Escalation& e : escalations) {
    AppendEscalationJson(e, out);
    out += '\n';
  }
  return out;
}

// Folds the first `count` merged records; then advances to `end`. With `ticks`, time is also
// advanced before each record to a random instant no later than that record's ts.
Folded Fold(const test::OutreachLog& log, size_t count, EventTime end, std::mt19937* ticks) {
  CaseBook book;
  std::vector<Escalation> escalations;
  std::vector<CommandResult> results;
  const std::vector<MergeStep> order = log.Order();
  for (size_t i = 0; i < count; ++i) {
    const MergeStep& step = order[i];
    if (ticks != nullptr) {
      const EventTime ts = step.source == LogSource::kAlerts ? log.alerts[step.index].ts
                                                             : log.commands[step.index].ts;
      const EventTime from = std::max(book.Now(), ts - Duration::Minutes(10));
      if (from <= ts) {
        book.AdvanceTo(
            from + Duration::Millis(static_cast<int64_t>((*ticks)() % ((ts - from).ms + 1))),
            escalations);
      }
    }
    log.Apply(step, book, escalations, &results);
  }
  book.AdvanceTo(end, escalations);
  Folded out{test::CasesJsonl(book), Escalations(escalations), ""};
  for (const CommandResult& r : results) {
    out.results += std::string(ToString(r.verdict)) + " " + r.reason + " " + r.owner + "\n";
  }
  return out;
}

TEST(FoldPropertyTest, SameRecordsGiveByteIdenticalJson) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    const test::OutreachLog log = RandomLog(seed, 400);
    const size_t n = log.alerts.size() + log.commands.size();
    const Folded a = Fold(log, n, test::At(3000), nullptr);
    const Folded b = Fold(log, n, test::At(3000), nullptr);
    EXPECT_EQ(a.cases, b.cases);
    EXPECT_EQ(a.escalations, b.escalations);
    EXPECT_EQ(a.results, b.results);
    EXPECT_FALSE(a.cases.empty());
  }
}

TEST(FoldPropertyTest, ExtraTimeStepsChangeNothing) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    const test::OutreachLog log = RandomLog(seed, 400);
    const size_t n = log.alerts.size() + log.commands.size();
    std::mt19937 ticks(seed);
    const Folded plain = Fold(log, n, test::At(3000), nullptr);
    const Folded ticked = Fold(log, n, test::At(3000), &ticks);
    EXPECT_EQ(plain.cases, ticked.cases) << "seed " << seed;
    EXPECT_EQ(plain.escalations, ticked.escalations) << "seed " << seed;
    EXPECT_EQ(plain.results, ticked.results) << "seed " << seed;
  }
}

TEST(FoldPropertyTest, RebuildFromTheLogEqualsIncrementalState) {
  const test::OutreachLog log = RandomLog(7, 300);
  const std::vector<MergeStep> order = log.Order();
  CaseBook incremental;
  std::vector<Escalation> escalations;
  for (size_t i = 0; i < order.size(); ++i) {
    log.Apply(order[i], incremental, escalations, nullptr);
    if (i % 37 != 0 && i + 1 != order.size()) continue;
    const Folded rebuilt = Fold(log, i + 1, incremental.Now(), nullptr);
    ASSERT_EQ(test::CasesJsonl(incremental), rebuilt.cases) << "after record " << i;
    ASSERT_EQ(Escalations(escalations), rebuilt.escalations) << "after record " << i;
  }
}

TEST(FoldPropertyTest, InvariantsHoldAfterEveryRecord) {
  const test::OutreachLog log = RandomLog(11, 600);
  CaseBook book;
  std::vector<Escalation> escalations;
  int accepted = 0;
  int rejected = 0;
  std::vector<CommandResult> results;
  for (const MergeStep& step : log.Order()) {
    log.Apply(step, book, escalations, &results);
    std::set<std::string> customers_with_open_case;
    for (const auto& [id, c] : book.Cases()) {
      ASSERT_FALSE(c.alerts.empty());
      Severity highest = Severity::kWarning;
      for (const CaseAlert& a : c.alerts) highest = std::max(highest, a.severity);
      EXPECT_EQ(c.severity, highest);
      if (c.status != CaseStatus::kResolved) {
        EXPECT_TRUE(customers_with_open_case.insert(c.customer_id).second) << c.customer_id;
        EXPECT_EQ(book.CurrentCaseOf(c.customer_id), &c);
      }
      if (c.status == CaseStatus::kClaimed) {
        EXPECT_FALSE(c.owner.empty());
      }
      EXPECT_EQ(c.snoozed_until.has_value(), c.status == CaseStatus::kSnoozed);
      EXPECT_EQ(c.outcome != Outcome::kNone, c.status == CaseStatus::kResolved);
    }
  }
  for (const CommandResult& r : results) (r.verdict == Verdict::kAccepted ? accepted : rejected)++;
  EXPECT_GT(accepted, 20);  // the log exercises both paths
  EXPECT_GT(rejected, 20);
  std::set<std::string> escalated;
  for (const Escalation& e : escalations) {
    EXPECT_EQ(e.snapshot.severity, Severity::kCritical);
    EXPECT_TRUE(escalated.insert(e.snapshot.case_id).second) << "escalated twice";
  }
  EXPECT_FALSE(escalations.empty());
}

// Alerts as `cxpulse replay` writes them (the first 200 of the README's sample run) decode and
// fold into one case per customer, and folding them again gives the same bytes.
TEST(FoldPropertyTest, ReplayAlertsFoldIntoOneCasePerCustomer) {
  test::OutreachLog log;
  Result<void> loaded =
      log.Load(std::string(CXPULSE_SOURCE_DIR) + "/tests/outreach/data/replay_sample");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  ASSERT_EQ(log.alerts.size(), 200u);
  std::set<std::string> customers;
  size_t with_queue = 0;
  for (const Alert& a : log.alerts) {
    customers.insert(a.customer_id);
    with_queue += a.queue.empty() ? 0 : 1;
  }
  EXPECT_GT(with_queue, 0u);
  const Folded once = Fold(log, log.alerts.size(), test::At(24 * 60), nullptr);
  const Folded twice = Fold(log, log.alerts.size(), test::At(24 * 60), nullptr);
  EXPECT_EQ(once.cases, twice.cases);
  EXPECT_EQ(static_cast<size_t>(std::count(once.cases.begin(), once.cases.end(), '\n')),
            customers.size());
  EXPECT_FALSE(once.escalations.empty());  // critical alerts nobody claimed
}

}  // namespace
}  // namespace cx
