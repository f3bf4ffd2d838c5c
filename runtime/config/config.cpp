#include "runtime/config/config.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "runtime/config/outreach_config_yaml.h"
#include "runtime/config/processing_threads.h"
#include "runtime/config/routing_config_yaml.h"
#include "runtime/config/rules_config_yaml.h"
#include "runtime/config/yaml_section.h"

namespace cx {
namespace {

// state.memory_mb: at least room for a few customers per shard, at most 1 TiB.
constexpr uint64_t kMinMemoryMb = 8;
constexpr uint64_t kMaxMemoryMb = uint64_t{1} << 20;

void ReadStateConfig(YamlSection section, StateConfig& state, std::vector<std::string>& errors) {
  section.Get("dir", state.dir);
  section.Get("cache_customers", state.cache_customers);
  section.Get("memory_mb", state.memory_mb);
  section.Get("commit_every_events", state.commit_every_events);
  section.Get("evict_after", state.store.evict_after);
  uint64_t block_cache_mb = state.store.block_cache_bytes >> 20;
  section.Get("block_cache_mb", block_cache_mb);
  state.store.block_cache_bytes = static_cast<size_t>(block_cache_mb) << 20;
  uint64_t write_buffer_mb = state.store.write_buffer_bytes >> 20;
  section.Get("write_buffer_mb", write_buffer_mb);
  state.store.write_buffer_bytes = static_cast<size_t>(write_buffer_mb) << 20;
  section.Get("sync_commits", state.store.sync_commits);
  uint64_t min_free_mb = state.store.min_free_bytes >> 20;
  section.Get("min_free_mb", min_free_mb);
  state.store.min_free_bytes = min_free_mb << 20;
  section.Finish();
  if (state.memory_mb != 0 && (state.memory_mb < kMinMemoryMb || state.memory_mb > kMaxMemoryMb)) {
    errors.push_back("state.memory_mb: must be 0 (no budget) or between " +
                     std::to_string(kMinMemoryMb) + " and " + std::to_string(kMaxMemoryMb));
  }
}

void ReadTopics(YamlSection section, TopicNames& topics) {
  section.Get("clicks", topics.clicks);
  section.Get("calls", topics.calls);
  section.Get("chats", topics.chats);
  section.Get("surveys", topics.surveys);
  section.Get("signals", topics.signals);
  section.Get("alerts", topics.alerts);
  section.Get("dead_letter", topics.dead_letter);
  section.Get("changelog", topics.changelog);
  section.Finish();
}

void ReadKafkaConfig(YamlSection section, KafkaConfig& kafka, std::vector<std::string>& errors) {
  section.Get("bootstrap_servers", kafka.bootstrap_servers);
  section.Get("group_id", kafka.group_id);
  section.Get("instance_id", kafka.instance_id);
  std::string processing;
  section.Get("processing", processing);
  if (processing == "exactly_once") {
    kafka.processing = ProcessingGuarantee::kExactlyOnce;
  } else if (processing == "at_least_once") {
    kafka.processing = ProcessingGuarantee::kAtLeastOnce;
  } else if (!processing.empty()) {
    errors.emplace_back("kafka.processing: expected exactly_once or at_least_once");
  }
  section.Get("commit_interval", kafka.commit_interval);
  section.Get("alert_commit_wait", kafka.alert_commit_wait);
  section.Get("idle_watermark_after", kafka.idle_watermark_after);
  section.Get("max_merge_wait", kafka.max_merge_wait);
  section.Get("idle_input_wait", kafka.idle_input_wait);
  section.Get("max_future", kafka.max_future);
  section.Get("transaction_timeout", kafka.transaction_timeout);
  section.Get("startup_timeout", kafka.startup_timeout);
  section.Get("prefetch_kb", kafka.prefetch_kb);
  section.Get("fetch_max_kb", kafka.fetch_max_kb);
  section.Get("fetch_wait", kafka.fetch_wait);
  ReadTopics(section.Section("topics"), kafka.topics);
  section.GetStringMap("properties", kafka.properties);
  section.GetStringMap("consumer_properties", kafka.consumer_properties);
  section.GetStringMap("producer_properties", kafka.producer_properties);
  section.Finish();
  if (kafka.commit_interval.ms <= 0) {
    errors.emplace_back("kafka.commit_interval: must be positive");
  }
  if (kafka.alert_commit_wait.ms < 0 || kafka.alert_commit_wait.ms > kafka.commit_interval.ms) {
    errors.emplace_back("kafka.alert_commit_wait: must be between 0ms and kafka.commit_interval");
  }
  if (kafka.startup_timeout.ms <= 0) {
    errors.emplace_back("kafka.startup_timeout: must be positive");
  }
  if (kafka.prefetch_kb < 1 || kafka.prefetch_kb > 2097151) {
    errors.emplace_back(
        "kafka.prefetch_kb: must be between 1 and 2097151 (KiB per input partition)");
  }
  if (kafka.fetch_max_kb < 1024 || kafka.fetch_max_kb > 2097151) {
    errors.emplace_back("kafka.fetch_max_kb: must be between 1024 and 2097151 (KiB per fetch)");
  }
  if (kafka.fetch_wait.ms < 1 || kafka.fetch_wait.ms > 300000) {
    errors.emplace_back("kafka.fetch_wait: must be between 1ms and 300s");
  }
}

void ReadProcessingConfig(YamlSection section, ProcessingConfig& processing,
                          std::vector<std::string>& errors) {
  section.Get("threads", processing.threads);
  section.Finish();
  if (processing.threads < 0 || processing.threads > kMaxProcessingThreads) {
    errors.push_back("processing.threads: must be between 0 (as many as the cores available) and " +
                     std::to_string(kMaxProcessingThreads));
  }
}

void ReadHttpConfig(YamlSection section, HttpConfig& http) {
  section.Get("listen", http.listen);
  section.Get("bearer_token", http.bearer_token);
  section.Get("recent_alerts", http.recent_alerts);
  section.Get("advertised_address", http.advertised_address);
  section.Finish();
}

void ReadReasonsConfig(YamlSection section, ReasonsConfig& reasons,
                       std::vector<std::string>& errors) {
  section.Get("known", reasons.known);
  section.Finish();
  if (Result<void> valid = ValidateReasonList(reasons.known); !valid) {
    const std::string& invalid = valid.error().message();
    errors.push_back("reasons.known" + std::string(invalid.starts_with("[") ? "" : ": ") + invalid);
  }
}

// librdkafka properties that hold a secret (a password, a private key): they may only name an
// environment variable (a Kubernetes Secret mapped to env), so no secret sits in a ConfigMap.
bool IsKafkaSecret(std::string_view key) {
  static constexpr std::string_view kSecrets[] = {
      "sasl.password",    "sasl.oauthbearer.client.secret",
      "ssl.key.password", "ssl.keystore.password",
      "ssl.key.pem",      "ssl_key",
  };
  return std::find(std::begin(kSecrets), std::end(kSecrets), key) != std::end(kSecrets);
}

// "${NAME}" and nothing else.
bool IsOneEnvironmentReference(std::string_view value) {
  return value.size() > 3 && value.starts_with("${") && value.ends_with("}") &&
         value.find_first_of("${}", 2) == value.size() - 1;
}

// `line` with its control characters escaped (\n, \t, \xNN): a key or value quoted in an error
// cannot break the one-problem-a-line report or write control sequences to a terminal.
std::string Printable(std::string_view line) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::string> ExpandEnvironment(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, start - i));
    size_t end = text.find('}', start);
    if (end == std::string_view::npos) {
      return Err("unterminated ${ in a config value");
    }
    std::string name(text.substr(start + 2, end - start - 2));
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return Err("environment variable " + name + " is not set");
    }
    out.append(value);
    i = end + 1;
  }
  return out;
}

