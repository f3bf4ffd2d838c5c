#include "runtime/cli/config_check.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/config/config.h"

namespace cx {
namespace {

// Adapts a config load to the assertions here: true when it loaded, else false with the
// message in `error`.
bool Loaded(const Result<void>& loaded, std::string& error) {
  error = loaded ? std::string() : loaded.error().message();
  return loaded.ok();
}

TEST(ConfigCheck, ShippedFilePassesTheRunCheck) {
  AppConfig config;
  std::string error;
  ASSERT_TRUE(Loaded(
      LoadConfigFile(std::string(CXPULSE_SOURCE_DIR) + "/config/cxpulse.yaml", config), error))
      << error;
  EXPECT_TRUE(CheckRunConfig(config).empty());
  EXPECT_TRUE(CheckRunConfig(AppConfig{}).empty());
}

AppConfig Loaded(const std::string& yaml) {
  AppConfig config;
  std::string error;
  EXPECT_TRUE(Loaded(LoadConfigText(yaml, "t.yaml", config), error)) << error;
  return config;
}

std::vector<std::string> RunCheckOf(const std::string& yaml) {
  return CheckRunConfig(Loaded(yaml));
}

TEST(ConfigCheck, RunCheckFindsWhatStartWould) {
  using ::testing::ElementsAre;
  using ::testing::HasSubstr;
  EXPECT_THAT(RunCheckOf("state:\n  dir: ''\n"), ElementsAre(HasSubstr("state.dir: required")));
  EXPECT_THAT(RunCheckOf("http:\n  listen: 0.0.0.0:99999\n"),
              ElementsAre("http.listen: port 99999 is out of range (0 to 65535)"));
  EXPECT_THAT(RunCheckOf("http:\n  listen: nonsense\n"),
              ElementsAre(HasSubstr("http.listen: expected host:port")));
  EXPECT_THAT(RunCheckOf("http:\n  listen: ':'\n"),
              ElementsAre(HasSubstr("http.listen: expected host:port")));
  EXPECT_TRUE(RunCheckOf("http:\n  listen: ':0'\n").empty());
  EXPECT_THAT(RunCheckOf("kafka:\n  bootstrap_servers: ''\n"),
              ElementsAre(HasSubstr("kafka.bootstrap_servers: required")));
  EXPECT_THAT(RunCheckOf("kafka:\n  bootstrap_servers: 'a:1,,b:2'\n"),
              ElementsAre(HasSubstr("kafka.bootstrap_servers: empty entry")));
  EXPECT_THAT(RunCheckOf("kafka:\n  topics:\n    alerts: ''\n"),
              ElementsAre("kafka.topics.alerts: empty topic name"));
  EXPECT_THAT(RunCheckOf("kafka:\n  topics:\n    clicks: 'cx clicks'\n"),
              ElementsAre(HasSubstr("kafka.topics.clicks: 'cx clicks' is not a legal topic")));
  // librdkafka's own check: unknown names and values it refuses.
  EXPECT_THAT(RunCheckOf("kafka:\n  properties:\n    sasl.mechanismz: PLAIN\n"),
              ElementsAre(HasSubstr("kafka.properties.sasl.mechanismz: No such configuration")));
  EXPECT_THAT(RunCheckOf("kafka:\n  producer_properties:\n    acks: sometimes\n"),
              ElementsAre(HasSubstr("kafka.producer_properties.acks:")));
  EXPECT_THAT(RunCheckOf("kafka:\n  consumer_properties:\n    fetch.wait.max.ms: 10\n"),
              ElementsAre());
}

TEST(ConfigCheck, RunCheckValidatesTheAdvertisedAddress) {
  using ::testing::ElementsAre;
  using ::testing::HasSubstr;
  EXPECT_TRUE(RunCheckOf("http:\n  advertised_address: cxpulse-0.cxpulse-headless:9464\n").empty());
  EXPECT_TRUE(RunCheckOf("http:\n  advertised_address: '[fd00::1]:9464'\n").empty());
  EXPECT_THAT(RunCheckOf("http:\n  advertised_address: cxpulse-0\n"),
              ElementsAre(HasSubstr("http.advertised_address: expected host:port")));
  EXPECT_THAT(RunCheckOf("http:\n  advertised_address: 'cxpulse-0:0'\n"),
              ElementsAre(HasSubstr("http.advertised_address: port '0'")));
  ::setenv("CXPULSE_TEST_POD_IP", "10.0.0.7", 1);
  AppConfig config = Loaded("http:\n  advertised_address: ${CXPULSE_TEST_POD_IP}:9464\n");
  ::unsetenv("CXPULSE_TEST_POD_IP");
  EXPECT_EQ(config.http.advertised_address, "10.0.0.7:9464");
  EXPECT_TRUE(CheckRunConfig(config).empty());
}

std::vector<std::string> OutreachCheckOf(const std::string& yaml) {
  return CheckOutreachConfig(Loaded(yaml));
}

TEST(ConfigCheck, OutreachCheckFindsWhatStartWould) {
  using ::testing::ElementsAre;
  using ::testing::HasSubstr;
  const std::string rep = "outreach:\n  identity_header: X-User\n";
  EXPECT_TRUE(OutreachCheckOf(rep).empty());
  EXPECT_THAT(OutreachCheckOf(""), ElementsAre(HasSubstr("who is the rep?")));
  EXPECT_THAT(OutreachCheckOf(rep + "  listen: 0.0.0.0:99999\n"),
              ElementsAre("outreach.listen: port 99999 is out of range (0 to 65535)"));
  EXPECT_THAT(OutreachCheckOf(rep + "  listen: nonsense\n"),
              ElementsAre(HasSubstr("outreach.listen: expected host:port")));
  EXPECT_THAT(OutreachCheckOf(rep + "  topics:\n    alerts: 'cx alerts'\n"),
              ElementsAre(HasSubstr("outreach.topics.alerts: 'cx alerts' is not a legal topic")));
  EXPECT_THAT(OutreachCheckOf(rep + "kafka:\n  bootstrap_servers: ''\n"),
              ElementsAre(HasSubstr("kafka.bootstrap_servers: required")));
  EXPECT_THAT(OutreachCheckOf(rep + "kafka:\n  consumer_properties:\n    no.such: 1\n"),
              ElementsAre(HasSubstr("kafka.consumer_properties.no.such: No such configuration")));
  // /customers/{id} finds the processors through their group and first input topic.
  EXPECT_THAT(OutreachCheckOf(rep + "kafka:\n  group_id: ''\n"),
              ElementsAre(HasSubstr("kafka.group_id: required")));
  EXPECT_THAT(OutreachCheckOf(rep + "kafka:\n  topics:\n    clicks: 'a b'\n"),
              ElementsAre(HasSubstr("kafka.topics.clicks: 'a b' is not a legal topic")));
  // The processor's own keys are not the service's business.
  EXPECT_TRUE(OutreachCheckOf(rep + "state:\n  dir: ''\nhttp:\n  listen: nonsense\n").empty());
}

TEST(ConfigCheck, OutreachCheckValidatesTheRoutes) {
  using ::testing::ElementsAre;
  using ::testing::HasSubstr;
  setenv("CXT_CHECK_HOOK_URL", "http://hooks.internal/x", 1);
  setenv("CXT_CHECK_FTP_URL", "ftp://hooks.internal/x", 1);
  const std::string rep = "outreach:\n  identity_header: X-User\n";
  EXPECT_TRUE(
      OutreachCheckOf(rep + "routes:\n  - {destination: webhook, url_env: CXT_CHECK_HOOK_URL}\n")
          .empty());
  EXPECT_THAT(OutreachCheckOf(rep + "routes:\n  - {destination: cases}\n"
                                    "  - {match: {kind: at_risk}, destination: cases}\n"),
              ElementsAre(HasSubstr("routes[1]: can never match: routes[0] matches everything")));
  EXPECT_THAT(
      OutreachCheckOf(rep + "routes:\n  - {destination: webhook, url_env: CXT_CHECK_FTP_URL}\n"),
      ElementsAre("routes[0]: url is not http(s)://host..."));
  EXPECT_THAT(OutreachCheckOf(rep + "routes:\n  - {destination: webhook, url_env: CXT_NOT_SET}\n"),
              ElementsAre("routes[0].url_env: environment variable CXT_NOT_SET is not set",
                          "routes[0]: destination webhook needs a url"));
  EXPECT_THAT(OutreachCheckOf(rep + "routes:\n  - {destination: slack}\n"),
              ElementsAre("routes[0]: destination slack needs a url"));
  EXPECT_THAT(OutreachCheckOf(rep + "notify:\n  public_url: cx.example.com\n"),
              ElementsAre("notify.public_url: not an http(s)://host... URL"));
  EXPECT_THAT(OutreachCheckOf(rep + "notify:\n  deadletter_topic: 'dead letters'\n"),
              ElementsAre(HasSubstr("notify.deadletter_topic: 'dead letters' is not a legal")));
  EXPECT_THAT(OutreachCheckOf(rep + "notify:\n  destinations:\n    proactive_chat: "
                                    "{url_env: CXT_CHECK_FTP_URL}\n"),
              ElementsAre(HasSubstr("proactive_chat: url is not http(s)"),
                          HasSubstr("notify.destinations.proactive_chat.url_env: "
                                    "$CXT_CHECK_FTP_URL is not an http(s)")));
}

}  // namespace
}  // namespace cx
