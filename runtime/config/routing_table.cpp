#include "runtime/config/routing_table.h"

#include <fmt/format.h>

#include "runtime/config/routing_config_yaml.h"

namespace cx {
namespace {

template <typename T>
void AppendList(std::string& out, std::string_view key, const std::vector<T>& values) {
  if (values.empty()) return;
  out += out.empty() ? "" : " ";
  out += key;
  out += '=';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if constexpr (std::is_same_v<T, std::string>) {
      out += values[i];
    } else {
      out += ToString(values[i]);
    }
  }
}

std::string DescribeMatch(const RouteMatch& match) {
  std::string out;
  AppendList(out, "kind", match.kinds);
  AppendList(out, "severity", match.severities);
  AppendList(out, "tier", match.tiers);
  AppendList(out, "queue", match.queues);
  AppendList(out, "reason", match.reasons);
  return out.empty() ? "any alert" : out;
}

// "15m", "90s", "1h", "250ms": the largest unit that divides it.
std::string ShortDuration(Duration d) {
  for (auto [unit, ms] : {std::pair{"d", 86'400'000}, std::pair{"h", 3'600'000},
                          std::pair{"m", 60'000}, std::pair{"s", 1000}}) {
    if (d.ms != 0 && d.ms % ms == 0) return fmt::format("{}{}", d.ms / ms, unit);
  }
  return fmt::format("{}ms", d.ms);
}

std::string DescribeEndpoint(std::string_view url, std::string_view env) {
  if (url.empty()) return "(no url)";
  return fmt::format("{} (${})", UrlOrigin(url), env);
}

}  // namespace

std::string UrlOrigin(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "?";
  const size_t end = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, end));
}

std::vector<std::string> FormatRoutingTable(const AppConfig& config) {
  const RoutingConfig& routing = config.routing;
  const NotifyConfig& notify = config.notify;
  std::vector<std::string> lines;
  lines.emplace_back("routing (first match wins):");
  constexpr std::string_view kRow = "  {:<11} {:<44} -> {}";
  for (size_t i = 0; i < routing.routes.size(); ++i) {
    const Route& route = routing.routes[i];
    std::string target(ToString(route.destination));
    if (route.destination != Destination::kCases) {
      std::string_view url = route.url;
      if (url.empty() && route.destination == Destination::kProactiveChat) {
        url = routing.proactive_chat_url;
      }
      if (url.empty() && route.destination == Destination::kEscalation) {
        url = routing.escalation_url;
      }
      const std::string& env = i < notify.routes.size() && !notify.routes[i].url_env.empty()
                                   ? notify.routes[i].url_env
                                   : DestinationSettings(notify, route.destination)->url_env;
      target += " " + DescribeEndpoint(url, env);
    }
    lines.push_back(
        fmt::format(kRow, fmt::format("routes[{}]", i), DescribeMatch(route.match), target));
  }
  lines.push_back(fmt::format(
      kRow, "default", "kind=needs_help",
      routing.proactive_chat_url.empty()
          ? std::string("cases")
          : "proactive_chat " +
                DescribeEndpoint(routing.proactive_chat_url, notify.proactive_chat.url_env)));
  lines.push_back(fmt::format(kRow, "default", "any alert", "cases"));
  lines.push_back(fmt::format(
      kRow, "escalation",
      "critical case unclaimed " + ShortDuration(config.outreach.escalate_after),
      routing.escalation_url.empty()
          ? std::string("not delivered (counted only)")
          : "escalation " + DescribeEndpoint(routing.escalation_url, notify.escalation.url_env)));
  return lines;
}

}  // namespace cx
