#include "reasons/reason_report.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reasons/reason_labels.h"
#include "reasons/reason_report_format.h"

namespace cx {
namespace {

constexpr int64_t kDay1 = 1'790'000'000'000;  // 2026-09-21T...Z
constexpr int64_t kDayMs = 86'400'000;

Event Contact(EventType type, Action action, std::string_view customer, std::string_view contact,
              std::string_view reason, int64_t ts_ms) {
  Event e;
  e.type = type;
  e.action = action;
  e.customer_id = customer;
  e.contact_id = contact;
  e.reason = reason;
  e.ts = EventTime::FromMillis(ts_ms);
  return e;
}

Event Ended(std::string_view customer, std::string_view contact, int8_t resolved, int64_t ts_ms) {
  Event e = Contact(EventType::kCall, Action::kEnded, customer, contact, "", ts_ms);
  e.resolved = resolved;
  return e;
}

Signal Repeat(std::string_view customer, std::string_view contact, std::string_view reason) {
  Signal s;
  s.kind = SignalKind::kContactRepeat;
  s.customer_id = customer;
  s.contact_id = contact;
  s.channel = "call";
  s.reason = reason;
  return s;
}

const ReasonRow* Row(const ReasonReport& report, std::string_view reason) {
  for (const ReasonRow& row : report.rows) {
    if (row.reason == reason) return &row;
  }
  return nullptr;
}

TEST(ReasonLabels, ListedReasonsKeepTheirIndexAndEverythingElseIsOther) {
  ReasonLabels labels({"billing", "delivery"});
  EXPECT_EQ(labels.size(), 3U);
  EXPECT_EQ(labels.Index("billing"), 0U);
  EXPECT_EQ(labels.Index("delivery"), 1U);
  EXPECT_EQ(labels.Index("Billing"), labels.other_index());
  EXPECT_EQ(labels.Index(""), labels.other_index());
  EXPECT_EQ(labels.Index("refund"), 2U);
  EXPECT_EQ(labels.Name(2), "other");
}

// The problem ValidateReasonList names, "" when the list is valid.
std::string Problem(const std::vector<std::string>& known) {
  Result<void> valid = ValidateReasonList(known);
  return valid.ok() ? std::string() : valid.error().message();
}

TEST(ReasonLabels, ValidationNamesTheProblem) {
  EXPECT_EQ(Problem(DefaultReasons()), "");
  EXPECT_EQ(Problem({}), "");
  std::vector<std::string> many;
  for (int i = 0; i < 49; ++i) many.push_back("r" + std::to_string(i));
  EXPECT_EQ(Problem(many), "");
  many.emplace_back("r49");
  EXPECT_EQ(Problem(many), "at most 49 reasons (50 label values with \"other\"), got 50");
  EXPECT_EQ(Problem({"billing", "billing"}), "[1]: 'billing' is listed twice");
  EXPECT_EQ(Problem({"other"}), "[0]: \"other\" is reserved for reasons not in the list");
  EXPECT_EQ(Problem({"a", ""}), "[1]: expected 1 to 64 characters");
  EXPECT_EQ(Problem({std::string(65, 'x')}), "[0]: expected 1 to 64 characters");
  EXPECT_EQ(Problem({"bad\nline"}), "[0]: a reason cannot hold control characters");
  EXPECT_EQ(Problem({"wrong item"}), "");
}

TEST(ReasonLabels, AnOverlongListIsStillBounded) {
  std::vector<std::string> many;
  for (int i = 0; i < 80; ++i) many.push_back("r" + std::to_string(i));
  EXPECT_EQ(ReasonLabels(many).size(), ReasonLabels::kMaxReasonLabels);
}

TEST(ReasonLabels, OnlyQueuedCallsAndStartedChatsOpenAContact) {
  EXPECT_EQ(OpenedContact(Contact(EventType::kCall, Action::kQueued, "c", "k", "", 0)),
            ContactChannel::kCall);
  EXPECT_EQ(OpenedContact(Contact(EventType::kChat, Action::kStarted, "c", "k", "", 0)),
            ContactChannel::kChat);
  EXPECT_FALSE(OpenedContact(Contact(EventType::kChat, Action::kMessage, "c", "k", "", 0)));
  EXPECT_FALSE(OpenedContact(Contact(EventType::kCall, Action::kEnded, "c", "k", "", 0)));
  EXPECT_FALSE(OpenedContact(Contact(EventType::kClick, Action::kContactUs, "c", "", "", 0)));
}

// Two days of contacts: counts by reason and channel, repeats by the signal's reason,
// first-contact resolution over first contacts with a known outcome only, and the trend.
class ReasonReportTest : public ::testing::Test {
 protected:
  ReasonLabels labels_{{"billing", "delivery", "login"}};
  ReasonReportBuilder builder_{labels_};

