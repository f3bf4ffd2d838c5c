#include "runtime/config/config.h"
#include "runtime/config/yaml_section.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cx {
namespace {

// Adapts a config load to the assertions here: true when it loaded, else false with the
// message in `error`.
bool Loaded(const Result<void>& loaded, std::string& error) {
  error = loaded ? std::string() : loaded.error().message();
  return loaded.ok();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Config, ShippedFileHoldsExactlyTheDefaults) {
  AppConfig loaded;
  loaded.rules.lateness = Duration::Seconds(99);  // must be overwritten by the file
  std::string error;
  ASSERT_TRUE(Loaded(
      LoadConfigFile(std::string(CXPULSE_SOURCE_DIR) + "/config/cxpulse.yaml", loaded), error))
      << error;
  AppConfig defaults;
  // Section by section first, for a readable failure; then the whole config.
  EXPECT_TRUE(loaded.rules == defaults.rules);
  EXPECT_TRUE(loaded.state.store == defaults.state.store);
  EXPECT_TRUE(loaded.state == defaults.state);
  EXPECT_TRUE(loaded.kafka.topics == defaults.kafka.topics);
  EXPECT_TRUE(loaded.kafka == defaults.kafka);
  EXPECT_TRUE(loaded.http == defaults.http);
  EXPECT_TRUE(loaded.outreach == defaults.outreach);
  EXPECT_TRUE(loaded.reasons == defaults.reasons);
  EXPECT_TRUE(loaded == defaults);
}

TEST(Config, WholeConfigComparisonSeesEveryField) {
  AppConfig changed;
  changed.kafka.idle_input_wait = Duration::Millis(1);
  EXPECT_FALSE(changed == AppConfig{});
  changed = AppConfig{};
  changed.state.store.background_threads = 3;
  EXPECT_FALSE(changed == AppConfig{});
  changed = AppConfig{};
  changed.state.memory_mb = 1;
  EXPECT_FALSE(changed == AppConfig{});
  changed = AppConfig{};
  changed.http.recent_alerts = 1;
  EXPECT_FALSE(changed == AppConfig{});
  changed = AppConfig{};
  changed.outreach.claim_lapse = Duration::Minutes(1);
  EXPECT_FALSE(changed == AppConfig{});
  changed = AppConfig{};
  changed.reasons.known.pop_back();
  EXPECT_FALSE(changed == AppConfig{});
}

TEST(Config, ReasonsSectionListsTheReasons) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(
      Loaded(LoadConfigText("reasons:\n  known: [refund, 'wrong item']\n", "t", config), error))
      << error;
  EXPECT_EQ(config.reasons.known, (std::vector<std::string>{"refund", "wrong item"}));
  ASSERT_TRUE(Loaded(LoadConfigText("reasons:\n  known: []\n", "t", config), error)) << error;
  EXPECT_TRUE(config.reasons.known.empty());
}

TEST(Config, ReasonListErrorsNameTheKey) {
  std::string many = "reasons:\n  known: [";
  for (int i = 0; i < 50; ++i) many += (i == 0 ? "r" : ", r") + std::to_string(i);
  many += "]\n";
  struct Case {
    std::string yaml;
    std::string error;
  };
  for (const Case& c : {
           Case{many,
                "t: reasons.known: at most 49 reasons (50 label values with \"other\"), got 50"},
           Case{"reasons:\n  known: [billing, other]\n",
                "t: reasons.known[1]: \"other\" is reserved for reasons not in the list"},
           Case{"reasons:\n  known: [billing, billing]\n",
                "t: reasons.known[1]: 'billing' is listed twice"},
           Case{"reasons:\n  known: billing\n", "t: reasons.known: expected a list of strings"},
           Case{"reasons:\n  knwon: [billing]\n",
                "t: reasons.knwon: unknown key; did you mean known?"},
       }) {
    AppConfig config;
    std::string error;
    EXPECT_FALSE(Loaded(LoadConfigText(c.yaml, "t", config), error)) << c.yaml;
    EXPECT_EQ(error, c.error) << c.yaml;
  }
}

