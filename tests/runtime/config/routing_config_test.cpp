#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/config/config.h"
#include "runtime/config/routing_table.h"

namespace cx {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The loader's Result as bool + message (the assertions below read the message).
bool LoadConfigText(std::string_view yaml, std::string_view origin, AppConfig& config,
                    std::string& error) {
  Result<void> loaded = cx::LoadConfigText(yaml, origin, config);
  error = loaded ? std::string() : loaded.error().message();
  return static_cast<bool>(loaded);
}

class RoutingConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("CXT_SLACK_URL", "https://hooks.slack.example/services/T0/SECRET", 1);
    setenv("CXT_CHAT_URL", "http://chat.internal:8080/offer", 1);
    setenv("CXT_HOOK_URL", "http://hooks.internal/alerts", 1);
    setenv("CXT_HOOK_TOKEN", "tok-1", 1);
    setenv("CXT_FTP_URL", "ftp://files.internal/x", 1);
  }
};

constexpr const char* kGood = R"(
routes:
  - match: {kind: [sla_breach, at_risk], severity: critical, tier: vip}
    destination: slack
  - match: {queue: billing, reason: refund}
    destination: webhook
    url_env: CXT_HOOK_URL
    token_env: CXT_HOOK_TOKEN
notify:
  public_url: https://cx.example.com
  destinations:
    slack: {url_env: CXT_SLACK_URL, concurrency: 2, rate_per_second: 1}
    proactive_chat: {url_env: CXT_CHAT_URL}
)";

TEST_F(RoutingConfigTest, LoadsRoutesWithUrlsFromTheEnvironment) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(LoadConfigText(kGood, "t.yaml", config, error)) << error;
  ASSERT_EQ(config.routing.routes.size(), 2u);
  const Route& slack = config.routing.routes[0];
  EXPECT_EQ(slack.destination, Destination::kSlack);
  EXPECT_EQ(slack.url, "https://hooks.slack.example/services/T0/SECRET");
  EXPECT_EQ(slack.match.kinds, (std::vector{AlertKind::kSlaBreach, AlertKind::kAtRisk}));
  EXPECT_EQ(slack.match.severities, std::vector{Severity::kCritical});
  EXPECT_EQ(slack.match.tiers, std::vector{Tier::kVip});
  const Route& hook = config.routing.routes[1];
  EXPECT_EQ(hook.url, "http://hooks.internal/alerts");
  EXPECT_EQ(hook.match.queues, std::vector<std::string>{"billing"});
  EXPECT_EQ(config.notify.routes[1].token, "tok-1");
  EXPECT_EQ(config.routing.proactive_chat_url, "http://chat.internal:8080/offer");
  EXPECT_EQ(config.notify.slack.concurrency, 2);
  EXPECT_TRUE(ValidateRouting(config.routing).empty());

  Alert needs_help;
  needs_help.kind = AlertKind::kNeedsHelp;
  EXPECT_EQ(RouteAlert(config.routing, needs_help).destination, Destination::kProactiveChat);
  EXPECT_FALSE(RoutesToCases(config.routing, needs_help));
  Alert other;
  other.kind = AlertKind::kHighEffort;
  EXPECT_TRUE(RoutesToCases(config.routing, other));
}

TEST_F(RoutingConfigTest, RoutingTableNamesEnvironmentVariablesNotSecrets) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(LoadConfigText(kGood, "t.yaml", config, error)) << error;
  std::string table;
  for (const std::string& line : FormatRoutingTable(config)) table += line + "\n";
  EXPECT_THAT(table, HasSubstr("routes[0]"));
  EXPECT_THAT(table, HasSubstr("kind=sla_breach,at_risk severity=critical tier=vip"));
  EXPECT_THAT(table, HasSubstr("slack https://hooks.slack.example ($CXT_SLACK_URL)"));
  EXPECT_THAT(table, HasSubstr("webhook http://hooks.internal ($CXT_HOOK_URL)"));
  EXPECT_THAT(table, HasSubstr("proactive_chat http://chat.internal:8080 ($CXT_CHAT_URL)"));
  EXPECT_THAT(table, HasSubstr("not delivered"));
  EXPECT_THAT(table, Not(HasSubstr("SECRET")));
}

TEST_F(RoutingConfigTest, BadRoutesAreOneLineErrorsWithThePath) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"routes:\n  - {destination: slak}\n",
       "routes[0].destination: unknown destination 'slak'; did you mean slack?"},
      {"routes:\n  - {match: {kind: sla_breech}, destination: cases}\n",
       "routes[0].match.kind: unknown value 'sla_breech'"},
      {"routes:\n  - {match: {severity: urgent}, destination: cases}\n",
       "routes[0].match.severity: unknown value 'urgent'"},
      {"routes:\n  - {match: {kinds: [x]}, destination: cases}\n",
       "routes[0].match.kinds: unknown key; did you mean kind?"},
      {"routes:\n  - {match: {kind: at_risk}}\n", "routes[0].destination: required"},
      {"notify:\n  destinations:\n    slack: {concurrency: 0}\n",
       "notify.destinations.slack.concurrency: expected 1 to 1000"},
      {"notify:\n  destinations:\n    slack: {format: html}\n",
       "notify.destinations.slack.format: expected json or slack"},
  };
  for (const Case& c : cases) {
    AppConfig config;
    std::string error;
    EXPECT_FALSE(LoadConfigText(c.yaml, "t.yaml", config, error)) << c.yaml;
    EXPECT_THAT(error, HasSubstr(c.expected)) << c.yaml;
  }
}

TEST_F(RoutingConfigTest, UnsetVariablesAreKeptForTheOutreachCheckNotLoadErrors) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(
      LoadConfigText("routes:\n  - {destination: webhook, url_env: CXT_UNSET_VAR}\n"
                     "notify:\n  destinations:\n    slack: {token_env: CXT_UNSET_TOK}\n",
                     "t.yaml", config, error))
      << error;
  EXPECT_THAT(config.notify.env_errors,
              ::testing::ElementsAre(
                  "notify.destinations.slack.token_env: environment variable CXT_UNSET_TOK is "
                  "not set",
                  "routes[0].url_env: environment variable CXT_UNSET_VAR is not set"));
}

TEST_F(RoutingConfigTest, ValidationFindsRoutesThatCanNeverMatchAndBadUrls) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(LoadConfigText(R"(
routes:
  - {match: {kind: needs_help}, destination: cases}
  - {destination: cases}
  - {match: {kind: needs_help, tier: vip}, destination: webhook, url_env: CXT_HOOK_URL}
  - {match: {kind: low_score}, destination: webhook, url_env: CXT_FTP_URL}
  - {match: {kind: at_risk}, destination: slack}
)",
                             "t.yaml", config, error))
      << error;
  const std::vector<std::string> problems = ValidateRouting(config.routing);
  std::string all;
  for (const std::string& p : problems) all += p + "\n";
  EXPECT_THAT(all, HasSubstr("routes[2]: can never match: routes[0] matches everything"));
  EXPECT_THAT(all, HasSubstr("routes[3]: url is not http(s)"));
  EXPECT_THAT(all, HasSubstr("routes[4]: destination slack needs a url"));
}

}  // namespace
}  // namespace cx
