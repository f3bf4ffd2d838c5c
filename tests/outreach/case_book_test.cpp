#include "outreach/case_book.h"

#include <gtest/gtest.h>

#include "outreach/case_json.h"
#include "tests/outreach/fold_helpers.h"

namespace cx {
namespace {

using test::At;
using test::MakeAlert;
using test::MakeCommand;

class CaseBookTest : public ::testing::Test {
 protected:
  const Case& Add(const Alert& a) {
    const Case* c = book_.ApplyAlert(a, escalations_);
    EXPECT_NE(c, nullptr);
    return *c;
  }
  CommandResult Run(const Command& command) { return book_.ApplyCommand(command, escalations_); }
  // Opens the case of alert "a1" for customer "c-1" at minute 0; returns its id.
  std::string Open(AlertKind kind, Severity severity) {
    return Add(MakeAlert("a1", "c-1", kind, severity, At(0))).case_id;
  }
  // `rep` claims `id` at `minutes`; the claim must be accepted.
  void Claim(const std::string& id, const std::string& rep, double minutes) {
    ASSERT_EQ(Run(MakeCommand("k-claim", id, rep, CommandKind::kClaim, At(minutes))).verdict,
              Verdict::kAccepted);
  }

  CaseBook book_;
  std::vector<Escalation> escalations_;
};

TEST_F(CaseBookTest, OneOpenCasePerCustomerGathersItsAlerts) {
  const std::string id = Open(AlertKind::kHighEffort, Severity::kWarning);
  EXPECT_EQ(id, CaseId("c-1", "a1"));
  EXPECT_EQ(id.size(), 32u);
  Add(MakeAlert("a2", "c-1", AlertKind::kRepeatContact, Severity::kWarning, At(1)));
  Add(MakeAlert("b1", "c-2", AlertKind::kLowScore, Severity::kWarning, At(2)));
  ASSERT_EQ(book_.Cases().size(), 2u);
  const Case& c = *book_.Find(id);
  EXPECT_EQ(c.alerts.size(), 2u);
  EXPECT_EQ(c.status, CaseStatus::kOpen);
  EXPECT_EQ(c.opened_at, At(0));
  EXPECT_EQ(book_.CurrentCaseOf("c-1"), &c);
}

TEST_F(CaseBookTest, SeverityIsTheHighestAndActionOfTheMostSevereLatestOnTie) {
  Add(MakeAlert("a1", "c-1", AlertKind::kSlaBreach, Severity::kCritical, At(0)));
  Add(MakeAlert("a2", "c-1", AlertKind::kHighEffort, Severity::kWarning, At(1)));
  const Case& c = *book_.CurrentCaseOf("c-1");
  EXPECT_EQ(c.severity, Severity::kCritical);
  EXPECT_EQ(RecommendedAction(c), "apologise_and_compensate");
  Add(MakeAlert("a3", "c-1", AlertKind::kAtRisk, Severity::kCritical, At(2)));
  EXPECT_EQ(RecommendedAction(c), "senior_callback");
}

TEST_F(CaseBookTest, ContextIsTheLatestKnownValue) {
  Alert a = MakeAlert("a1", "c-1", AlertKind::kSlaBreach, Severity::kWarning, At(0));
  a.tier = Tier::kVip;
  a.channel = "phone";
  a.queue = "billing";
  a.reason = "refund";
  Add(a);
  Alert b = MakeAlert("a2", "c-1", AlertKind::kHighEffort, Severity::kWarning, At(1));
  b.reason = "login";
  const Case& c = Add(b);
  EXPECT_EQ(c.tier, Tier::kVip);
  EXPECT_EQ(c.channel, "phone");
  EXPECT_EQ(c.queue, "billing");
  EXPECT_EQ(c.reason, "login");
}

TEST_F(CaseBookTest, RedeliveredAlertIsIgnored) {
  const Alert a = MakeAlert("a1", "c-1", AlertKind::kSlaBreach, Severity::kWarning, At(0));
  Add(a);
  EXPECT_EQ(book_.ApplyAlert(a, escalations_), nullptr);
  EXPECT_EQ(book_.CurrentCaseOf("c-1")->alerts.size(), 1u);
}

TEST_F(CaseBookTest, FilteredAlertsNeverEnter) {
  CaseRules rules;
  rules.routes_to_cases = DefaultCaseFilter(true);
  CaseBook book(rules);
  EXPECT_EQ(
      book.ApplyAlert(MakeAlert("a1", "c-1", AlertKind::kNeedsHelp, Severity::kWarning, At(0)),
                      escalations_),
      nullptr);
  EXPECT_TRUE(book.Cases().empty());
  EXPECT_NE(book.ApplyAlert(MakeAlert("a2", "c-1", AlertKind::kLowScore, Severity::kWarning, At(0)),
                            escalations_),
            nullptr);
  EXPECT_TRUE(DefaultCaseFilter(false)(
      MakeAlert("a3", "c-1", AlertKind::kNeedsHelp, Severity::kWarning, At(0))));
}

TEST_F(CaseBookTest, FirstClaimWinsAndTheSecondLearnsTheOwner) {
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  EXPECT_EQ(Run(MakeCommand("k1", id, "ana", CommandKind::kClaim, At(1))).verdict,
            Verdict::kAccepted);
  const CommandResult second = Run(MakeCommand("k2", id, "bob", CommandKind::kClaim, At(1)));
  EXPECT_EQ(second.verdict, Verdict::kConflict);
  EXPECT_EQ(second.owner, "ana");
  EXPECT_EQ(book_.Find(id)->owner, "ana");
  EXPECT_EQ(book_.Find(id)->claimed_at, At(1));
}

TEST_F(CaseBookTest, ClaimLapsesAfterThirtyMinutesNotBefore) {
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  Claim(id, "ana", 1);
  EXPECT_EQ(Run(MakeCommand("k2", id, "bob", CommandKind::kClaim, At(30.99))).verdict,
            Verdict::kConflict);
  book_.AdvanceTo(At(31), escalations_);
  EXPECT_EQ(book_.Find(id)->status, CaseStatus::kOpen);
  EXPECT_EQ(book_.Find(id)->owner, "ana");
  EXPECT_EQ(Run(MakeCommand("k3", id, "bob", CommandKind::kClaim, At(31))).owner, "bob");
  EXPECT_EQ(Run(MakeCommand("k4", id, "ana", CommandKind::kResolve, At(32))).verdict,
            Verdict::kConflict);
}

TEST_F(CaseBookTest, CheckCountsALapseDueByTheCommandTime) {
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  Claim(id, "ana", 1);
  EXPECT_EQ(book_.Check(MakeCommand("k2", id, "bob", CommandKind::kClaim, At(30))).verdict,
            Verdict::kConflict);
  EXPECT_EQ(book_.Check(MakeCommand("k3", id, "bob", CommandKind::kClaim, At(31))).verdict,
            Verdict::kAccepted);
  EXPECT_EQ(book_.Find(id)->owner, "ana");  // Check changed nothing
}

TEST_F(CaseBookTest, ReleaseOfALapsedClaimKeepsTheEscalationClock) {
  const std::string id = Open(AlertKind::kSlaBreach, Severity::kCritical);
  Claim(id, "ana", 1);
  book_.AdvanceTo(At(31), escalations_);  // lapsed at 31: escalates at 46
  ASSERT_EQ(Run(MakeCommand("k2", id, "ana", CommandKind::kRelease, At(40))).verdict,
            Verdict::kAccepted);
  EXPECT_TRUE(book_.Find(id)->owner.empty());
  book_.AdvanceTo(At(46), escalations_);
  EXPECT_EQ(escalations_.size(), 1u);
}

TEST_F(CaseBookTest, ReleaseAndResolveOnlyByTheOwner) {
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  EXPECT_EQ(Run(MakeCommand("k0", id, "ana", CommandKind::kResolve, At(0.5))).reason,
            "the case is not claimed: claim it first");
  Claim(id, "ana", 1);
  const CommandResult release = Run(MakeCommand("k2", id, "bob", CommandKind::kRelease, At(2)));
  EXPECT_EQ(release.verdict, Verdict::kConflict);
  EXPECT_EQ(release.owner, "ana");
  EXPECT_EQ(Run(MakeCommand("k3", id, "bob", CommandKind::kResolve, At(2))).verdict,
            Verdict::kConflict);
  Command resolve = MakeCommand("k4", id, "ana", CommandKind::kResolve, At(3));
  resolve.outcome = Outcome::kNoAnswer;
  resolve.note = "voicemail";
  EXPECT_EQ(Run(resolve).verdict, Verdict::kAccepted);
  const Case& c = *book_.Find(id);
  EXPECT_EQ(c.status, CaseStatus::kResolved);
  EXPECT_EQ(c.outcome, Outcome::kNoAnswer);
  EXPECT_EQ(c.resolved_at, At(3));
  EXPECT_EQ(book_.CurrentCaseOf("c-1"), nullptr);
  EXPECT_EQ(Run(MakeCommand("k5", id, "ana", CommandKind::kClaim, At(4))).reason,
            "the case is already resolved");
}

TEST_F(CaseBookTest, UnknownCaseAndBadSnoozeAreRejectedWithoutChange) {
  EXPECT_EQ(Run(MakeCommand("k1", "nope", "ana", CommandKind::kClaim, At(0))).verdict,
            Verdict::kNotFound);
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  Command snooze = MakeCommand("k2", id, "ana", CommandKind::kSnooze, At(5));
  snooze.snooze_until = At(5);
  EXPECT_EQ(book_.Check(snooze).verdict, Verdict::kInvalid);
  EXPECT_EQ(Run(snooze).verdict, Verdict::kInvalid);
  Command resolve = MakeCommand("k3", id, "ana", CommandKind::kResolve, At(5));
  resolve.outcome = Outcome::kNone;
  EXPECT_EQ(Run(resolve).verdict, Verdict::kInvalid);
  EXPECT_EQ(book_.Find(id)->status, CaseStatus::kOpen);
}

TEST_F(CaseBookTest, SnoozedCaseWakesAtItsTimeOrOnANewAlert) {
  const std::string id = Open(AlertKind::kLowScore, Severity::kWarning);
  Command snooze = MakeCommand("k1", id, "ana", CommandKind::kSnooze, At(1));
  snooze.snooze_until = At(60);
  ASSERT_EQ(Run(snooze).verdict, Verdict::kAccepted);
  EXPECT_EQ(Run(MakeCommand("k2", id, "bob", CommandKind::kClaim, At(2))).reason,
            "the case is snoozed");
  book_.AdvanceTo(At(59.9), escalations_);
  EXPECT_EQ(book_.Find(id)->status, CaseStatus::kSnoozed);
  EXPECT_EQ(book_.NextDeadline(), At(60));
  EXPECT_TRUE(book_.CasesDueBy(At(59.9)).empty());
  EXPECT_EQ(book_.CasesDueBy(At(60)), std::vector<std::string>{id});
  book_.AdvanceTo(At(60), escalations_);
  EXPECT_EQ(book_.Find(id)->status, CaseStatus::kOpen);
  EXPECT_FALSE(book_.Find(id)->snoozed_until.has_value());
  Command again = MakeCommand("k3", id, "ana", CommandKind::kSnooze, At(61));
  again.snooze_until = At(120);
  ASSERT_EQ(Run(again).verdict, Verdict::kAccepted);
  Add(MakeAlert("a2", "c-1", AlertKind::kHighEffort, Severity::kWarning, At(62)));
  EXPECT_EQ(book_.Find(id)->status, CaseStatus::kOpen);
}

TEST_F(CaseBookTest, CriticalUnclaimedCaseEscalatesOnce) {
  const std::string id = Open(AlertKind::kSlaBreach, Severity::kCritical);
  book_.AdvanceTo(At(14.99), escalations_);
  EXPECT_TRUE(escalations_.empty());
  book_.AdvanceTo(At(15), escalations_);
  ASSERT_EQ(escalations_.size(), 1u);
  EXPECT_EQ(escalations_[0].ts, At(15));
  EXPECT_EQ(escalations_[0].snapshot.case_id, id);
  EXPECT_EQ(book_.Find(id)->escalated_at, At(15));
  book_.AdvanceTo(At(600), escalations_);
  Add(MakeAlert("a2", "c-1", AlertKind::kAtRisk, Severity::kCritical, At(601)));
  book_.AdvanceTo(At(700), escalations_);
  EXPECT_EQ(escalations_.size(), 1u);
}

TEST_F(CaseBookTest, WarningCaseEscalatesFifteenMinutesAfterItBecameCritical) {
  Add(MakeAlert("a1", "c-1", AlertKind::kHighEffort, Severity::kWarning, At(0)));
  book_.AdvanceTo(At(20), escalations_);
  EXPECT_TRUE(escalations_.empty());
  Add(MakeAlert("a2", "c-1", AlertKind::kHighEffort, Severity::kCritical, At(20)));
  book_.AdvanceTo(At(34.9), escalations_);
  EXPECT_TRUE(escalations_.empty());
  book_.AdvanceTo(At(35), escalations_);
  EXPECT_EQ(escalations_.size(), 1u);
}

TEST_F(CaseBookTest, ClaimedCriticalCaseDoesNotEscalate) {
  const std::string id = Open(AlertKind::kSlaBreach, Severity::kCritical);
  Claim(id, "ana", 5);
  book_.AdvanceTo(At(34), escalations_);
  EXPECT_TRUE(escalations_.empty());
  book_.AdvanceTo(At(50), escalations_);  // lapsed at 35, unclaimed since then
  ASSERT_EQ(escalations_.size(), 1u);
  EXPECT_EQ(escalations_[0].ts, At(50));
}

TEST_F(CaseBookTest, NewAlertAfterResolveOpensANewCaseAndResolvedIsForgottenLater) {
  const std::string first = Open(AlertKind::kLowScore, Severity::kWarning);
  Claim(first, "ana", 1);
  ASSERT_EQ(Run(MakeCommand("k2", first, "ana", CommandKind::kResolve, At(2))).verdict,
            Verdict::kAccepted);
  const std::string second =
      Add(MakeAlert("a2", "c-1", AlertKind::kLowScore, Severity::kWarning, At(3))).case_id;
  EXPECT_NE(first, second);
  EXPECT_EQ(book_.Cases().size(), 2u);
  book_.AdvanceTo(At(2) + Duration::Days(7), escalations_);
  EXPECT_EQ(book_.Find(first), nullptr);
  EXPECT_NE(book_.Find(second), nullptr);
}

}  // namespace
}  // namespace cx
