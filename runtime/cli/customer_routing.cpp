#include "runtime/cli/customer_routing.h"

#include <unistd.h>

#include <utility>

namespace cx {

CustomerRouting::CustomerRouting(const AppConfig& config, std::string self_address,
                                 CustomerRouter::LocalLookup local, const Clock& clock)
    : directory_(std::make_unique<GroupDirectory>(config.kafka, clock)),
      client_(std::make_unique<HttpClient>()) {
  CustomerRouterOptions options;
  options.self_address = std::move(self_address);
  options.bearer_token = config.http.bearer_token;
  GroupDirectory* directory = directory_.get();
  router_ = std::make_unique<CustomerRouter>(
      std::move(options), std::move(local),
      [directory](std::string customer_id, std::function<void(OwnerAddress)> done) {
        directory->FindOwner(std::move(customer_id), [done = std::move(done)](OwnerLookup found) {
          done({std::move(found.address), std::move(found.problem)});
        });
      },
      [directory] { directory->Invalidate(); }, *client_);
}

CustomerRouting::~CustomerRouting() {
  directory_->Stop();
  client_.reset();
}

Result<void> CustomerRouting::Start() { return directory_->Start(); }

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace cx
