#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/cli/customer_routing.h"
#include "runtime/config/kafka_config.h"
#include "runtime/http/http_alert_feed.h"
#include "runtime/http/http_server.h"
#include "runtime/metrics/metrics_probe.h"
#include "schemas/result.h"

namespace cx {

class ProcessorGroup;
class OutreachService;

// The processor's HTTP side in one object: the Prometheus probe and the recent-alert feed
// (both registered as observers of `processor`) and the HTTP server (SPEC §6) that serves them,
// /customers/{id} through ProcessorGroup::RequestCustomer and the outreach page.
//
//   ProcessorGroup processor(config, clock, threads);
//   LiveServices services(config.http, processor);   // before processor.Start()
//   if (!services.Start()) ...                         // /healthz answers from here on
//   if (!services.RouteCustomers(config, clock)) ...          // optional, before Start below
//   processor.Start(); processor.Run(stop);
//   services.Stop();                                  // after Run() returned
//
// Without RouteCustomers(), /customers/{id} of a partition not assigned here answers 503.
//
// The processor must outlive this object. Construct it before the processor's Start() (it adds
// observers).
//
// With `outreach` (`cxpulse demo`), the same port also serves the outreach service's /cases
// routes (rep identity and answers as in `cxpulse outreach`), /readyz is ready once both are,
// and /metrics holds both metric sets. `outreach` must outlive this object.
class LiveServices {
 public:
  LiveServices(const HttpConfig& http, ProcessorGroup& processor,
               OutreachService* outreach = nullptr);
  ~LiveServices();
  LiveServices(const LiveServices&) = delete;
  LiveServices& operator=(const LiveServices&) = delete;

  // Binds http.listen and starts serving. The one-line reason when it cannot.
  [[nodiscard]] Result<void> Start();
  // Stops serving (idempotent; also done by the destructor).
  void Stop();
  // /customers/{id} on every instance: a customer whose partition is assigned to another member
  // of the consumer group is forwarded there (CustomerRouting), and this instance advertises
  // its address (http.advertised_address, or derived from http.listen, the hostname and the
  // bound port) in its group consumer's client.id. Call once, after Start() and before the
  // processor's Start(). The one-line reason on failure.
  [[nodiscard]] Result<void> RouteCustomers(const AppConfig& config, const Clock& clock);

  // The bound HTTP port (0 before Start()).
  [[nodiscard]] uint16_t port() const { return server_->port(); }
  [[nodiscard]] MetricsProbe& metrics() { return *metrics_; }
  [[nodiscard]] AlertFeed& alerts() { return *alerts_; }

 private:
  std::unique_ptr<MetricsProbe> metrics_;
  std::unique_ptr<AlertFeed> alerts_;
  ProcessorGroup& processor_;
  CustomerRouter::LocalLookup local_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<CustomerRouting> routing_;
  // routing_ once RouteCustomers() set it up; read by the HTTP thread.
  std::atomic<const CustomerRouting*> routing_ready_{nullptr};
};

}  // namespace cx
