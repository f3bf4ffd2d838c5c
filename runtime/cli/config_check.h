#pragma once

#include <string>
#include <vector>

#include "runtime/config/config.h"

namespace cx {

// Everything about a loaded config that `cxpulse run` (and `demo`) would otherwise find out only
// while starting: state.dir is set; http.listen can be bound (well-formed, port in range,
// resolvable); http.advertised_address, when set, is host:port (CheckAdvertisedAddress);
// kafka.bootstrap_servers lists at least one server and no empty entry; every topic name is a legal
// Kafka topic name; every librdkafka property is one librdkafka knows, with a value it accepts.
// `run --dry-run` reports exactly these, and `run` checks them before it binds a port or connects.
// Empty when the config is fine; else one line per problem, each naming the key path
// ("kafka.topics.clicks: ...").
[[nodiscard]] std::vector<std::string> CheckRunConfig(const AppConfig& config);

// The same for `cxpulse outreach`: someone can be the rep (outreach.reps or
// outreach.identity_header); outreach.listen can be bound; both outreach topics and
// kafka.topics.clicks have legal names and kafka.group_id is set (/customers/{id} finds the
// processors through them); kafka.bootstrap_servers and every librdkafka property as for run;
// the routes (SPEC §8: ValidateRouting: a url that is not http(s), a route that can never
// match), the notify dead-letter topic's name, and every configured endpoint and
// notify.public_url are http(s).
// `outreach --dry-run` reports exactly these and `outreach` checks them before it binds a port or
// connects.
[[nodiscard]] std::vector<std::string> CheckOutreachConfig(const AppConfig& config);

}  // namespace cx