TEST(Config, RulesFileIsTheRulesSection) {
  std::string rules = ReadFile(std::string(CXPULSE_SOURCE_DIR) + "/config/rules.yaml");
  std::string indented = "rules:\n";
  std::istringstream lines(rules);
  for (std::string line; std::getline(lines, line);) indented += "  " + line + "\n";
  AppConfig loaded;
  loaded.rules.sla.call_target = Duration::Seconds(1);
  std::string error;
  ASSERT_TRUE(Loaded(LoadConfigText(indented, "rules.yaml", loaded), error)) << error;
  EXPECT_TRUE(loaded.rules == RulesConfig{});
}

TEST(Config, OverridesKeepOtherDefaults) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(Loaded(LoadConfigText("rules:\n  sla:\n    call_target: 30s\n  selfservice:\n"
                                    "    help_prefixes: [/hilfe]\n",
                                    "t.yaml", config),
                     error))
      << error;
  EXPECT_EQ(config.rules.sla.call_target, Duration::Seconds(30));
  EXPECT_EQ(config.rules.sla.chat_first_reply_target, Duration::Seconds(60));
  ASSERT_EQ(config.rules.selfservice.help_prefixes.size(), 1u);
  EXPECT_EQ(config.rules.selfservice.help_prefixes[0], "/hilfe");
}

TEST(Config, UnknownKeyIsAnErrorWithItsPath) {
  AppConfig config;
  std::string error;
  EXPECT_FALSE(
      Loaded(LoadConfigText("rules:\n  sla:\n    call_targt: 30s\n", "t.yaml", config), error));
  EXPECT_EQ(error, "t.yaml: rules.sla.call_targt: unknown key; did you mean call_target?");
  EXPECT_FALSE(Loaded(LoadConfigText("rulez: {}\n", "t.yaml", config), error));
  EXPECT_EQ(error, "t.yaml: rulez: unknown key; did you mean rules?");
  EXPECT_FALSE(Loaded(LoadConfigText("zzz: {}\n", "t.yaml", config), error));
  EXPECT_EQ(error, "t.yaml: zzz: unknown key");
}

TEST(Config, EveryErrorIsReportedOnItsOwnLine) {
  AppConfig config;
  std::string error;
  EXPECT_FALSE(Loaded(
      LoadConfigText("rules:\n  lateness: soon\nstate:\n  dri: x\n", "t.yaml", config), error));
  EXPECT_EQ(error,
            "t.yaml: rules.lateness: expected a duration such as 500ms, 20s, 5m, 72h or 7d\n"
            "t.yaml: state.dri: unknown key; did you mean dir?");
}

// Found by tests/fuzz/config_fuzz.cpp: a key holding a line break or a NUL split its problem
// over two lines and put raw control bytes in the message.
TEST(Config, ControlCharactersInKeysAreEscapedInErrors) {
  AppConfig config;
  std::string error;
  EXPECT_FALSE(Loaded(
      LoadConfigText(std::string("state:\n  \"d\\nr\": x\n  \"d\\0\\ti\": y\n"), "t.yaml", config),
      error));
  EXPECT_EQ(error,
            "t.yaml: state.d\\nr: unknown key; did you mean dir?\n"
            "t.yaml: state.d\\x00\\ti: unknown key");
}

TEST(Config, DuplicateKeysAreErrors) {
  AppConfig config;
  std::string error;
  EXPECT_FALSE(Loaded(
      LoadConfigText("http:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n", "t.yaml", config),
      error));
  EXPECT_EQ(error, "t.yaml: http.listen: duplicate key (given more than once)");
  EXPECT_FALSE(Loaded(LoadConfigText("state: {}\nstate: {}\n", "t.yaml", config), error));
  EXPECT_EQ(error, "t.yaml: state: duplicate key (given more than once)");
  EXPECT_FALSE(Loaded(
      LoadConfigText("kafka:\n  properties:\n    acks: all\n    acks: '1'\n", "t.yaml", config),
      error));
  EXPECT_EQ(error, "t.yaml: kafka.properties.acks: duplicate key (given more than once)");
}

