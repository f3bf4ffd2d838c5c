#include "runtime/config.h"

#include <fstream>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "runtime/rules_config_yaml.h"
#include "runtime/yaml_section.h"

namespace cx {
namespace {

void ReadStateConfig(YamlSection section, StateConfig& state) {
  section.Get("dir", state.dir);
  section.Get("cache_customers", state.cache_customers);
  section.Get("commit_every_events", state.commit_every_events);
  section.Get("evict_after", state.store.evict_after);
  uint64_t block_cache_mb = state.store.block_cache_bytes >> 20;
  section.Get("block_cache_mb", block_cache_mb);
  state.store.block_cache_bytes = static_cast<size_t>(block_cache_mb) << 20;
  uint64_t write_buffer_mb = state.store.write_buffer_bytes >> 20;
  section.Get("write_buffer_mb", write_buffer_mb);
  state.store.write_buffer_bytes = static_cast<size_t>(write_buffer_mb) << 20;
  section.Get("sync_commits", state.store.sync_commits);
  section.Finish();
}

}  // namespace

bool LoadConfigText(std::string_view yaml, std::string_view origin, AppConfig& config,
                    std::string& error) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    error = std::string(origin) + ": not valid YAML at line " + std::to_string(e.mark.line + 1) +
            ": " + e.msg;
    return false;
  }
  std::vector<std::string> errors;
  YamlSection top(root, "", errors);
  YamlSection rules = top.Section("rules");
  ReadRulesConfig(rules, config.rules);
  rules.Finish();
  ReadStateConfig(top.Section("state"), config.state);
  top.Finish();
  if (errors.empty()) {
    std::string invalid = ValidateRulesConfig(config.rules);
    if (!invalid.empty()) {
      errors.push_back(invalid);
    }
  }
  if (!errors.empty()) {
    error = std::string(origin) + ": " + errors.front();
    if (errors.size() > 1) {
      error += " (and " + std::to_string(errors.size() - 1) + " more)";
    }
    return false;
  }
  return true;
}

bool LoadConfigFile(const std::string& path, AppConfig& config, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read config file " + path;
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadConfigText(text.str(), path, config, error);
}

}  // namespace cx
