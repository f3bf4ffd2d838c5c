#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schemas/time.h"

namespace cx {

// One endpoint kind of SPEC §8 under `notify.destinations` (webhook, slack, proactive_chat,
// escalation). The URL and token are never in the file: the file names environment variables and
// the loader reads them into `url` and `token`.
struct DestinationConfig {
  // Environment variable holding the endpoint's http(s) URL (empty = not configured).
  std::string url_env;
  std::string url;  // from the environment at load time
  // Optional environment variable holding a bearer token, sent as "Authorization: Bearer ...".
  std::string token_env;
  std::string token;  // from the environment at load time
  // Requests in flight at once per endpoint URL.
  int concurrency = 4;
  // Requests started per second per endpoint URL (a token bucket with a burst of `concurrency`).
  double rate_per_second = 50;
  // Messages held per endpoint URL, retries included; one more goes to the dead letters at once
  // ("backlog full"), so a dead endpoint holds bounded memory.
  uint64_t max_pending = 100'000;
  // Body format: "json" (the alert or escalation as JSON) or "slack" (Block Kit). Empty = slack
  // for the slack destination, json for the others.
  std::string format;

  bool operator==(const DestinationConfig&) const = default;
};

// Where one entry of `routes:` delivers, beside its pure Route (outreach/routing.h): the
// environment variable its url came from (for the routing table; never the url itself) and the
// bearer token (the route's own token_env, else its destination's).
struct RouteEndpoint {
  std::string url_env;
  std::string token_env;
  std::string token;

  bool operator==(const RouteEndpoint&) const = default;
};

// The `notify:` section: the notifiers of `cxpulse outreach` (SPEC §8).
struct NotifyConfig {
  // Consumer group of the notifiers on the alerts topic (offsets committed after delivery or
  // dead-lettering).
  std::string group_id = "cxpulse-notify";
  // Where a new group starts on the alerts topic: "latest" (only alerts from now on; no flood
  // of old alerts into Slack at first start) or "earliest". A known group resumes from its
  // committed offsets either way.
  std::string start_from = "latest";
  // Messages that could not be delivered, with the last error.
  std::string deadletter_topic = "cx.notify.deadletter";
  // A message not delivered this long after it was first tried goes to the dead letters.
  Duration give_up_after = Duration::Hours(1);
  // One HTTP attempt (connect, TLS, request, response) longer than this fails and is retried.
  Duration request_timeout = Duration::Seconds(10);
  // Retry delays: exponential from `backoff_initial`, doubling up to `backoff_max`, with full
  // jitter (a random delay between half and all of it).
  Duration backoff_initial = Duration::Seconds(1);
  Duration backoff_max = Duration::Minutes(5);
  // The outreach page's public base URL (e.g. https://cx.example.com): links in Slack messages.
  std::string public_url;
  // A PEM file of extra CA certificates trusted for https endpoints (a private CA); the system's
  // trust store is always used.
  std::string ca_file;
  DestinationConfig webhook;
  DestinationConfig slack;
  DestinationConfig proactive_chat;
  DestinationConfig escalation;
  // Parallel to AppConfig::routing.routes.
  std::vector<RouteEndpoint> routes;
  // Named environment variables that are unset or empty ("routes[0].url_env: environment
  // variable X is not set"). Not load errors: `cxpulse run` shares the file but not the
  // notifiers' environment; `cxpulse outreach` (CheckOutreachConfig) refuses to start on them.
  std::vector<std::string> env_errors;

  bool operator==(const NotifyConfig&) const = default;
};

}  // namespace cx
