#include "runtime/cli/live_services.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "runtime/kafka/processor_group.h"
#include "runtime/outreach/outreach_service.h"

namespace cx {
namespace {

LocalCustomer ToLocal(LiveProcessor::CustomerAnswer::Kind kind) {
  switch (kind) {
    case LiveProcessor::CustomerAnswer::Kind::kFound:
      return LocalCustomer::kFound;
    case LiveProcessor::CustomerAnswer::Kind::kNotFound:
      return LocalCustomer::kNotFound;
    case LiveProcessor::CustomerAnswer::Kind::kNotOwned:
      break;
  }
  return LocalCustomer::kNotOwned;
}

}  // namespace

LiveServices::LiveServices(const HttpConfig& http, ProcessorGroup& processor,
                           OutreachService* outreach)
    : metrics_(std::make_unique<MetricsProbe>(&processor.status(), processor.rules().risk,
                                              processor.reasons().known)),
      alerts_(std::make_unique<AlertFeed>(http.recent_alerts)),
      processor_(processor) {
  processor.AddObserver(metrics_.get());
  processor.AddObserver(alerts_.get());
  local_ = [&processor](std::string id, std::function<void(LocalAnswer)> done) {
    processor.RequestCustomer(std::move(id),
                              [done = std::move(done)](LiveProcessor::CustomerAnswer answer) {
                                done({ToLocal(answer.kind), std::move(answer.json)});
                              });
  };
  HttpServerOptions options;
  options.listen = http.listen;
  options.bearer_token = http.bearer_token;
  HttpBackend backend;
  const LiveStatus* status = &processor.status();
  backend.ready = [status] { return status->ready.load(); };
  backend.metrics = [probe = metrics_.get()] { return probe->Serialize(); };
  backend.lookup_customer = [this](CustomerQuery query, std::function<void(HttpReply)> reply) {
    if (const CustomerRouting* routing = routing_ready_.load()) {
      routing->Lookup(std::move(query), std::move(reply));
      return;
    }
    local_(std::move(query.customer_id), [reply = std::move(reply)](LocalAnswer answer) {
      std::optional<HttpReply> local = LocalReply(std::move(answer));
      reply(local ? std::move(*local)
                  : JsonErrorReply(503, "the customer's partition is not assigned here"));
    });
  };
  backend.alerts = alerts_.get();
  if (outreach != nullptr) {
    // A command is answered once read back (outreach.command_timeout), then the server's 503.
    options.lookup_timeout =
        std::max(options.lookup_timeout,
                 std::chrono::milliseconds(outreach->config().command_timeout.ms + 2000));
    options.identity_header = outreach->config().identity_header;
    backend.ready = [status, outreach] { return status->ready.load() && outreach->Ready(); };
    backend.alerts = &outreach->Alerts();
    backend.case_events = &outreach->CaseEvents();
    backend.metrics = [probe = metrics_.get(), outreach] {
      return probe->Serialize() + outreach->Metrics();
    };
    backend.handle = [outreach](const HttpRequest& request, std::function<void(HttpReply)> reply) {
      return outreach->Handle(request, std::move(reply));
    };
  }
  server_ = std::make_unique<HttpServer>(std::move(options), std::move(backend));
}

LiveServices::~LiveServices() { Stop(); }

Result<void> LiveServices::Start() { return server_->Start(); }

Result<void> LiveServices::RouteCustomers(const AppConfig& config, const Clock& clock) {
  std::string address = AdvertisedAddress(config.http.advertised_address, config.http.listen,
                                          HostName(), server_->port());
  processor_.AdvertiseHttpAddress(address);
  routing_ = std::make_unique<CustomerRouting>(config, address, local_, clock);
  if (Result<void> started = routing_->Start(); !started) {
    routing_.reset();
    return started;
  }
  routing_ready_.store(routing_.get());
  spdlog::info("run: advertising http at {} for /customers lookups of other instances", address);
  return Ok();
}

void LiveServices::Stop() {
  server_->Stop();
  routing_ready_.store(nullptr);
  routing_.reset();
}

}  // namespace cx