TEST(Config, EnvironmentTokenAppliesWithoutAConfigFile) {
  ::setenv("CXPULSE_HTTP_TOKEN", "from-env", 1);
  AppConfig config;
  std::string error;
  EXPECT_TRUE(Loaded(LoadConfigText("", "defaults", config), error)) << error;
  ::unsetenv("CXPULSE_HTTP_TOKEN");
  EXPECT_EQ(config.http.bearer_token, "from-env");
}

TEST(Config, BadValuesAreOneLineErrors) {
  AppConfig config;
  std::string error;
  EXPECT_FALSE(Loaded(LoadConfigText("rules:\n  lateness: soon\n", "t.yaml", config), error));
  EXPECT_NE(error.find("rules.lateness: expected a duration"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_FALSE(Loaded(LoadConfigText("kafka:\n  processing: maybe\n", "t.yaml", config), error));
  EXPECT_NE(error.find("kafka.processing"), std::string::npos) << error;
  EXPECT_FALSE(Loaded(LoadConfigText("rules: [1, 2\n", "t.yaml", config), error));
  EXPECT_NE(error.find("not valid YAML"), std::string::npos) << error;
  EXPECT_FALSE(
      Loaded(LoadConfigText("rules:\n  effort:\n    alert_rearm: 80\n", "t.yaml", config), error));
  EXPECT_NE(error.find("rules.effort"), std::string::npos) << error;
}

TEST(Config, ConsumerMemoryKeysAreBounded) {
  AppConfig config;
  std::string error;
  EXPECT_TRUE(
      Loaded(LoadConfigText("kafka:\n  prefetch_kb: 512\n  fetch_max_kb: 2048\n", "t.yaml", config),
             error))
      << error;
  EXPECT_EQ(config.kafka.prefetch_kb, 512U);
  EXPECT_EQ(config.kafka.fetch_max_kb, 2048U);
  AppConfig zero_prefetch;
  EXPECT_FALSE(
      Loaded(LoadConfigText("kafka:\n  prefetch_kb: 0\n", "t.yaml", zero_prefetch), error));
  EXPECT_EQ(error,
            "t.yaml: kafka.prefetch_kb: must be between 1 and 2097151 (KiB per input partition)");
  AppConfig small_fetch;
  EXPECT_FALSE(
      Loaded(LoadConfigText("kafka:\n  fetch_max_kb: 100\n", "t.yaml", small_fetch), error));
  EXPECT_EQ(error, "t.yaml: kafka.fetch_max_kb: must be between 1024 and 2097151 (KiB per fetch)");
}

TEST(Config, AlertCommitWaitIsADurationUpToTheCommitInterval) {
  AppConfig config;
  std::string error;
  EXPECT_EQ(config.kafka.alert_commit_wait, Duration::Millis(20));
  EXPECT_TRUE(Loaded(LoadConfigText("kafka:\n  alert_commit_wait: 0ms\n", "t.yaml", config), error))
      << error;
  EXPECT_EQ(config.kafka.alert_commit_wait, Duration::Millis(0));
  AppConfig bad;
  EXPECT_FALSE(Loaded(
      LoadConfigText("kafka:\n  commit_interval: 50ms\n  alert_commit_wait: 60ms\n", "t.yaml", bad),
      error));
  EXPECT_EQ(error,
            "t.yaml: kafka.alert_commit_wait: must be between 0ms and kafka.commit_interval");
}

TEST(Config, FetchWaitIsADurationWithinLibrdkafkasRange) {
  AppConfig config;
  std::string error;
  EXPECT_EQ(config.kafka.fetch_wait, Duration::Millis(25));
  EXPECT_TRUE(Loaded(LoadConfigText("kafka:\n  fetch_wait: 100ms\n", "t.yaml", config), error))
      << error;
  EXPECT_EQ(config.kafka.fetch_wait, Duration::Millis(100));
  for (const char* text : {"kafka:\n  fetch_wait: 0ms\n", "kafka:\n  fetch_wait: 6m\n"}) {
    AppConfig bad;
    EXPECT_FALSE(Loaded(LoadConfigText(text, "t.yaml", bad), error)) << text;
    EXPECT_EQ(error, "t.yaml: kafka.fetch_wait: must be between 1ms and 300s");
  }
}

TEST(Config, StateMemoryBudgetSplitsBetweenCacheAndRocksdb) {
  AppConfig config;
  std::string error;
  EXPECT_TRUE(Loaded(LoadConfigText("state:\n  memory_mb: 128\n", "t.yaml", config), error))
      << error;
  EXPECT_EQ(config.state.memory_mb, 128U);
  EXPECT_EQ(config.state.CustomerCacheBytes(), size_t{96} << 20);
  EXPECT_EQ(config.state.RocksdbSharedBytes(), size_t{32} << 20);
  AppConfig off;
  EXPECT_TRUE(Loaded(LoadConfigText("state:\n  memory_mb: 0\n", "t.yaml", off), error)) << error;
  EXPECT_EQ(off.state.CustomerCacheBytes(), SIZE_MAX) << "no budget: cache_customers bounds";
  AppConfig tiny;
  EXPECT_FALSE(Loaded(LoadConfigText("state:\n  memory_mb: 4\n", "t.yaml", tiny), error));
  EXPECT_EQ(error, "t.yaml: state.memory_mb: must be 0 (no budget) or between 8 and 1048576");
}

TEST(Config, KafkaPropertiesExpandEnvironment) {
  ::setenv("CXPULSE_TEST_SECRET", "s3cret", 1);
  AppConfig config;
  std::string error;
  ASSERT_TRUE(
      Loaded(LoadConfigText("kafka:\n  properties:\n    sasl.password: ${CXPULSE_TEST_SECRET}\n    "
                            "security.protocol: SASL_SSL\n",
                            "t.yaml", config),
             error))
      << error;
  ASSERT_EQ(config.kafka.properties.size(), 2u);
  EXPECT_EQ(config.kafka.properties[0].second, "s3cret");
  EXPECT_FALSE(
      Loaded(LoadConfigText("kafka:\n  properties:\n    sasl.password: ${CXPULSE_TEST_UNSET_VAR}\n",
                            "t.yaml", config),
             error));
  EXPECT_NE(error.find("CXPULSE_TEST_UNSET_VAR is not set"), std::string::npos) << error;
}

TEST(Config, KafkaSecretsOnlyFromTheEnvironment) {
  // Each load into a new config: properties of earlier loads would stay.
  std::vector<std::unique_ptr<AppConfig>> configs;
  auto Fresh = [&configs]() -> AppConfig& { return *configs.emplace_back(new AppConfig); };
  ::setenv("CXPULSE_TEST_SECRET", "s3cret", 1);
  std::string error;
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                          "sasl.oauthbearer.client.secret", "ssl.key.pem"}) {
    for (const char* value : {"hunter2", "pre${CXPULSE_TEST_SECRET}", "${A}${B}", "\"\""}) {
      std::string yaml =
          std::string("kafka:\n  consumer_properties:\n    ") + key + ": " + value + "\n";
      EXPECT_FALSE(Loaded(LoadConfigText(yaml, "t.yaml", Fresh()), error)) << yaml;
      EXPECT_NE(error.find(std::string("kafka properties.") + key +
                           ": a secret must come from "
                           "the environment"),
                std::string::npos)
          << error;
      EXPECT_EQ(error.find("hunter2"), std::string::npos) << "the secret is echoed: " << error;
    }
    std::string yaml =
        std::string("kafka:\n  producer_properties:\n    ") + key + ": ${CXPULSE_TEST_SECRET}\n";
    EXPECT_TRUE(Loaded(LoadConfigText(yaml, "t.yaml", Fresh()), error)) << error;
  }
  // Not secrets: a literal user name and CA path are fine.
  EXPECT_TRUE(Loaded(LoadConfigText("kafka:\n  properties:\n    sasl.username: cxpulse\n    "
                                    "ssl.ca.location: /etc/ca.pem\n",
                                    "t.yaml", Fresh()),
                     error))
      << error;
}

