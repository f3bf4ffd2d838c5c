#include "runtime/kafka/kafka_log.h"

#include <spdlog/spdlog.h>

namespace cx {

spdlog::level::level_enum SpdlogLevelOfSyslog(int level) {
  if (level <= 2) return spdlog::level::critical;
  switch (level) {
    case 3:
      return spdlog::level::err;
    case 4:
      return spdlog::level::warn;
    case 5:
      return spdlog::level::info;
    case 6:
      return spdlog::level::debug;
    default:
      return spdlog::level::trace;
  }
}

void LogKafkaLine(const rd_kafka_t*, int level, const char* facility, const char* message) {
  spdlog::log(SpdlogLevelOfSyslog(level), "librdkafka {}: {}", facility, message);
}

}  // namespace cx
