#include "runtime/cli/config_check.h"

#include <utility>

#include "runtime/http/http_server.h"
#include "runtime/kafka/kafka_handles.h"

namespace cx {
namespace {

// Kafka's own rule: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
std::string CheckTopicName(const std::string& name) {
  if (name.empty()) return "empty topic name";
  if (name.size() > 249) return "topic name longer than 249 characters";
  if (name == "." || name == "..") return "'" + name + "' is not a legal topic name";
  if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
      std::string::npos) {
    return "'" + name + "' is not a legal topic name (letters, digits, '.', '_' and '-' only)";
  }
  return {};
}

void CheckProperties(const KafkaProperties& properties, const std::string& path,
                     std::vector<std::string>& errors) {
  KafkaConf conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      errors.push_back(path + "." + key + ": " + errstr);
    }
  }
}

}  // namespace

std::vector<std::string> CheckRunConfig(const AppConfig& config) {
  std::vector<std::string> errors;
  if (config.state.dir.empty()) {
    errors.emplace_back("state.dir: required by cxpulse run (a directory for the RocksDB state)");
  }
  if (std::string error = CheckListenAddress(config.http.listen); !error.empty()) {
    errors.push_back(std::move(error));
  }
  const std::string& servers = config.kafka.bootstrap_servers;
  if (servers.find_first_not_of(" \t") == std::string::npos) {
    errors.emplace_back("kafka.bootstrap_servers: required (host:port[,host:port...])");
  } else {
    size_t start = 0;
    for (;;) {
      size_t comma = servers.find(',', start);
      std::string entry = servers.substr(start, comma == std::string::npos ? comma : comma - start);
      if (entry.find_first_not_of(" \t") == std::string::npos) {
        errors.push_back("kafka.bootstrap_servers: empty entry in '" + servers + "'");
        break;
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  const TopicNames& t = config.kafka.topics;
  const std::pair<const char*, const std::string*> topics[] = {
      {"clicks", &t.clicks},           {"calls", &t.calls},        {"chats", &t.chats},
      {"surveys", &t.surveys},         {"signals", &t.signals},    {"alerts", &t.alerts},
      {"dead_letter", &t.dead_letter}, {"changelog", &t.changelog}};
  for (const auto& [key, name] : topics) {
    if (std::string problem = CheckTopicName(*name); !problem.empty()) {
      errors.push_back(std::string("kafka.topics.") + key + ": " + problem);
    }
  }
  CheckProperties(config.kafka.properties, "kafka.properties", errors);
  CheckProperties(config.kafka.consumer_properties, "kafka.consumer_properties", errors);
  CheckProperties(config.kafka.producer_properties, "kafka.producer_properties", errors);
  return errors;
}

}  // namespace cx
