#include "runtime/cli/live_services.h"

#include <utility>

#include "runtime/kafka/live_processor.h"

namespace cx {

LiveServices::LiveServices(const HttpConfig& http, LiveProcessor& processor)
    : metrics_(std::make_unique<MetricsProbe>(&processor.status(), processor.rules().risk)),
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
  server_ = std::make_unique<HttpServer>(std::move(options), std::move(backend));
}

LiveServices::~LiveServices() { Stop(); }

Result<void> LiveServices::Start() { return server_->Start(); }

void LiveServices::Stop() { server_->Stop(); }

}  // namespace cx
