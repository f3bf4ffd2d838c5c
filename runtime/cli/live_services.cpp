#include "runtime/cli/live_services.h"

#include <algorithm>
#include <utility>

#include "runtime/kafka/live_processor.h"
#include "runtime/outreach/outreach_service.h"

namespace cx {

LiveServices::LiveServices(const HttpConfig& http, LiveProcessor& processor,
                           OutreachService* outreach)
    : metrics_(std::make_unique<MetricsProbe>(&processor.status(), processor.rules().risk,
                                               processor.reasons().known)),
      alerts_(std::make_unique<AlertFeed>(http.recent_alerts)) {
  processor.AddObserver(metrics_.get());
  processor.AddObserver(alerts_.get());
  HttpServerOptions options;
  options.listen = http.listen;
  options.bearer_token = http.bearer_token;
  HttpBackend backend;
  const LiveStatus* status = &processor.status();
  backend.ready = [status] { return status->ready.load(); };
  backend.metrics = [probe = metrics_.get()] { return probe->Serialize(); };
  backend.lookup_customer = [&processor](std::string id, HttpBackend::CustomerReply reply) {
    processor.RequestCustomer(std::move(id), std::move(reply));
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

bool LiveServices::Start(std::string& error) { return server_->Start(error); }

void LiveServices::Stop() { server_->Stop(); }

}  // namespace cx
