#include <malloc.h>

#include <csignal>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/config_check.h"
#include "runtime/cli/live_services.h"
#include "runtime/config/processing_threads.h"
#include "runtime/kafka/processor_group.h"

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

// glibc's malloc, left alone, gives each of up to 8 x cores threads its own arena and raises its
// mmap threshold up to 32 MiB after the first large free: librdkafka's fetch buffers (allocated
// on its broker threads, freed on the processing thread) and RocksDB's blocks then land in
// arenas whose freed space stays resident. Draining 100 k customers, that free-but-resident
// heap was about half the peak RSS (bench/RESULTS.md, "Memory breakdown"). Two arenas and a
// fixed 128 KiB mmap threshold (large blocks go back to the system when freed) keep it small.
// This matters only for a binary built on glibc's malloc (CXPULSE_JEMALLOC=OFF, sanitizer
// builds); the default build's malloc is jemalloc, which these calls do not touch.
// Called before any thread starts. An operator's own MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_
// or GLIBC_TUNABLES in the environment wins: then glibc's settings are left as they are.
void LimitHeapSlack() {
  for (const char* name : {"MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"}) {
    if (std::getenv(name) != nullptr) {
      return;
    }
  }
  constexpr int kArenas = 2;
  constexpr int kMmapThresholdBytes = 128 << 10;
  mallopt(M_ARENA_MAX, kArenas);
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
}

}  // namespace

const std::atomic<bool>& StopRequested() { return g_stop; }

void InstallStopSignalHandlers() { InstallStopHandlers(); }

void RequestStop() { g_stop.store(true); }

int RunLiveCommand(const RunFlags& flags, const AppConfig& config, const Clock& clock) {
  // The same check with and without --dry-run, before anything binds a port or connects.
  std::vector<std::string> invalid = CheckRunConfig(config);
  for (std::string& line : invalid) {
    line.insert(0, flags.config_path + ": ");
  }
  if (!invalid.empty()) {
    return UsageError("run", invalid);
  }
  const int threads = AvailableProcessingThreads(config.processing.threads);
  if (flags.dry_run) {
    std::printf(
        "config ok: %s (group %s, %s, %d processing thread%s%s, state in %s, brokers %s, http "
        "%s)\n",
        flags.config_path.c_str(), config.kafka.group_id.c_str(),
        config.kafka.processing == ProcessingGuarantee::kExactlyOnce ? "exactly_once"
                                                                     : "at_least_once",
        threads, threads == 1 ? "" : "s", config.processing.threads == 0 ? " (auto)" : "",
        config.state.dir.c_str(), config.kafka.bootstrap_servers.c_str(),
        config.http.listen.c_str());
    return kExitOk;
  }
  InstallStopHandlers();
  LimitHeapSlack();
  ProcessorGroup processor(config, clock, threads);
  LiveServices services(config.http, processor);
  Result<void> ok = services.Start();
  if (ok) {
    if (Result<void> routed = services.RouteCustomers(config, clock); !routed) {
      std::fprintf(stderr, "cxpulse: run: %s\n", routed.error().message().c_str());
      return kExitFailure;
    }
    ok = processor.Start();
  }
  if (ok) {
    ok = processor.Run(g_stop);
    services.Stop();
  }
  if (!ok) {
    std::fprintf(stderr, "cxpulse: run: %s\n", ok.error().message().c_str());
    if (processor.abandoned()) {
      // A processing thread is still blocked in the Kafka client and uses the processor and
      // the services' observers: nothing may be destroyed under it. Like a kill -9 for
      // exactly-once: its open transaction is aborted, its events processed again.
      spdlog::default_logger()->flush();
      std::fflush(nullptr);
      std::_Exit(kExitFailure);
    }
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cx
