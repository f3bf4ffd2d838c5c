#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/config_check.h"
#include "runtime/http/http_server.h"
#include "runtime/outreach/outreach_service.h"

namespace cx {

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
    return kExitOk;
  }
  InstallStopSignalHandlers();
  OutreachService service(config, clock);
  HttpServerOptions options;
  options.listen = outreach.listen;
  options.identity_header = outreach.identity_header;
  options.lookup_timeout = std::chrono::milliseconds(outreach.command_timeout.ms + 2000);
  HttpBackend backend;
  backend.ready = [&service] { return service.Ready(); };
  backend.metrics = [&service] { return service.Metrics(); };
  backend.handle = [&service](const HttpRequest& request, std::function<void(HttpReply)> reply) {
    return service.Handle(request, std::move(reply));
  };
  HttpServer server(options, backend);
  if (Result<void> started = server.Start(); !started) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  spdlog::info("outreach: serving on port {}", server.port());
  std::string error;
  if (!service.Start(error)) {
    std::fprintf(stderr, "cxpulse: outreach: %s\n", error.c_str());
    return kExitFailure;
  }
  while (!StopRequested().load() && !service.Failed()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.Stop();
  service.Stop();
  if (service.Failed()) {
    std::fprintf(stderr, "cxpulse: outreach: fatal Kafka client error\n");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cx
