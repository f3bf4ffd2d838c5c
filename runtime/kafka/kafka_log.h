#pragma once

#include <librdkafka/rdkafka.h>
#include <spdlog/common.h>

namespace cx {

// The spdlog level of a librdkafka log line of syslog `level`: 0-2 (emerg, alert, crit) critical,
// 3 (err) error, 4 (warning) warn, 5 (notice) info, 6 (info) debug, 7 (debug) trace.
[[nodiscard]] spdlog::level::level_enum SpdlogLevelOfSyslog(int level);

// librdkafka's log callback: writes the line through the default spdlog logger as
// "librdkafka FACILITY: message" at SpdlogLevelOfSyslog(level). MakeKafkaConf sets it on every
// configuration, so librdkafka never prints to stderr itself.
void LogKafkaLine(const rd_kafka_t* client, int level, const char* facility, const char* message);

}  // namespace cx
