#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "tests/generate/line_check.h"

namespace cx {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kHour = 3600 * kSecond;

// Counts of the SPEC §3 inputs found in a generated stream, computed from the lines alone.
struct Signals {
  int customers = 0, calls = 0, chats = 0, surveys = 0, searches_found = 0;
  int failed_searches = 0, error_pages = 0, rage_clicks = 0, help_dwell_90s = 0, contact_us = 0;
  int cancel_views = 0, slow_answers = 0, abandoned = 0, late_chat_replies = 0;
  int unanswered_chats = 0, transfers = 0, low_scores = 0, repeat_same_reason = 0;
  int comebacks = 0;        // customers with a gap of 20 h or more between two of their events
  int broken_contacts = 0;  // contacts not opened by queued/started, or surveys of unknown ones
};

bool Starts(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

Signals Measure(const GeneratorOptions& options) {
  Generator generator(options);
  std::map<std::string, std::vector<test::CheckedLine>> by_customer;
  std::string line;
  while (generator.Next(line)) {
    test::CheckedLine parsed;
    EXPECT_EQ(test::CheckLine(line, parsed), "") << line;
    by_customer[parsed.customer_id].push_back(std::move(parsed));
    line.clear();
  }
  Signals s;
  for (const auto& [customer, events] : by_customer) {
    ++s.customers;
    struct Contact {
      int64_t opened = -1, first_customer = -1, first_agent = -1;
    };
    std::map<std::string, Contact> contacts;
    std::vector<std::pair<int64_t, std::string>> contact_reasons;
    bool came_back = false;
    for (size_t i = 0; i < events.size(); ++i) {
      const test::CheckedLine& e = events[i];
      if (i > 0 && e.ts_ms - events[i - 1].ts_ms >= 20 * kHour) came_back = true;
      const std::string& a = e.action;
      if (e.type == "click") {
        if (a == "search") (e.results == 0 ? s.failed_searches : s.searches_found)++;
        if (a == "error" && e.status >= 400) ++s.error_pages;
        if (a == "contact_us") ++s.contact_us;
        if (a == "page_view" &&
            (Starts(e.page, "/account/cancel") || Starts(e.page, "/account/close") ||
             Starts(e.page, "/subscription/cancel"))) {
          ++s.cancel_views;
        }
        if (a == "page_view" &&
            (Starts(e.page, "/help") || Starts(e.page, "/support") || Starts(e.page, "/faq")) &&
            i + 1 < events.size() && events[i + 1].type == "click" &&
            events[i + 1].ts_ms - e.ts_ms >= 90 * kSecond) {
          ++s.help_dwell_90s;
        }
        if (a == "click" && i >= 2 && events[i - 1].action == "click" &&
            events[i - 2].action == "click" && events[i - 1].element == e.element &&
            events[i - 2].element == e.element && e.ts_ms - events[i - 2].ts_ms <= 1000 &&
            (i < 3 || events[i - 3].action != "click" || events[i - 3].element != e.element)) {
          ++s.rage_clicks;
        }
        continue;
      }
      if (e.type == "survey") {
        ++s.surveys;
        int64_t hi = e.survey == "nps" ? 6 : e.survey == "csat" ? 2 : 3;
        if (e.score <= hi) ++s.low_scores;
        if (!e.contact_id.empty() && !contacts.contains(e.contact_id)) ++s.broken_contacts;
        continue;
      }
      Contact& c = contacts[e.contact_id];
      if (a == "queued" || a == "started") {
        if (c.opened >= 0) ++s.broken_contacts;
        c.opened = e.ts_ms;
        (e.type == "call" ? s.calls : s.chats)++;
        for (const auto& [ts, reason] : contact_reasons) {
          if (!e.reason.empty() && reason == e.reason && e.ts_ms - ts <= 7 * 24 * kHour) {
            ++s.repeat_same_reason;
            break;
          }
        }
        contact_reasons.emplace_back(e.ts_ms, e.reason);
        continue;
      }
      if (c.opened < 0) ++s.broken_contacts;
      if (a == "answered" && e.ts_ms - c.opened > 20 * kSecond) ++s.slow_answers;
      if (a == "abandoned") ++s.abandoned;
      if (a == "transferred") ++s.transfers;
      if (a == "message" && e.author == "customer" && c.first_customer < 0) {
        c.first_customer = e.ts_ms;
      }
      if (a == "message" && e.author == "agent" && c.first_agent < 0) {
        c.first_agent = e.ts_ms;
        if (e.ts_ms - c.first_customer > 60 * kSecond) ++s.late_chat_replies;
      }
      if ((a == "ended" || a == "abandoned") && e.type == "chat" && c.first_agent < 0) {
        ++s.unanswered_chats;
      }
    }
    if (came_back) ++s.comebacks;
  }
  return s;
}

GeneratorOptions WithStruggle(double ratio, uint64_t customers) {
  GeneratorOptions o;
  o.customers = customers;
  o.seed = 11;
  o.struggle_ratio = ratio;
  return o;
}

TEST(Journeys, SmoothCustomersAreServedWithinEveryTarget) {
  Signals s = Measure(WithStruggle(0.0, 3000));
  EXPECT_EQ(s.customers, 3000);
  EXPECT_GT(s.calls, 50);
  EXPECT_GT(s.chats, 50);
  EXPECT_GT(s.surveys, 100);
  EXPECT_GT(s.searches_found, 500);
  EXPECT_EQ(s.slow_answers, 0);
  EXPECT_EQ(s.abandoned, 0);
  EXPECT_EQ(s.late_chat_replies, 0);
  EXPECT_EQ(s.unanswered_chats, 0);
  EXPECT_EQ(s.transfers, 0);
  EXPECT_EQ(s.low_scores, 0);
  EXPECT_EQ(s.cancel_views, 0);
  EXPECT_EQ(s.rage_clicks, 0);
  EXPECT_EQ(s.help_dwell_90s, 0);
  EXPECT_EQ(s.broken_contacts, 0);
  // A little noise: the odd failed search or 404 even on a good day.
  EXPECT_LT(s.failed_searches, s.searches_found / 10);
}

TEST(Journeys, StrugglingCustomersShowEverySignal) {
  Signals s = Measure(WithStruggle(1.0, 2000));
  EXPECT_EQ(s.customers, 2000);
  EXPECT_EQ(s.broken_contacts, 0);
  for (auto [name, count] : std::vector<std::pair<const char*, int>>{
           {"failed searches", s.failed_searches},
           {"error pages", s.error_pages},
           {"rage clicks", s.rage_clicks},
           {"help dwell >= 90 s", s.help_dwell_90s},
           {"contact_us", s.contact_us},
           {"cancel page views", s.cancel_views},
           {"calls answered after 20 s", s.slow_answers},
           {"abandoned contacts", s.abandoned},
           {"chat first replies after 60 s", s.late_chat_replies},
           {"chats never answered", s.unanswered_chats},
           {"transfers", s.transfers},
           {"low survey scores", s.low_scores},
           {"repeat contacts, same reason", s.repeat_same_reason},
           {"customers back a day or more later", s.comebacks}}) {
    EXPECT_GT(count, 100) << name;
  }
}

TEST(Journeys, StruggleRatioScalesTheStruggleSignals) {
  Signals low = Measure(WithStruggle(0.1, 4000));
  Signals high = Measure(WithStruggle(0.5, 4000));
  EXPECT_GT(high.failed_searches, 3 * low.failed_searches);
  EXPECT_GT(high.abandoned, 3 * low.abandoned);
  EXPECT_GT(high.low_scores, 3 * low.low_scores);
  EXPECT_GT(high.slow_answers, 3 * low.slow_answers);
  EXPECT_GT(low.abandoned, 0);
}

}  // namespace
}  // namespace cx