TEST(Config, Durations) {
  Duration d;
  EXPECT_TRUE(ParseDuration("500ms", d));
  EXPECT_EQ(d.ms, 500);
  EXPECT_TRUE(ParseDuration("7d", d));
  EXPECT_EQ(d, Duration::Days(7));
  EXPECT_FALSE(ParseDuration("7", d));
  EXPECT_FALSE(ParseDuration("-1s", d));
  EXPECT_FALSE(ParseDuration("1w", d));
  EXPECT_FALSE(ParseDuration("", d));
}

TEST(Config, OutreachSectionReadsRepTokensFromTheEnvironment) {
  setenv("CXPULSE_TEST_REP_ANA", "secret-a", 1);
  AppConfig config;
  std::string error;
  ASSERT_TRUE(
      Loaded(LoadConfigText("outreach:\n  topics: {alerts: a, commands: c}\n  claim_lapse: 10m\n"
                            "  identity_header: X-Forwarded-User\n  listen: 127.0.0.1:1\n"
                            "  reps:\n    - {name: ana, token_env: CXPULSE_TEST_REP_ANA}\n",
                            "t.yaml", config),
             error))
      << error;
  EXPECT_EQ(config.outreach.alerts_topic, "a");
  EXPECT_EQ(config.outreach.commands_topic, "c");
  EXPECT_EQ(config.outreach.claim_lapse, Duration::Minutes(10));
  EXPECT_EQ(config.outreach.escalate_after, Duration::Minutes(15));
  EXPECT_EQ(config.outreach.identity_header, "X-Forwarded-User");
  ASSERT_EQ(config.outreach.reps.size(), 1u);
  EXPECT_EQ(config.outreach.reps[0].name, "ana");
  EXPECT_EQ(config.outreach.reps[0].token, "secret-a");
}

