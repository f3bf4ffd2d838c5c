#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/config_check.h"
#include "runtime/cli/customer_routing.h"
#include "runtime/config/routing_table.h"
#include "runtime/http/http_request_checks.h"
#include "runtime/http/http_server.h"
#include "runtime/notify/alert_notifier.h"
#include "runtime/outreach/outreach_api.h"
#include "runtime/outreach/outreach_service.h"

namespace cx {
namespace {

// GET /customers/{id} for a rep (the same identity as /cases): forwarded to the processor that
// owns the customer's partition, with the rep named in kCallerHeader.
void ServeCustomer(const OutreachConfig& outreach, const CustomerRouting& customers,
                   const HttpRequest& request, std::function<void(HttpReply)> reply) {
  if (request.method != "GET" && request.method != "HEAD") {
    reply(JsonErrorReply(405, "only GET and HEAD"));
    return;
  }
  CustomerQuery query;
  query.caller = ResolveRep(outreach, request.authorization, request.identity);
  if (query.caller.empty()) {
    reply(JsonErrorReply(401, "no rep identity: send a rep's bearer token" +
                                  (outreach.identity_header.empty()
                                       ? std::string()
                                       : " or the " + outreach.identity_header + " header")));
    return;
  }
  std::optional<std::string> id = DecodeCustomerId(
      std::string_view(request.path).substr(std::string_view("/customers/").size()));
  if (!id) {
    reply(JsonErrorReply(400,
                         "customer id must be 1-128 printable characters (percent-encoded UTF-8)"));
    return;
  }
  query.customer_id = std::move(*id);
  query.authorization = request.authorization;
  customers.Lookup(std::move(query), std::move(reply));
}

}  // namespace

int RunOutreachCommand(const OutreachFlags& flags, const AppConfig& config, const Clock& clock) {
  const OutreachConfig& outreach = config.outreach;
  // The same check with and without --dry-run, before anything binds a port or connects.
  std::vector<std::string> invalid = CheckOutreachConfig(config);
  for (std::string& line : invalid) {
    line.insert(0, flags.config_path + ": ");
  }
  if (!invalid.empty()) {
    return UsageError("outreach", invalid);
  }
  if (flags.dry_run) {
    std::printf("config ok: %s (outreach: %s + %s, brokers %s, %zu reps%s, listen %s)\n",
                flags.config_path.c_str(), outreach.alerts_topic.c_str(),
                outreach.commands_topic.c_str(), config.kafka.bootstrap_servers.c_str(),
                outreach.reps.size(),
                outreach.identity_header.empty()
                    ? ""
                    : (", identity header " + outreach.identity_header).c_str(),
                outreach.listen.c_str());
    for (const std::string& line : FormatRoutingTable(config)) std::printf("%s\n", line.c_str());
    return kExitOk;
  }
  InstallStopSignalHandlers();
  // Before the server, so that it is destroyed after the server stopped.
  CustomerRouting customers(config, std::string(), nullptr, clock);
  if (Result<void> started = customers.Start(); !started) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  OutreachService service(config, clock);
  AlertNotifier notifier(config, clock);
  service.SetEscalationSink([&notifier](const std::vector<Escalation>& escalations) {
    notifier.OnEscalations(escalations);
  });
  HttpServerOptions options;
  options.listen = outreach.listen;
  options.identity_header = outreach.identity_header;
  options.lookup_timeout = std::chrono::milliseconds(outreach.command_timeout.ms + 2000);
  HttpBackend backend;
  backend.ready = [&service] { return service.Ready(); };
  backend.metrics = [&service, &notifier] { return service.Metrics() + notifier.Metrics(); };
  backend.handle = [&service, &customers, &outreach](const HttpRequest& request,
                                                     std::function<void(HttpReply)> reply) {
    if (request.path.starts_with("/customers/")) {
      ServeCustomer(outreach, customers, request, std::move(reply));
      return true;
    }
    return service.Handle(request, std::move(reply));
  };
  backend.alerts = &service.Alerts();
  backend.case_events = &service.CaseEvents();
  HttpServer server(options, backend);
  if (Result<void> started = server.Start(); !started) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  spdlog::info("outreach: serving on port {}", server.port());
  if (Result<void> started = notifier.Start(); !started) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  if (Result<void> started = service.Start(); !started) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  while (!StopRequested().load() && !service.Failed() && !notifier.Failed()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.Stop();
  service.Stop();
  notifier.Stop();
  if (service.Failed() || notifier.Failed()) {
    std::fprintf(stderr, "cxpulse: outreach: fatal Kafka client error\n");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cx
