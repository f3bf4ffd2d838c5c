#include "outreach/routing.h"

#include <algorithm>

namespace cx {

namespace {

constexpr Destination kDestinations[] = {Destination::kCases, Destination::kWebhook,
                                         Destination::kSlack, Destination::kProactiveChat,
                                         Destination::kEscalation};

template <typename T>
bool Contains(const std::vector<T>& values, const T& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

template <typename T>
bool ListMatches(const std::vector<T>& values, const T& value) {
  return values.empty() || Contains(values, value);
}

bool ListMatches(const std::vector<std::string>& values, const std::string& value) {
  return values.empty() || (!value.empty() && Contains(values, value));
}

// True when an earlier list matches everything `later` matches, for a dimension with
// `domain` possible values (0 = open-ended, like queue names).
template <typename T>
bool Covers(const std::vector<T>& earlier, const std::vector<T>& later, size_t domain) {
  const auto distinct = [](std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
  };
  if (earlier.empty() || (domain > 0 && distinct(earlier) >= domain)) return true;
  if (later.empty()) return false;
  return std::all_of(later.begin(), later.end(), [&](const T& v) { return Contains(earlier, v); });
}

bool Shadows(const RouteMatch& earlier, const RouteMatch& later) {
  return Covers(earlier.kinds, later.kinds, kAlertKindCount) &&
         Covers(earlier.severities, later.severities, 2) && Covers(earlier.tiers, later.tiers, 2) &&
         Covers(earlier.queues, later.queues, 0) && Covers(earlier.reasons, later.reasons, 0);
}

bool AboutAContact(AlertKind kind) {
  return kind == AlertKind::kSlaBreach || kind == AlertKind::kRepeatContact;
}

// The url a route delivers to: its own, else the config's endpoint for its destination.
std::string_view EndpointOf(const RoutingConfig& config, const Route& route) {
  if (!route.url.empty()) return route.url;
  if (route.destination == Destination::kProactiveChat) return config.proactive_chat_url;
  if (route.destination == Destination::kEscalation) return config.escalation_url;
  return "";
}

void ValidateRoute(const RoutingConfig& config, size_t i, std::vector<std::string>& errors) {
  const Route& route = config.routes[i];
  const std::string where = "routes[" + std::to_string(i) + "]: ";
  const std::string_view url = EndpointOf(config, route);
  if (route.destination == Destination::kCases) {
    if (!route.url.empty()) errors.push_back(where + "destination cases takes no url");
  } else if (url.empty()) {
    errors.push_back(where + "destination " + std::string(ToString(route.destination)) +
                     " needs a url");
  } else if (!IsHttpUrl(url)) {
    errors.push_back(where + "url is not http(s)://host...");
  }
  const RouteMatch& m = route.match;
  for (const auto* values : {&m.queues, &m.reasons}) {
    if (Contains(*values, std::string())) {
      errors.push_back(where + "an empty queue or reason never matches");
    }
  }
  if ((!m.queues.empty() || !m.reasons.empty()) && !m.kinds.empty() &&
      std::none_of(m.kinds.begin(), m.kinds.end(), AboutAContact)) {
    errors.push_back(where +
                     "can never match: only sla_breach and repeat_contact carry queue/reason");
  }
  for (size_t j = 0; j < i; ++j) {
    if (Shadows(config.routes[j].match, m)) {
      errors.push_back(where + "can never match: routes[" + std::to_string(j) +
                       "] matches everything it matches");
      break;
    }
  }
}

}  // namespace

bool Matches(const RouteMatch& match, const Alert& alert) {
  const Tier tier = alert.tier == Tier::kVip ? Tier::kVip : Tier::kStandard;
  return ListMatches(match.kinds, alert.kind) && ListMatches(match.severities, alert.severity) &&
         ListMatches(match.tiers, tier) && ListMatches(match.queues, alert.queue) &&
         ListMatches(match.reasons, alert.reason);
}

RouteDecision RouteAlert(const RoutingConfig& config, const Alert& alert) {
  for (size_t i = 0; i < config.routes.size(); ++i) {
    const Route& route = config.routes[i];
    if (Matches(route.match, alert)) return {route.destination, EndpointOf(config, route), i};
  }
  if (alert.kind == AlertKind::kNeedsHelp && !config.proactive_chat_url.empty()) {
    return {Destination::kProactiveChat, config.proactive_chat_url, std::nullopt};
  }
  return {Destination::kCases, "", std::nullopt};
}

bool RoutesToCases(const RoutingConfig& config, const Alert& alert) {
  return RouteAlert(config, alert).destination == Destination::kCases;
}

std::vector<std::string> ValidateRouting(const RoutingConfig& config) {
  std::vector<std::string> errors;
  for (size_t i = 0; i < config.routes.size(); ++i) ValidateRoute(config, i, errors);
  if (!config.proactive_chat_url.empty() && !IsHttpUrl(config.proactive_chat_url)) {
    errors.emplace_back("proactive_chat: url is not http(s)://host...");
  }
  if (!config.escalation_url.empty() && !IsHttpUrl(config.escalation_url)) {
    errors.emplace_back("escalation: url is not http(s)://host...");
  }
  return errors;
}

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) != scheme) continue;
    const std::string_view rest = url.substr(scheme.size());
    const size_t host_end = rest.find_first_of("/?#");
    const std::string_view host = rest.substr(0, host_end);
    return !host.empty() && host.front() != ':' &&
           host.find_first_of(" \t\r\n@") == std::string_view::npos;
  }
  return false;
}

std::string_view ToString(Destination destination) {
  switch (destination) {
    case Destination::kCases:
      return "cases";
    case Destination::kWebhook:
      return "webhook";
    case Destination::kSlack:
      return "slack";
    case Destination::kProactiveChat:
      return "proactive_chat";
    case Destination::kEscalation:
      return "escalation";
  }
  return "cases";
}

bool ParseDestination(std::string_view text, Destination& out) {
  for (Destination d : kDestinations) {
    if (text == ToString(d)) {
      out = d;
      return true;
    }
  }
  return false;
}

bool ParseAlertKind(std::string_view text, AlertKind& out) {
  for (int k = 0; k < kAlertKindCount; ++k) {
    if (text == ToString(static_cast<AlertKind>(k))) {
      out = static_cast<AlertKind>(k);
      return true;
    }
  }
  return false;
}

bool ParseSeverity(std::string_view text, Severity& out) {
  for (Severity s : {Severity::kWarning, Severity::kCritical}) {
    if (text == ToString(s)) {
      out = s;
      return true;
    }
  }
  return false;
}

bool ParseTier(std::string_view text, Tier& out) {
  for (Tier t : {Tier::kStandard, Tier::kVip}) {
    if (text == ToString(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

}  // namespace cx
