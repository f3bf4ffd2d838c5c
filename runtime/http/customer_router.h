#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "runtime/http/http_client.h"
#include "runtime/http/http_server.h"
#include "schemas/result.h"

namespace cx {

// What this instance's own processor knows about a customer.
enum class LocalCustomer : uint8_t {
  kFound,     // `json` is its state
  kNotFound,  // its partition is assigned here and has no state for it
  kNotOwned,  // its partition is not assigned here
};
struct LocalAnswer {
  LocalCustomer kind = LocalCustomer::kNotOwned;
  std::string json;
};

// Where the owner of a customer's partition serves HTTP, or why that is not known.
struct OwnerAddress {
  std::string address;  // "host:port"; "" when unknown
  std::string problem;  // one line without the customer id, when `address` is empty
};

// The reply for a local answer: 200 with the state, 404 unknown customer; nullopt when the
// partition is not assigned here (kNotOwned).
[[nodiscard]] std::optional<HttpReply> LocalReply(LocalAnswer answer);

// This instance's address for the others: `advertised` when set, else the host of `listen` --
// `hostname` when `listen` is on every address (0.0.0.0, ::, or no host) -- with `port` (the
// bound port). An IPv6 host is put in brackets.
[[nodiscard]] std::string AdvertisedAddress(const std::string& advertised,
                                            const std::string& listen, const std::string& hostname,
                                            uint16_t port);
// Success when `address` (http.advertised_address) is "host:port" with a port from 1 to 65535
// and a host of letters, digits, '.', '-' and '_' (or an IPv6 address in brackets); else the
// one-line reason, naming the key.
[[nodiscard]] Result<void> CheckAdvertisedAddress(const std::string& address);

struct CustomerRouterOptions {
  // This instance's http.advertised_address: a group view naming it while the local processor
  // does not own the partition is stale (a rebalance in progress), never a forward target.
  std::string self_address;
  // When set, the forwarded request carries "Authorization: Bearer <token>" (the token every
  // processor checks); otherwise the caller's Authorization header as it came.
  std::string bearer_token;
  // How long the owner has to answer a forwarded request.
  std::chrono::milliseconds forward_timeout{1000};
};

// /customers/{id} on every instance (SPEC §6, §7): answered from the local processor when its
// partition is assigned here, else forwarded to the processor that owns it (found through
// `find_owner`, the consumer group), the way Kafka Streams' interactive queries route a key.
// Answers: 200 with the state (the owner's body, unchanged), 404 unknown customer, 503 with a
// one-line reason while the owner is unknown or unreachable (a rebalance), 502 when the owner
// refuses the forwarded request (e.g. 401: the instances do not share http.bearer_token).
// A forwarded request (CustomerQuery::forwarded) is answered locally or 503, never forwarded
// again, so two instances with stale views cannot bounce a request. After a failed forward
// `forget_owners` runs, so the next request looks the owner up again. Customer ids are logged
// at debug only. Thread-safe; the functions it is given must be too, and `client` must outlive
// it.
class CustomerRouter {
 public:
  using LocalLookup =
      std::function<void(std::string customer_id, std::function<void(LocalAnswer)> done)>;
  using FindOwner =
      std::function<void(std::string customer_id, std::function<void(OwnerAddress)> done)>;

  // `local` may be null (an instance without shards, `cxpulse outreach`): every lookup is
  // forwarded.
  CustomerRouter(CustomerRouterOptions options, LocalLookup local, FindOwner find_owner,
                 std::function<void()> forget_owners, HttpClient& client);

  // HttpBackend::lookup_customer. `reply` runs once, on any thread.
  void Lookup(CustomerQuery query, std::function<void(HttpReply)> reply) const;

 private:
  void Forward(CustomerQuery query, std::function<void(HttpReply)> reply) const;
  void Send(const CustomerQuery& query, const std::string& address,
            std::function<void(HttpReply)> reply) const;

  CustomerRouterOptions options_;
  LocalLookup local_;
  FindOwner find_owner_;
  std::function<void()> forget_owners_;
  HttpClient& client_;
};

}  // namespace cx
