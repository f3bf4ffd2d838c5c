#include "runtime/outreach/outreach_api.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/outreach/fold_helpers.h"

namespace cx {
namespace {

using test::At;
using test::MakeAlert;

class OutreachApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Escalation> escalations;
    books_.emplace_back();
    books_.emplace_back();
    books_[0].ApplyAlert(
        MakeAlert("a-1", "cust-1", AlertKind::kSlaBreach, Severity::kWarning, At(0)), escalations);
    books_[1].ApplyAlert(
        MakeAlert("a-2", "cust-2", AlertKind::kSlaBreach, Severity::kCritical, At(1)), escalations);
    case1_ = CaseId("cust-1", "a-1");
    case2_ = CaseId("cust-2", "a-2");
  }

  // Plans a command on the book holding `case_id` and, when it is to be written, folds it
  // there the way the service does once it is read back.
  ApiResponse Run(const std::string& case_id, std::string_view action, std::string_view body,
                  const std::string& rep, std::string command_id) {
    int index = FindBook(books_, case_id);
    static const CaseBook kNone;
    CaseBook& book = index < 0 ? const_cast<CaseBook&>(kNone) : books_[index];
    CommandPlan plan = PlanCommand(book, case_id, action, body, rep, At(2), command_id);
    if (plan.answer) return *plan.answer;
    std::vector<Escalation> escalations;
    CommandResult result = book.ApplyCommand(plan.command, escalations);
    return AnswerCommand(book, plan.command, result);
  }

  std::vector<CaseBook> books_;
  std::string case1_;
  std::string case2_;
};

TEST_F(OutreachApiTest, ListsEveryPartitionCriticalFirst) {
  ApiResponse r = ListCases(books_, "", "ana");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("\"count\":2"), std::string::npos);
  EXPECT_LT(r.body.find(case2_), r.body.find(case1_));
}

TEST_F(OutreachApiTest, FiltersByStatusSeverityAndOwner) {
  EXPECT_NE(ListCases(books_, "severity=critical", "ana").body.find("\"count\":1"),
            std::string::npos);
  EXPECT_EQ(Run(case1_, "claim", "", "ana", "c1").status, 200u);
  ApiResponse mine = ListCases(books_, "owner=me", "ana");
  EXPECT_NE(mine.body.find(case1_), std::string::npos);
  EXPECT_NE(mine.body.find("\"count\":1"), std::string::npos);
  EXPECT_NE(ListCases(books_, "owner=me", "ben").body.find("\"count\":0"), std::string::npos);
  EXPECT_NE(ListCases(books_, "status=claimed", "ben").body.find(case1_), std::string::npos);
  EXPECT_NE(ListCases(books_, "status=open", "ben").body.find("\"count\":1"), std::string::npos);
}

TEST_F(OutreachApiTest, RejectsUnknownFilterValues) {
  EXPECT_EQ(ListCases(books_, "status=done", "ana").status, 400u);
  EXPECT_EQ(ListCases(books_, "severity=high", "ana").status, 400u);
  EXPECT_EQ(ListCases(books_, "owner=ben", "ana").status, 400u);
}

TEST_F(OutreachApiTest, GetCaseFindsTheCaseOrAnswers404) {
  EXPECT_EQ(GetCase(books_[0], case1_).status, 200u);
  EXPECT_EQ(GetCase(books_[0], case2_).status, 404u);
  EXPECT_EQ(FindBook(books_, case2_), 1);
  EXPECT_EQ(FindBook(books_, "nope"), -1);
}

TEST_F(OutreachApiTest, SecondClaimIs409NamingTheOwner) {
  EXPECT_EQ(Run(case1_, "claim", "", "ana", "c1").status, 200u);
  ApiResponse second = Run(case1_, "claim", "", "ben", "c2");
  EXPECT_EQ(second.status, 409u);
  EXPECT_NE(second.body.find("\"owner\":\"ana\""), std::string::npos);
}

TEST_F(OutreachApiTest, ResolveByOwnerOnlyAndWithAKnownOutcome) {
  EXPECT_EQ(Run(case1_, "claim", "", "ana", "c1").status, 200u);
  EXPECT_EQ(Run(case1_, "resolve", R"({"outcome":"reached"})", "ben", "c2").status, 409u);
  EXPECT_EQ(Run(case1_, "release", "", "ben", "c3").status, 409u);
  EXPECT_EQ(Run(case1_, "resolve", "", "ana", "c4").status, 400u);
  EXPECT_EQ(Run(case1_, "resolve", R"({"note":"x"})", "ana", "c5").status, 400u);
  EXPECT_EQ(Run(case1_, "resolve", R"({"outcome":"gone"})", "ana", "c6").status, 400u);
  ApiResponse ok = Run(case1_, "resolve", R"({"outcome":"reached","note":"called"})", "ana", "c7");
  EXPECT_EQ(ok.status, 200u);
  EXPECT_NE(ok.body.find("\"status\":\"resolved\""), std::string::npos);
}

TEST_F(OutreachApiTest, UnknownCaseOrActionIs404AndNothingIsPlanned) {
  static const CaseBook kNone;
  CommandPlan plan = PlanCommand(kNone, "missing", "claim", "", "ana", At(2), "c1");
  ASSERT_TRUE(plan.answer);
  EXPECT_EQ(plan.answer->status, 404u);
  plan = PlanCommand(books_[0], case1_, "steal", "", "ana", At(2), "c2");
  ASSERT_TRUE(plan.answer);
  EXPECT_EQ(plan.answer->status, 404u);
}

TEST_F(OutreachApiTest, AcceptablePlanCarriesTheAuthenticatedRep) {
  CommandPlan plan =
      PlanCommand(books_[0], case1_, "snooze",
                  R"({"until":"2026-10-05T12:00:00Z","rep":"mallory"})", "ana", At(2), "c1");
  ASSERT_FALSE(plan.answer);
  EXPECT_EQ(plan.command.rep, "ana");
  EXPECT_EQ(plan.command.kind, CommandKind::kSnooze);
  EXPECT_EQ(plan.command.ts, At(2));
  EXPECT_EQ(Run(case1_, "snooze", R"({"until":"yesterday"})", "ana", "c2").status, 400u);
  EXPECT_EQ(Run(case1_, "snooze", "", "ana", "c3").status, 400u);
}

TEST(ResolveRepTest, TokenThenIdentityHeaderElseNobody) {
  OutreachConfig config;
  config.reps = {{"ana", "T_ANA", "secret-ana"}, {"ben", "T_BEN", "secret-ben"}};
  EXPECT_EQ(ResolveRep(config, "Bearer secret-ben", ""), "ben");
  EXPECT_EQ(ResolveRep(config, "Bearer wrong", ""), "");
  EXPECT_EQ(ResolveRep(config, "", "ana"), "");  // no identity header configured
  config.identity_header = "X-Forwarded-User";
  EXPECT_EQ(ResolveRep(config, "", "carla"), "carla");
  EXPECT_EQ(ResolveRep(config, "Bearer secret-ana", "carla"), "ana");
  EXPECT_EQ(ResolveRep(config, "", ""), "");
  EXPECT_EQ(ResolveRep(config, "", "bad\nname"), "");
}

}  // namespace
}  // namespace cx
