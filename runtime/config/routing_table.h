#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/config.h"

namespace cx {

// The resolved routing table of `config` for `outreach --dry-run`, one line per entry in the
// order RouteAlert (outreach/routing.h) tries them: each route, the needs_help default, the
// catch-all default, and where case escalations go. Endpoints are shown as the environment
// variable and the URL's scheme and host only (a webhook URL's path may hold a secret).
[[nodiscard]] std::vector<std::string> FormatRoutingTable(const AppConfig& config);

// "https://host[:port]" of an http(s) URL: what logs and the table may show of an endpoint.
[[nodiscard]] std::string UrlOrigin(std::string_view url);

}  // namespace cx
