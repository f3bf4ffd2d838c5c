#include "runtime/http/customer_router.h"

#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/http/http_request_checks.h"

namespace cx {

std::optional<HttpReply> LocalReply(LocalAnswer answer) {
  switch (answer.kind) {
    case LocalCustomer::kFound:
      return HttpReply{200, std::move(answer.json)};
    case LocalCustomer::kNotFound:
      return JsonErrorReply(404, "unknown customer");
    case LocalCustomer::kNotOwned:
      break;
  }
  return std::nullopt;
}

std::string AdvertisedAddress(const std::string& advertised, const std::string& listen,
                              const std::string& hostname, uint16_t port) {
  if (!advertised.empty()) return advertised;
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? std::string() : listen.substr(0, colon);
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") host = hostname;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

Result<void> CheckAdvertisedAddress(const std::string& address) {
  const std::string key = "http.advertised_address: ";
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Err(key + "expected host:port such as 10.0.0.7:9464, got '" + address + "'");
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) < 1 ||
      std::stoul(port) > 65535) {
    return Err(key + "port '" + port + "' is not a port from 1 to 65535");
  }
  bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  const char* allowed = bracketed ? "0123456789abcdefABCDEF:.[]"
                                  : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789.-_";
  if (host.find_first_not_of(allowed) != std::string::npos ||
      (!bracketed && host.find_first_of("[]") != std::string::npos)) {
    return Err(key + "host '" + host + "' is not a host name or IP address");
  }
  return Ok();
}

CustomerRouter::CustomerRouter(CustomerRouterOptions options, LocalLookup local,
                               FindOwner find_owner, std::function<void()> forget_owners,
                               HttpClient& client)
    : options_(std::move(options)),
      local_(std::move(local)),
      find_owner_(std::move(find_owner)),
      forget_owners_(std::move(forget_owners)),
      client_(client) {}

void CustomerRouter::Lookup(CustomerQuery query, std::function<void(HttpReply)> reply) const {
  if (!local_) {
    Forward(std::move(query), std::move(reply));
    return;
  }
  std::string id = query.customer_id;
  local_(std::move(id),
         [this, query = std::move(query), reply = std::move(reply)](LocalAnswer answer) mutable {
           if (std::optional<HttpReply> local = LocalReply(std::move(answer))) {
             reply(std::move(*local));
           } else {
             Forward(std::move(query), std::move(reply));
           }
         });
}

void CustomerRouter::Forward(CustomerQuery query, std::function<void(HttpReply)> reply) const {
  if (query.forwarded) {
    reply(JsonErrorReply(
        503, "this instance does not own the customer's partition (a rebalance is in progress)"));
    return;
  }
  std::string id = query.customer_id;
  find_owner_(std::move(id), [this, query = std::move(query),
                              reply = std::move(reply)](const OwnerAddress& owner) mutable {
    if (owner.address.empty()) {
      reply(JsonErrorReply(503, "owner unknown: " + owner.problem));
    } else if (owner.address == options_.self_address) {
      forget_owners_();
      reply(JsonErrorReply(503,
                           "the consumer group still names this instance as the owner of the "
                           "customer's partition (a rebalance is in progress)"));
    } else {
      Send(query, owner.address, std::move(reply));
    }
  });
}

void CustomerRouter::Send(const CustomerQuery& query, const std::string& address,
                          std::function<void(HttpReply)> reply) const {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!options_.bearer_token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  } else if (!query.authorization.empty()) {
    headers.emplace_back("Authorization", query.authorization);
  }
  headers.emplace_back(std::string(kForwardedHeader), "1");
  if (!query.caller.empty()) headers.emplace_back(std::string(kCallerHeader), query.caller);
  spdlog::debug("customers: {} forwarded to {}", query.customer_id, address);
  client_.Get(
      address, "/customers/" + EncodePathSegment(query.customer_id), std::move(headers),
      options_.forward_timeout, [this, address, reply = std::move(reply)](HttpClientResult result) {
        if (result.status == 200 || result.status == 404) {
          reply({result.status, std::move(result.body)});
          return;
        }
        forget_owners_();
        if (result.status == 0) {
          spdlog::debug("customers: owner {} unreachable: {}", address, result.error);
          reply(JsonErrorReply(
              503, fmt::format("the owner at {} is unreachable: {}", address, result.error)));
        } else if (result.status == 503) {
          reply({503, std::move(result.body)});
        } else {
          reply(JsonErrorReply(502,
                               fmt::format("the owner at {} answered {}", address, result.status)));
        }
      });
}

}  // namespace cx
