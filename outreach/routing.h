#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/alert.h"
#include "schemas/event.h"

namespace cx {

// SPEC §8 destinations.
enum class Destination : uint8_t { kCases, kWebhook, kSlack, kProactiveChat, kEscalation };

// What a route matches. Every list that is not empty must contain the alert's value; an empty
// list matches anything. An alert without a tier counts as `standard`; an alert without a
// queue (or reason) never matches a non-empty `queues` (or `reasons`).
struct RouteMatch {
  std::vector<AlertKind> kinds = {};
  std::vector<Severity> severities = {};
  std::vector<Tier> tiers = {};  // kStandard / kVip
  std::vector<std::string> queues = {};
  std::vector<std::string> reasons = {};

  bool operator==(const RouteMatch&) const = default;
};

// One entry of `routes:`. `url` is the endpoint for every destination but `cases`, already
// resolved from the environment by the config loader (never from the file in clear).
struct Route {
  RouteMatch match;
  Destination destination = Destination::kCases;
  std::string url;

  bool operator==(const Route&) const = default;
};

// The routing part of the config: ordered routes (first match wins) and the endpoints the
// defaults use. An empty url means "not configured".
struct RoutingConfig {
  std::vector<Route> routes;
  std::string proactive_chat_url;  // enables the needs_help -> proactive_chat default
  std::string escalation_url;      // where escalated cases go (SPEC §7-8)

  bool operator==(const RoutingConfig&) const = default;
};

// Where an alert goes: the destination and, for all but cases, its endpoint url. `route` is the
// index of the matching route, or nullopt when a default applied.
struct RouteDecision {
  Destination destination = Destination::kCases;
  std::string_view url;
  std::optional<size_t> route;
};

// SPEC §8: the first route that matches; else needs_help -> proactive_chat when
// proactive_chat_url is set, else cases; everything else -> cases. `url` views `config`.
[[nodiscard]] RouteDecision RouteAlert(const RoutingConfig& config, const Alert& alert);

// True when RouteAlert sends `alert` to cases: the CaseBook filter
// (CaseRules::routes_to_cases = [&config](const Alert& a) { return RoutesToCases(config, a); }).
[[nodiscard]] bool RoutesToCases(const RoutingConfig& config, const Alert& alert);

// True when `match` selects `alert` (see RouteMatch).
[[nodiscard]] bool Matches(const RouteMatch& match, const Alert& alert);

// Every problem in `config`, one line each naming the route ("routes[2]: ..."), empty when
// valid: a url that is not http(s)://host... (or missing) where a destination needs one, a url
// on a cases route, an empty queue/reason value, a match that no alert can satisfy (queue or
// reason on kinds that are never about a contact), and a route that can never be reached
// because an earlier route matches everything it matches.
[[nodiscard]] std::vector<std::string> ValidateRouting(const RoutingConfig& config);

// True for "http://host..." and "https://host..." with a non-empty host.
[[nodiscard]] bool IsHttpUrl(std::string_view url);

// Names as written in the config. Each Parse returns false (and leaves `out` untouched) for
// anything else; the config loader reports "unknown destination 'x'" with the key's path.
[[nodiscard]] std::string_view ToString(Destination destination);
[[nodiscard]] bool ParseDestination(std::string_view text, Destination& out);
[[nodiscard]] bool ParseAlertKind(std::string_view text, AlertKind& out);
[[nodiscard]] bool ParseSeverity(std::string_view text, Severity& out);
[[nodiscard]] bool ParseTier(std::string_view text, Tier& out);  // "standard" / "vip"

}  // namespace cx
