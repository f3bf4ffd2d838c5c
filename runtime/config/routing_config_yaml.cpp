#include "runtime/config/routing_config_yaml.h"

#include <cstdlib>
#include <utility>

#include "runtime/config/suggest.h"

namespace cx {
namespace {

// Reads environment variable `name` into `out`; records "<path>: environment variable X is not
// set" when it is unset or empty.
void ReadEnv(const std::string& name, const std::string& path, std::string& out,
             std::vector<std::string>& errors) {
  if (name.empty()) return;
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    errors.push_back(path + ": environment variable " + name + " is not set");
    return;
  }
  out = value;
}

void ReadDestination(YamlSection section, const std::string& path, DestinationConfig& d,
                     std::vector<std::string>& errors, std::vector<std::string>& env_errors) {
  section.Get("url_env", d.url_env);
  section.Get("token_env", d.token_env);
  section.Get("concurrency", d.concurrency);
  section.Get("rate_per_second", d.rate_per_second);
  section.Get("max_pending", d.max_pending);
  section.Get("format", d.format);
  section.Finish();
  ReadEnv(d.url_env, path + ".url_env", d.url, env_errors);
  ReadEnv(d.token_env, path + ".token_env", d.token, env_errors);
  if (d.concurrency <= 0 || d.concurrency > 1000) {
    errors.push_back(path + ".concurrency: expected 1 to 1000");
  }
  if (d.rate_per_second <= 0) errors.push_back(path + ".rate_per_second: must be positive");
  if (d.max_pending == 0) errors.push_back(path + ".max_pending: must be positive");
  if (!d.format.empty() && d.format != "json" && d.format != "slack") {
    errors.push_back(path + ".format: expected json or slack");
  }
}

std::vector<std::string> Names(std::initializer_list<std::string_view> names) {
  return {names.begin(), names.end()};
}

// Parses every value of `texts` with `parse` into `out`; records unknown ones.
template <typename T, typename Parse>
void ParseAll(const std::vector<std::string>& texts, Parse parse,
              const std::vector<std::string>& known, const std::string& path, std::vector<T>& out,
              std::vector<std::string>& errors) {
  for (const std::string& text : texts) {
    T value{};
    if (parse(text, value)) {
      out.push_back(value);
    } else {
      std::string message = path + ": unknown value '" + text + "', expected one of ";
      for (size_t i = 0; i < known.size(); ++i) {
        message += i == 0 ? "" : ", ";
        message += known[i];
      }
      message += DidYouMean(text, known);
      errors.push_back(std::move(message));
    }
  }
}

void ReadMatch(YamlSection section, const std::string& path, RouteMatch& match,
               std::vector<std::string>& errors) {
  std::vector<std::string> kinds;
  std::vector<std::string> severities;
  std::vector<std::string> tiers;
  section.GetOneOrMany("kind", kinds);
  section.GetOneOrMany("severity", severities);
  section.GetOneOrMany("tier", tiers);
  section.GetOneOrMany("queue", match.queues);
  section.GetOneOrMany("reason", match.reasons);
  section.Finish();
  std::vector<std::string> kind_names;
  kind_names.reserve(kAlertKindCount);
  for (int k = 0; k < kAlertKindCount; ++k) {
    kind_names.emplace_back(ToString(static_cast<AlertKind>(k)));
  }
  ParseAll(kinds, ParseAlertKind, kind_names, path + ".kind", match.kinds, errors);
  ParseAll(severities, ParseSeverity, Names({"warning", "critical"}), path + ".severity",
           match.severities, errors);
  ParseAll(tiers, ParseTier, Names({"standard", "vip"}), path + ".tier", match.tiers, errors);
}

}  // namespace

const DestinationConfig* DestinationSettings(const NotifyConfig& notify, Destination destination) {
  switch (destination) {
    case Destination::kWebhook:
      return &notify.webhook;
    case Destination::kSlack:
      return &notify.slack;
    case Destination::kProactiveChat:
      return &notify.proactive_chat;
    case Destination::kEscalation:
      return &notify.escalation;
    case Destination::kCases:
      return nullptr;
  }
  return nullptr;
}

