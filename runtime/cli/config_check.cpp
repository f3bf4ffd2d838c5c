#include "runtime/cli/config_check.h"

#include <string_view>
#include <utility>

#include "outreach/routing.h"
#include "runtime/http/customer_router.h"
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
      std::string& line = errors.emplace_back(path);
      line.append(".").append(key).append(": ").append(errstr);
    }
  }
}

// kafka.bootstrap_servers lists at least one server and no empty entry.
void CheckBootstrapServers(const std::string& servers, std::vector<std::string>& errors) {
  if (servers.find_first_not_of(" \t") == std::string::npos) {
    errors.emplace_back("kafka.bootstrap_servers: required (host:port[,host:port...])");
    return;
  }
  size_t start = 0;
  for (;;) {
    size_t comma = servers.find(',', start);
    std::string entry = servers.substr(start, comma == std::string::npos ? comma : comma - start);
    if (entry.find_first_not_of(" \t") == std::string::npos) {
      errors.push_back("kafka.bootstrap_servers: empty entry in '" + servers + "'");
      return;
    }
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

// Every librdkafka property of the kafka: section.
void CheckKafkaProperties(const KafkaConfig& kafka, std::vector<std::string>& errors) {
  CheckProperties(kafka.properties, "kafka.properties", errors);
  CheckProperties(kafka.consumer_properties, "kafka.consumer_properties", errors);
  CheckProperties(kafka.producer_properties, "kafka.producer_properties", errors);
}

// CheckListenAddress names http.listen; `key` is the config key actually checked.
void CheckListen(const std::string& listen, const std::string& key,
                 std::vector<std::string>& errors) {
  Result<void> checked = CheckListenAddress(listen);
  if (checked) return;
  std::string error = checked.error().message();
  const std::string_view http_key = "http.listen";
  if (error.starts_with(http_key)) error.replace(0, http_key.size(), key);
  errors.push_back(std::move(error));
}

// SPEC §8: the routes (outreach/routing.h ValidateRouting), the dead-letter topic, and every
// configured endpoint and the public URL are http(s).
void CheckRouting(const AppConfig& config, std::vector<std::string>& errors) {
  const NotifyConfig& notify = config.notify;
  errors.insert(errors.end(), notify.env_errors.begin(), notify.env_errors.end());
  for (std::string& line : ValidateRouting(config.routing)) errors.push_back(std::move(line));
  if (std::string problem = CheckTopicName(notify.deadletter_topic); !problem.empty()) {
    errors.push_back("notify.deadletter_topic: " + problem);
  }
  if (!notify.public_url.empty() && !IsHttpUrl(notify.public_url)) {
    errors.emplace_back("notify.public_url: not an http(s)://host... URL");
  }
  for (auto [name, d] : {std::pair{"webhook", &notify.webhook}, std::pair{"slack", &notify.slack},
                         std::pair{"proactive_chat", &notify.proactive_chat},
                         std::pair{"escalation", &notify.escalation}}) {
    if (!d->url.empty() && !IsHttpUrl(d->url)) {
      errors.push_back(std::string("notify.destinations.") + name + ".url_env: $" + d->url_env +
                       " is not an http(s)://host... URL");
    }
  }
}

}  // namespace

std::vector<std::string> CheckRunConfig(const AppConfig& config) {
  std::vector<std::string> errors;
  if (config.state.dir.empty()) {
    errors.emplace_back("state.dir: required by cxpulse run (a directory for the RocksDB state)");
  }
  CheckListen(config.http.listen, "http.listen", errors);
  if (!config.http.advertised_address.empty()) {
    if (Result<void> checked = CheckAdvertisedAddress(config.http.advertised_address); !checked) {
      errors.push_back(checked.error().message());
    }
  }
  CheckBootstrapServers(config.kafka.bootstrap_servers, errors);
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
  CheckKafkaProperties(config.kafka, errors);
  return errors;
}

std::vector<std::string> CheckOutreachConfig(const AppConfig& config) {
  std::vector<std::string> errors;
  const OutreachConfig& outreach = config.outreach;
  if (outreach.reps.empty() && outreach.identity_header.empty()) {
    errors.emplace_back(
        "outreach: needs outreach.reps or outreach.identity_header (who is the rep?)");
  }
  CheckListen(outreach.listen, "outreach.listen", errors);
  for (const auto& [key, name] : {std::pair{"alerts", &outreach.alerts_topic},
                                  std::pair{"commands", &outreach.commands_topic}}) {
    if (std::string problem = CheckTopicName(*name); !problem.empty()) {
      errors.push_back(std::string("outreach.topics.") + key + ": " + problem);
    }
  }
  // /customers/{id} finds the processors' partition count and owners through these.
  if (std::string problem = CheckTopicName(config.kafka.topics.clicks); !problem.empty()) {
    errors.push_back("kafka.topics.clicks: " + problem);
  }
  if (config.kafka.group_id.empty()) {
    errors.emplace_back("kafka.group_id: required (the processors' consumer group)");
  }
  CheckBootstrapServers(config.kafka.bootstrap_servers, errors);
  CheckKafkaProperties(config.kafka, errors);
  CheckRouting(config, errors);
  return errors;
}

}  // namespace cx
