#include <csignal>

#include <atomic>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/live_services.h"
#include "runtime/kafka/live_processor.h"

namespace cx {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnStopSignal(int) { g_stop.store(true); }

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

}  // namespace

const std::atomic<bool>& StopRequested() { return g_stop; }

void InstallStopSignalHandlers() { InstallStopHandlers(); }

void RequestStop() { g_stop.store(true); }

int RunLiveCommand(const RunFlags& flags, const AppConfig& config, const Clock& clock) {
  if (flags.dry_run) {
    std::printf("config ok: %s (group %s, %s, state in %s)\n", flags.config_path.c_str(),
                config.kafka.group_id.c_str(),
                config.kafka.processing == ProcessingGuarantee::kExactlyOnce ? "exactly_once"
                                                                             : "at_least_once",
                config.state.dir.empty() ? "<unset>" : config.state.dir.c_str());
    if (config.state.dir.empty()) {
      std::fprintf(stderr, "cxpulse: %s: state.dir is required for cxpulse run\n",
                   flags.config_path.c_str());
      return kExitUsage;
    }
    return kExitOk;
  }
  InstallStopHandlers();
  LiveProcessor processor(config, clock);
  LiveServices services(config.http, processor);
  std::string error;
  if (!services.Start(error)) {
    std::fprintf(stderr, "cxpulse: run: %s\n", error.c_str());
    return kExitFailure;
  }
  if (!processor.Start(error)) {
    std::fprintf(stderr, "cxpulse: run: %s\n", error.c_str());
    return kExitFailure;
  }
  bool ok = processor.Run(g_stop, error);
  services.Stop();
  if (!ok) {
    std::fprintf(stderr, "cxpulse: run: %s\n", error.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cx
