#pragma once

#include <string>
#include <vector>

#include "schemas/time.h"

namespace cx {

// One rep of `outreach.reps`: a name and the environment variable holding its bearer token.
// The token itself is never in the file; the loader reads it into `token`.
struct RepConfig {
  std::string name;
  std::string token_env;
  std::string token;  // from the environment at load time

  bool operator==(const RepConfig&) const = default;
};

// The `outreach:` section: `cxpulse outreach`, the case service of SPEC §7.
struct OutreachConfig {
  // The fold's inputs; co-partitioned by customer. Kafka connection: the `kafka:` section.
  std::string alerts_topic = "cx.alerts";
  std::string commands_topic = "cx.outreach";
  // SPEC §7 numbers (outreach/case_book.h CaseRules).
  Duration claim_lapse = Duration::Minutes(30);
  Duration escalate_after = Duration::Minutes(15);
  Duration resolved_retention = Duration::Days(7);
  // How long a command request waits for its command to be read back (then 503).
  Duration command_timeout = Duration::Seconds(10);
  // The service's own HTTP listener (/cases, /metrics, /healthz, /readyz).
  std::string listen = "0.0.0.0:9465";
  // Bearer tokens of reps. A request with "Authorization: Bearer <token>" acts as that rep.
  std::vector<RepConfig> reps;
  // When set (e.g. X-Forwarded-User), an authenticating proxy names the rep in this header.
  std::string identity_header;

  bool operator==(const OutreachConfig&) const = default;
};

}  // namespace cx
