#pragma once

#include <functional>
#include <memory>
#include <string>

#include "runtime/config/config.h"
#include "runtime/http/customer_router.h"
#include "runtime/http/http_client.h"
#include "runtime/kafka/group_directory.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// /customers/{id} on any instance of a deployment, wired: the consumer group directory of the
// processors (kafka.group_id over kafka.topics.clicks, GroupDirectory), the HTTP client that
// forwards (HttpClient) and the CustomerRouter between them. Used by `cxpulse run` (with its
// processor as `local`) and `cxpulse outreach` (no `local`: every lookup is forwarded).
//
//   CustomerRouting routing(config, self_address, local, clock);
//   if (Result<void> started = routing.Start(); !started) ...
//   backend.lookup_customer = [&routing](CustomerQuery q, auto reply) { routing.Lookup(...); };
//
// Destroy it after the HTTP server stopped: it stops the directory, then the client (each
// answering what is still in flight), then the router.
class CustomerRouting {
 public:
  CustomerRouting(const AppConfig& config, std::string self_address,
                  CustomerRouter::LocalLookup local, const Clock& clock);
  ~CustomerRouting();
  CustomerRouting(const CustomerRouting&) = delete;
  CustomerRouting& operator=(const CustomerRouting&) = delete;

  // Starts the directory's client and thread. The one-line reason on failure.
  [[nodiscard]] Result<void> Start();
  // CustomerRouter::Lookup. Thread-safe.
  void Lookup(CustomerQuery query, std::function<void(HttpReply)> reply) const {
    router_->Lookup(std::move(query), std::move(reply));
  }

 private:
  std::unique_ptr<GroupDirectory> directory_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<CustomerRouter> router_;
};

// The hostname of this machine (the pod name on Kubernetes); "localhost" when unknown.
[[nodiscard]] std::string HostName();

}  // namespace cx