TEST(Config, OutreachSectionErrorsNameTheKey) {
  setenv("CXPULSE_TEST_REP_ANA", "secret-a", 1);
  AppConfig config;
  std::string error;
  EXPECT_FALSE(Loaded(
      LoadConfigText("outreach:\n  reps:\n    - {name: ana, token_env: CXPULSE_TEST_UNSET_VAR}\n",
                     "t.yaml", config),
      error));
  EXPECT_NE(error.find("outreach.reps[0].token_env"), std::string::npos) << error;
  EXPECT_FALSE(
      Loaded(LoadConfigText("outreach:\n  reps:\n    - {name: ana, token: x}\n", "t.yaml", config),
             error));
  EXPECT_NE(error.find("outreach.reps[0].token"), std::string::npos) << error;
  EXPECT_FALSE(Loaded(
      LoadConfigText("outreach:\n  reps:\n    - {name: ana, token_env: CXPULSE_TEST_REP_ANA}\n"
                     "    - {name: ana, token_env: CXPULSE_TEST_REP_ANA}\n",
                     "t.yaml", config),
      error));
  EXPECT_NE(error.find("outreach.reps"), std::string::npos) << error;
  EXPECT_FALSE(Loaded(LoadConfigText("outreach:\n  reps: ana\n", "t.yaml", config), error));
  EXPECT_NE(error.find("outreach.reps: expected a list"), std::string::npos) << error;
  EXPECT_FALSE(
      Loaded(LoadConfigText("outreach:\n  command_timeout: 0s\n", "t.yaml", config), error));
  EXPECT_NE(error.find("outreach.command_timeout"), std::string::npos) << error;
}

}  // namespace
}  // namespace cx
