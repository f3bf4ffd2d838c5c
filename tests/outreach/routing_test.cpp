#include "outreach/routing.h"

#include <gtest/gtest.h>

#include "tests/outreach/fold_helpers.h"

namespace cx {
namespace {

Alert A(AlertKind kind, Severity severity = Severity::kWarning, Tier tier = Tier::kUnset,
        std::string queue = "", std::string reason = "") {
  Alert a = test::MakeAlert("a", "c", kind, severity, test::At(0));
  a.tier = tier;
  a.queue = std::move(queue);
  a.reason = std::move(reason);
  return a;
}

Route To(Destination d, RouteMatch m, std::string url = "") {
  return Route{std::move(m), d, std::move(url)};
}

TEST(RoutingTest, DefaultsFollowSpec) {
  RoutingConfig config;
  EXPECT_EQ(RouteAlert(config, A(AlertKind::kNeedsHelp)).destination, Destination::kCases);
  EXPECT_EQ(RouteAlert(config, A(AlertKind::kSlaBreach)).destination, Destination::kCases);
  config.proactive_chat_url = "https://chat.example/offer";
  const RouteDecision d = RouteAlert(config, A(AlertKind::kNeedsHelp));
  EXPECT_EQ(d.destination, Destination::kProactiveChat);
  EXPECT_EQ(d.url, "https://chat.example/offer");
  EXPECT_FALSE(d.route.has_value());
  EXPECT_TRUE(RoutesToCases(config, A(AlertKind::kLowScore)));
  EXPECT_FALSE(RoutesToCases(config, A(AlertKind::kNeedsHelp)));
}

TEST(RoutingTest, FirstMatchWinsOnEveryDimension) {
  RoutingConfig config;
  config.routes.push_back(To(Destination::kSlack,
                             {.kinds = {AlertKind::kSlaBreach}, .queues = {"billing"}},
                             "https://hooks.slack.example/T1"));
  config.routes.push_back(To(Destination::kWebhook,
                             {.severities = {Severity::kCritical}, .tiers = {Tier::kVip}},
                             "http://crm.internal:8080/alerts"));
  config.routes.push_back(To(Destination::kCases, {.reasons = {"refund"}}));
  config.routes.push_back(To(Destination::kWebhook, {}, "https://all.example"));
  EXPECT_TRUE(ValidateRouting(config).empty());
  auto route = [&](const Alert& a) { return RouteAlert(config, a).route.value_or(99); };
  EXPECT_EQ(route(A(AlertKind::kSlaBreach, Severity::kCritical, Tier::kVip, "billing")), 0u);
  EXPECT_EQ(route(A(AlertKind::kSlaBreach, Severity::kCritical, Tier::kVip, "tech")), 1u);
  EXPECT_EQ(route(A(AlertKind::kSlaBreach, Severity::kCritical, Tier::kStandard, "tech")), 3u);
  EXPECT_EQ(route(A(AlertKind::kRepeatContact, Severity::kWarning, Tier::kUnset, "", "refund")),
            2u);
  EXPECT_EQ(route(A(AlertKind::kRepeatContact)), 3u);  // no queue never matches queues
  EXPECT_EQ(RouteAlert(config, A(AlertKind::kLowScore)).url, "https://all.example");
}

TEST(RoutingTest, ValidationNamesEachProblem) {
  RoutingConfig config;
  config.routes.push_back(To(Destination::kWebhook, {}, "ftp://x"));
  config.routes.push_back(To(Destination::kSlack, {.kinds = {AlertKind::kLowScore}}));
  config.routes.push_back(To(Destination::kCases, {}, "https://x.example"));
  config.routes.push_back(To(Destination::kCases, {.queues = {""}}));
  config.routes.push_back(
      To(Destination::kCases, {.kinds = {AlertKind::kHighEffort}, .reasons = {"refund"}}));
  config.routes.push_back(To(Destination::kProactiveChat, {.kinds = {AlertKind::kNeedsHelp}}));
  config.escalation_url = "mailto:boss";
  const std::vector<std::string> errors = ValidateRouting(config);
  const std::vector<std::string> want = {
      "routes[0]: url is not http(s)://host...",
      "routes[1]: destination slack needs a url",
      "routes[1]: can never match: routes[0] matches everything it matches",
      "routes[2]: destination cases takes no url",
      "routes[2]: can never match: routes[0] matches everything it matches",
      "routes[3]: an empty queue or reason never matches",
      "routes[3]: can never match: routes[0] matches everything it matches",
      "routes[4]: can never match: only sla_breach and repeat_contact carry queue/reason",
      "routes[4]: can never match: routes[0] matches everything it matches",
      "routes[5]: destination proactive_chat needs a url",
      "routes[5]: can never match: routes[0] matches everything it matches",
      "escalation: url is not http(s)://host..."};
  EXPECT_EQ(errors, want);
}

TEST(RoutingTest, ShadowingNeedsACompleteCover) {
  RoutingConfig config;
  config.routes.push_back(To(
      Destination::kCases,
      {.kinds = {AlertKind::kSlaBreach}, .severities = {Severity::kWarning, Severity::kCritical}}));
  config.routes.push_back(
      To(Destination::kCases,
         {.kinds = {AlertKind::kSlaBreach}, .tiers = {Tier::kVip}, .queues = {"billing"}}));
  config.routes.push_back(
      To(Destination::kCases, {.kinds = {AlertKind::kSlaBreach, AlertKind::kLowScore}}));
  const std::vector<std::string> errors = ValidateRouting(config);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "routes[1]: can never match: routes[0] matches everything it matches");
}

TEST(RoutingTest, UrlsAndNames) {
  EXPECT_TRUE(IsHttpUrl("https://hooks.slack.com/services/T/B/X"));
  EXPECT_TRUE(IsHttpUrl("http://10.0.0.1:8080"));
  EXPECT_FALSE(IsHttpUrl("https://"));
  EXPECT_FALSE(IsHttpUrl("https:///path"));
  EXPECT_FALSE(IsHttpUrl("hooks.slack.com"));
  EXPECT_FALSE(IsHttpUrl("HTTPS://x"));
  Destination d = Destination::kCases;
  EXPECT_TRUE(ParseDestination("proactive_chat", d));
  EXPECT_EQ(d, Destination::kProactiveChat);
  EXPECT_FALSE(ParseDestination("email", d));
  EXPECT_EQ(d, Destination::kProactiveChat);
  Tier t = Tier::kUnset;
  EXPECT_FALSE(ParseTier("gold", t));
  EXPECT_TRUE(ParseTier("vip", t));
  AlertKind k = AlertKind::kSlaBreach;
  EXPECT_TRUE(ParseAlertKind("needs_help", k));
  EXPECT_EQ(k, AlertKind::kNeedsHelp);
}

}  // namespace
}  // namespace cx
