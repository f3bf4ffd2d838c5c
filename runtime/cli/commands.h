#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "generate/generator.h"
#include "runtime/config/config.h"
#include "runtime/replay/replay.h"
#include "runtime/shard/clock.h"

namespace cx {

// Flag checks with messages in the user's words ("expected a whole number from 1 to 10000000,
// got 'abc'"), for every numeric flag.
[[nodiscard]] CLI::Validator WholeNumberIn(uint64_t min, uint64_t max);
[[nodiscard]] CLI::Validator RatioCheck();

// `cxpulse replay`: runs RunReplay with the config applied and prints a summary to stderr.
int RunReplayCommand(ReplayOptions options, const AppConfig& config, const Clock& clock);
// Sets the rules and state options of a replay from the config.
void ApplyConfig(const AppConfig& config, ReplayOptions& options);

struct ReasonsFlags {
  std::string input;
  std::string format = "text";
};
void AddReasonsFlags(CLI::App& command, ReasonsFlags& flags);
// `cxpulse reasons`: replays a JSON Lines file without writing anything and prints the contact
// reasons report (SPEC §9) to stdout.
int RunReasonsCommand(const ReasonsFlags& flags, const AppConfig& config, const Clock& clock);

struct GenerateFlags {
  GeneratorOptions options;
  std::string start;  // RFC 3339; empty keeps the generator's default
  std::string span;   // duration such as 24h
  std::string output = "-";
};
void AddGenerateFlags(CLI::App& command, GenerateFlags& flags);
// `cxpulse generate`: writes the synthetic traffic as JSON Lines.
int RunGenerateCommand(const GenerateFlags& flags);

struct RunFlags {
  std::string config_path;
  bool dry_run = false;
};
// `cxpulse run`: the live processor until SIGTERM/SIGINT. --dry-run only validates the config.
int RunLiveCommand(const RunFlags& flags, const AppConfig& config, const Clock& clock);

// Raised by SIGTERM/SIGINT once InstallStopSignalHandlers() ran, or by RequestStop().
const std::atomic<bool>& StopRequested();
void InstallStopSignalHandlers();
void RequestStop();

struct OutreachFlags {
  std::string config_path;
  bool dry_run = false;
};
// `cxpulse outreach`: the case service (SPEC §7) until SIGTERM/SIGINT. --dry-run only
// validates the config.
int RunOutreachCommand(const OutreachFlags& flags, const AppConfig& config, const Clock& clock);

struct DemoFlags {
  std::string duration;  // empty: until Ctrl-C
  uint64_t customers = 3000;
  double struggle_ratio = 0.35;
  uint64_t seed = 1;
  std::string http_listen = "127.0.0.1:9464";
};
void AddDemoFlags(CLI::App& command, DemoFlags& flags);
// `cxpulse demo`: an embedded broker, live generated traffic, the processor and a terminal view.
int RunDemoCommand(const DemoFlags& flags, AppConfig config, const Clock& clock);

struct StateGetFlags {
  std::string state_dir;
  std::string customer_id;
};
// `cxpulse state get`: prints one customer's state as JSON; exit 1 with a message if unknown.
int RunStateGetCommand(const StateGetFlags& flags, const AppConfig& config);

}  // namespace cx
