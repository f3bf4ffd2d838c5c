#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/config/kafka_config.h"
#include "runtime/http/http_alert_feed.h"
#include "runtime/http/http_server.h"
#include "runtime/metrics/metrics_probe.h"
#include "schemas/result.h"

namespace cx {

class LiveProcessor;

// The processor's HTTP side in one object: the Prometheus probe and the recent-alert feed
// (both registered as observers of `processor`) and the HTTP server (SPEC §6) that serves them,
// /customers/{id} through LiveProcessor::RequestCustomer and the outreach page.
//
//   LiveProcessor processor(config, clock);
//   LiveServices services(config.http, processor);   // before processor.Run()
//   if (!services.Start()) ...                         // /healthz answers from here on
//   processor.Start(); processor.Run(stop);
//   services.Stop();                                  // after Run() returned
//
// The processor must outlive this object. Construct it before Run() (it adds observers).
class LiveServices {
 public:
  LiveServices(const HttpConfig& http, LiveProcessor& processor);
  ~LiveServices();
  LiveServices(const LiveServices&) = delete;
  LiveServices& operator=(const LiveServices&) = delete;

  // Binds http.listen and starts serving. The one-line reason when it cannot.
  [[nodiscard]] Result<void> Start();
  // Stops serving (idempotent; also done by the destructor).
  void Stop();

  // The bound HTTP port (0 before Start()).
  [[nodiscard]] uint16_t port() const { return server_->port(); }
  [[nodiscard]] MetricsProbe& metrics() { return *metrics_; }
  [[nodiscard]] AlertFeed& alerts() { return *alerts_; }

 private:
  std::unique_ptr<MetricsProbe> metrics_;
  std::unique_ptr<AlertFeed> alerts_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace cx