Result<void> LoadConfigText(std::string_view yaml, std::string_view origin, AppConfig& config) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Err(std::string(origin) + ": not valid YAML at line " + std::to_string(e.mark.line + 1) +
               ": " + Printable(e.msg));
  }
  std::vector<std::string> errors;
  YamlSection top(root, "", errors);
  YamlSection rules = top.Section("rules");
  ReadRulesConfig(rules, config.rules);
  rules.Finish();
  ReadStateConfig(top.Section("state"), config.state, errors);
  ReadProcessingConfig(top.Section("processing"), config.processing, errors);
  ReadKafkaConfig(top.Section("kafka"), config.kafka, errors);
  ReadHttpConfig(top.Section("http"), config.http);
  ReadOutreachConfig(top.Section("outreach"), config.outreach, errors);
  ReadReasonsConfig(top.Section("reasons"), config.reasons, errors);
  ReadNotifyConfig(top.Section("notify"), config.notify, errors);
  ReadRoutes(top.Sections("routes"), config.notify, config.routing, errors);
  top.Finish();
  for (auto* props : {&config.kafka.properties, &config.kafka.consumer_properties,
                      &config.kafka.producer_properties}) {
    for (auto& [key, value] : *props) {
      if (IsKafkaSecret(key) && !IsOneEnvironmentReference(value)) {
        errors.push_back("kafka properties." + key +
                         ": a secret must come from the environment, e.g. ${KAFKA_SASL_PASSWORD}, "
                         "never from the config file");
        continue;
      }
      Result<std::string> expanded = ExpandEnvironment(value);
      if (!expanded) {
        errors.push_back("kafka properties." + key + ": " + expanded.error().message());
        continue;
      }
      value = std::move(expanded).value();
    }
  }
  if (const char* token = std::getenv("CXPULSE_HTTP_TOKEN"); token != nullptr && *token != '\0') {
    config.http.bearer_token = token;
  } else if (!config.http.bearer_token.empty()) {
    Result<std::string> expanded = ExpandEnvironment(config.http.bearer_token);
    if (expanded) {
      config.http.bearer_token = std::move(expanded).value();
    } else {
      errors.push_back("http.bearer_token: " + expanded.error().message());
    }
  }
  if (!config.http.advertised_address.empty()) {
    Result<std::string> expanded = ExpandEnvironment(config.http.advertised_address);
    if (expanded) {
      config.http.advertised_address = std::move(expanded).value();
    } else {
      errors.push_back("http.advertised_address: " + expanded.error().message());
    }
  }
  if (errors.empty()) {
    if (Result<void> valid = ValidateRulesConfig(config.rules); !valid) {
      errors.push_back(valid.error().message());
    }
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& line : errors) {
      message += (message.empty() ? "" : "\n") + std::string(origin) + ": " + Printable(line);
    }
    return Err(std::move(message));
  }
  return Ok();
}

Result<void> LoadConfigFile(const std::string& path, AppConfig& config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Err("cannot read config file " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadConfigText(text.str(), path, config);
}

}  // namespace cx
