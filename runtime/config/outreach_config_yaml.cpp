#include "runtime/config/outreach_config_yaml.h"

#include <cstdlib>
#include <set>

namespace cx {
namespace {

void ReadRep(YamlSection item, RepConfig& rep, std::vector<std::string>& errors,
             const std::string& path) {
  item.Get("name", rep.name);
  item.Get("token_env", rep.token_env);
  item.Finish();
  if (rep.name.empty() || rep.name.size() > 128) {
    errors.push_back(path + ".name: expected 1-128 characters");
    return;
  }
  if (rep.token_env.empty()) {
    errors.push_back(path + ".token_env: expected the name of an environment variable");
    return;
  }
  const char* token = std::getenv(rep.token_env.c_str());
  if (token == nullptr || *token == '\0') {
    errors.push_back(path + ".token_env: environment variable " + rep.token_env + " is not set");
    return;
  }
  rep.token = token;
}

}  // namespace

void ReadOutreachConfig(YamlSection section, OutreachConfig& outreach,
                        std::vector<std::string>& errors) {
  YamlSection topics = section.Section("topics");
  topics.Get("alerts", outreach.alerts_topic);
  topics.Get("commands", outreach.commands_topic);
  topics.Finish();
  section.Get("claim_lapse", outreach.claim_lapse);
  section.Get("escalate_after", outreach.escalate_after);
  section.Get("resolved_retention", outreach.resolved_retention);
  section.Get("command_timeout", outreach.command_timeout);
  section.Get("listen", outreach.listen);
  section.Get("identity_header", outreach.identity_header);
  std::vector<YamlSection> items = section.Sections("reps");
  outreach.reps.assign(items.size(), RepConfig{});
  for (size_t i = 0; i < items.size(); ++i) {
    ReadRep(std::move(items[i]), outreach.reps[i], errors,
            "outreach.reps[" + std::to_string(i) + "]");
  }
  section.Finish();
  if (outreach.alerts_topic.empty() || outreach.commands_topic.empty()) {
    errors.emplace_back("outreach.topics: topic names must not be empty");
  }
  for (auto [name, value] : {std::pair{"claim_lapse", outreach.claim_lapse},
                             std::pair{"escalate_after", outreach.escalate_after},
                             std::pair{"resolved_retention", outreach.resolved_retention},
                             std::pair{"command_timeout", outreach.command_timeout}}) {
    if (value.ms <= 0) errors.push_back(std::string("outreach.") + name + ": must be positive");
  }
  std::set<std::string> names;
  std::set<std::string> tokens;
  for (const RepConfig& rep : outreach.reps) {
    if (rep.token.empty()) continue;
    if (!names.insert(rep.name).second) {
      errors.push_back("outreach.reps: rep " + rep.name + " is listed twice");
    }
    if (!tokens.insert(rep.token).second) {
      errors.push_back("outreach.reps: two reps share a token (" + rep.token_env + ")");
    }
  }
}

}  // namespace cx