void ReadNotifyConfig(YamlSection section, NotifyConfig& notify, std::vector<std::string>& errors) {
  section.Get("group_id", notify.group_id);
  section.Get("start_from", notify.start_from);
  section.Get("deadletter_topic", notify.deadletter_topic);
  section.Get("give_up_after", notify.give_up_after);
  section.Get("request_timeout", notify.request_timeout);
  section.Get("backoff_initial", notify.backoff_initial);
  section.Get("backoff_max", notify.backoff_max);
  section.Get("public_url", notify.public_url);
  section.Get("ca_file", notify.ca_file);
  YamlSection destinations = section.Section("destinations");
  for (auto [name, d] : {std::pair{"webhook", &notify.webhook}, std::pair{"slack", &notify.slack},
                         std::pair{"proactive_chat", &notify.proactive_chat},
                         std::pair{"escalation", &notify.escalation}}) {
    ReadDestination(destinations.Section(name), std::string("notify.destinations.") + name, *d,
                    errors, notify.env_errors);
  }
  destinations.Finish();
  section.Finish();
  if (notify.group_id.empty()) errors.emplace_back("notify.group_id: must not be empty");
  if (notify.start_from != "latest" && notify.start_from != "earliest") {
    errors.emplace_back("notify.start_from: expected latest or earliest");
  }
  for (auto [name, value] : {std::pair{"give_up_after", notify.give_up_after},
                             std::pair{"request_timeout", notify.request_timeout},
                             std::pair{"backoff_initial", notify.backoff_initial},
                             std::pair{"backoff_max", notify.backoff_max}}) {
    if (value.ms <= 0) errors.push_back(std::string("notify.") + name + ": must be positive");
  }
  if (notify.backoff_max.ms < notify.backoff_initial.ms) {
    errors.emplace_back("notify.backoff_max: must not be below notify.backoff_initial");
  }
}

void ReadRoutes(std::vector<YamlSection> items, NotifyConfig& notify, RoutingConfig& routing,
                std::vector<std::string>& errors) {
  routing.routes.assign(items.size(), Route{});
  notify.routes.assign(items.size(), RouteEndpoint{});
  std::vector<std::string> destination_names;
  for (Destination d : {Destination::kCases, Destination::kWebhook, Destination::kSlack,
                        Destination::kProactiveChat, Destination::kEscalation}) {
    destination_names.emplace_back(ToString(d));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = "routes[" + std::to_string(i) + "]";
    Route& route = routing.routes[i];
    RouteEndpoint& endpoint = notify.routes[i];
    YamlSection& item = items[i];
    ReadMatch(item.Section("match"), path + ".match", route.match, errors);
    std::string destination;
    item.Get("destination", destination);
    item.Get("url_env", endpoint.url_env);
    item.Get("token_env", endpoint.token_env);
    item.Finish();
    if (destination.empty()) {
      errors.push_back(path + ".destination: required (one of cases, webhook, slack, " +
                       "proactive_chat, escalation)");
    } else if (!ParseDestination(destination, route.destination)) {
      std::string message = path + ".destination: unknown destination '" + destination + "'";
      message += DidYouMean(destination, destination_names);
      errors.push_back(std::move(message));
    }
    ReadEnv(endpoint.url_env, path + ".url_env", route.url, notify.env_errors);
    ReadEnv(endpoint.token_env, path + ".token_env", endpoint.token, notify.env_errors);
    const DestinationConfig* settings = DestinationSettings(notify, route.destination);
    if (settings == nullptr) continue;
    if (endpoint.url_env.empty()) endpoint.url_env = settings->url_env;
    if (endpoint.token_env.empty()) {
      endpoint.token_env = settings->token_env;
      endpoint.token = settings->token;
    }
    const bool has_default = route.destination == Destination::kProactiveChat ||
                             route.destination == Destination::kEscalation;
    if (route.url.empty() && !has_default) route.url = settings->url;
  }
  routing.proactive_chat_url = notify.proactive_chat.url;
  routing.escalation_url = notify.escalation.url;
}

}  // namespace cx
