#include "runtime/kafka/kafka_log.h"

#include <memory>
#include <mutex>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_handles.h"

namespace cx {
namespace {

TEST(KafkaLog, SyslogLevelsMapToSpdlogLevels) {
  EXPECT_EQ(SpdlogLevelOfSyslog(0), spdlog::level::critical);
  EXPECT_EQ(SpdlogLevelOfSyslog(2), spdlog::level::critical);
  EXPECT_EQ(SpdlogLevelOfSyslog(3), spdlog::level::err);
  EXPECT_EQ(SpdlogLevelOfSyslog(4), spdlog::level::warn);
  EXPECT_EQ(SpdlogLevelOfSyslog(5), spdlog::level::info);
  EXPECT_EQ(SpdlogLevelOfSyslog(6), spdlog::level::debug);
  EXPECT_EQ(SpdlogLevelOfSyslog(7), spdlog::level::trace);
}

// Every configuration from MakeKafkaConf logs through spdlog: the mock cluster's notice (which
// librdkafka printed to stderr as "%5|...|MOCK|..." before) arrives in the default logger.
TEST(KafkaLog, MakeKafkaConfRoutesLibrdkafkaLinesToSpdlog) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "kafka_log_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_pattern("%l %v");
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  {
    KafkaProperties properties = {{"test.mock.num.brokers", "1"}};
    Result<KafkaConf> conf = MakeKafkaConf({&properties});
    ASSERT_TRUE(conf.ok()) << conf.error().message();
    char errstr[512];
    KafkaHandle producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof(errstr)));
    ASSERT_TRUE(producer) << errstr;
    static_cast<void>(conf->release());
  }
  spdlog::set_default_logger(previous);
  EXPECT_NE(captured.str().find("info librdkafka MOCK: "), std::string::npos) << captured.str();
}

}  // namespace
}  // namespace cx