  void SetUp() override {
    // c1: a billing call, resolved; two days later another billing call (a repeat), unresolved.
    builder_.AddEvent(Contact(EventType::kCall, Action::kQueued, "c1", "k1", "billing", kDay1));
    builder_.AddEvent(Ended("c1", "k1", 1, kDay1 + 60'000));
    builder_.AddSignal(Repeat("c1", "k2", "billing"));
    builder_.AddEvent(
        Contact(EventType::kCall, Action::kQueued, "c1", "k2", "billing", kDay1 + kDayMs));
    builder_.AddEvent(Ended("c1", "k2", 0, kDay1 + kDayMs + 60'000));
    // c2: a billing chat, not resolved; c3: a billing call that ends without `resolved`.
    builder_.AddEvent(Contact(EventType::kChat, Action::kStarted, "c2", "k1", "billing", kDay1));
    builder_.AddEvent(Ended("c2", "k1", 0, kDay1 + 1000));
    builder_.AddEvent(Contact(EventType::kCall, Action::kQueued, "c3", "k1", "billing", kDay1));
    builder_.AddEvent(Ended("c3", "k1", -1, kDay1 + 1000));
    // c4: a delivery chat on day 2, resolved; c5: an unlisted reason and none at all.
    builder_.AddEvent(
        Contact(EventType::kChat, Action::kStarted, "c4", "k1", "delivery", kDay1 + kDayMs));
    builder_.AddEvent(Ended("c4", "k1", 1, kDay1 + kDayMs + 5));
    builder_.AddEvent(Contact(EventType::kCall, Action::kQueued, "c5", "k1", "refund", kDay1));
    builder_.AddEvent(Contact(EventType::kCall, Action::kQueued, "c5", "k2", "", kDay1));
    builder_.AddSignal(Repeat("c5", "k2", ""));
    // Not contacts: a chat message, an answer, a click.
    builder_.AddEvent(Contact(EventType::kChat, Action::kMessage, "c4", "k1", "", kDay1 + kDayMs));
    builder_.AddEvent(Contact(EventType::kCall, Action::kAnswered, "c3", "k1", "", kDay1));
    builder_.AddEvent(Contact(EventType::kClick, Action::kContactUs, "c9", "", "", kDay1));
  }
};

TEST_F(ReasonReportTest, CountsContactsRepeatsAndResolution) {
  ReasonReport report = builder_.Build();
  EXPECT_EQ(report.contacts, 7U);
  EXPECT_EQ(report.repeats, 2U);
  ASSERT_EQ(report.rows.size(), 3U);  // login had nothing
  EXPECT_EQ(report.rows[0].reason, "billing");
  EXPECT_EQ(report.rows[1].reason, "other");
  EXPECT_EQ(report.rows[2].reason, "delivery");

  const ReasonRow& billing = *Row(report, "billing");
  EXPECT_EQ(billing.contacts, 4U);
  EXPECT_EQ(billing.by_channel[0], 3U);
  EXPECT_EQ(billing.by_channel[1], 1U);
  EXPECT_EQ(billing.repeats, 1U);
  // First contacts with a known outcome: c1/k1 (resolved) and c2/k1 (not); c1/k2 is a repeat
  // and c3/k1 has no outcome.
  EXPECT_EQ(billing.first_contacts_with_outcome, 2U);
  EXPECT_EQ(billing.first_contacts_resolved, 1U);

  const ReasonRow& other = *Row(report, "other");
  EXPECT_EQ(other.contacts, 2U);
  EXPECT_EQ(other.repeats, 1U);
  EXPECT_EQ(other.first_contacts_with_outcome, 0U);

  const ReasonRow& delivery = *Row(report, "delivery");
  EXPECT_EQ(delivery.contacts, 1U);
  EXPECT_EQ(delivery.by_channel[1], 1U);
  EXPECT_EQ(delivery.first_contacts_resolved, 1U);
  EXPECT_EQ(Row(report, "login"), nullptr);
}

TEST_F(ReasonReportTest, TrendIsPerUtcDay) {
  ReasonReport report = builder_.Build();
  ASSERT_EQ(report.days.size(), 2U);
  EXPECT_EQ(report.days[0].date, "2026-09-21");
  EXPECT_EQ(report.days[1].date, "2026-09-22");
  EXPECT_EQ(report.days[0].contacts, 5U);
  EXPECT_EQ(report.days[1].contacts, 2U);
  EXPECT_EQ(report.days[0].by_reason, (std::vector<uint64_t>{3, 0, 0, 2}));
  EXPECT_EQ(report.days[1].by_reason, (std::vector<uint64_t>{1, 1, 0, 0}));
}

TEST_F(ReasonReportTest, TheSameCallsGiveTheSameReport) {
  ReasonReport a = builder_.Build();
  ReasonReport b = builder_.Build();
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.days, b.days);
  EXPECT_EQ(FormatReasonReportJson(a), FormatReasonReportJson(b));
}

TEST_F(ReasonReportTest, JsonHoldsEveryNumber) {
  ReasonReport report = builder_.Build();
  report.lines = 20;
  report.invalid_lines = 1;
  report.duplicates = 2;
  EXPECT_EQ(FormatReasonReportJson(report),
            "{\"contacts\":7,\"repeats\":2,\"lines\":20,\"invalid_lines\":1,\"duplicates\":2,"
            "\"reasons\":["
            "{\"reason\":\"billing\",\"contacts\":4,\"share\":0.5714,\"call\":3,\"chat\":1,"
            "\"repeats\":1,\"repeat_share\":0.25,\"first_contacts_with_outcome\":2,"
            "\"first_contact_resolution\":0.5},"
            "{\"reason\":\"other\",\"contacts\":2,\"share\":0.2857,\"call\":2,\"chat\":0,"
            "\"repeats\":1,\"repeat_share\":0.5,\"first_contacts_with_outcome\":0,"
            "\"first_contact_resolution\":null},"
            "{\"reason\":\"delivery\",\"contacts\":1,\"share\":0.1429,\"call\":0,\"chat\":1,"
            "\"repeats\":0,\"repeat_share\":0,\"first_contacts_with_outcome\":1,"
            "\"first_contact_resolution\":1}],"
            "\"days\":[{\"date\":\"2026-09-21\",\"contacts\":5,\"by_reason\":{\"billing\":3,"
            "\"other\":2}},{\"date\":\"2026-09-22\",\"contacts\":2,\"by_reason\":{\"billing\":1,"
            "\"delivery\":1}}]}\n");
}

TEST_F(ReasonReportTest, TextShowsTheTableAndTheTrend) {
  ReasonReport report = builder_.Build();
  std::string text = FormatReasonReportText(report);
  EXPECT_NE(text.find("Contact reasons: 7 contacts, 2 repeat contacts (28.6%)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("billing          4   57.1%         3         1         1    25.0%  "
                      "50.0% of 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("other            2   28.6%         2         0         1    50.0%  -"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2026-09-22         2           1           0           1"),
            std::string::npos)
      << text;
}

TEST(ReasonReport, EmptyInputSaysSo) {
  ReasonLabels labels(DefaultReasons());
  ReasonReportBuilder builder(labels);
  ReasonReport report = builder.Build();
  EXPECT_EQ(report.contacts, 0U);
  EXPECT_TRUE(report.rows.empty());
  EXPECT_NE(FormatReasonReportText(report).find("No contacts"), std::string::npos);
}

}  // namespace
}  // namespace cx
