#include "runtime/cli/cli.h"

#include <cstdio>
#include <string>

#include <fmt/core.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "runtime/cli/commands.h"
#include "runtime/config/config.h"
#include "runtime/shard/clock.h"

namespace cx {
namespace {

void SetUpLogging(bool quiet, bool verbose) {
  auto logger = spdlog::stderr_color_mt("cxpulse");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(quiet ? spdlog::level::warn
                          : (verbose ? spdlog::level::debug : spdlog::level::info));
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "cxpulse: %s (see 'cxpulse --help')\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"cxpulse — real-time customer-experience signals from Kafka event streams",
               "cxpulse"};
  app.set_version_flag("--version", std::string("cxpulse ") + CXPULSE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  bool quiet = false;
  bool verbose = false;
  app.add_flag("-q,--quiet", quiet, "Log warnings and errors only");
  app.add_flag("-v,--verbose", verbose, "Log debug detail (may include customer ids)");

  std::string config_path;
  ReplayOptions replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Process a JSON Lines file in order and write alerts, signals and dead letters");
  replay_cmd->add_option("--input", replay.input, "JSON Lines input file ('-' = stdin)")
      ->required();
  replay_cmd->add_option("--output", replay.output, "Alerts as JSON Lines ('-' = stdout)")
      ->capture_default_str();
  replay_cmd->add_option("--signals", replay.signals, "Derived signals as JSON Lines");
  replay_cmd->add_option("--dead-letter", replay.dead_letter, "Rejected lines as JSON Lines");
  replay_cmd->add_option("--config", config_path, "YAML config (rules and state)")
      ->check(CLI::ExistingFile);
  replay_cmd->add_option("--state-dir", replay.state_dir,
                         "Keep per-customer state here between runs (default: temporary)");

  RunFlags run;
  CLI::App* run_cmd = app.add_subcommand("run", "The live Kafka processor (until SIGTERM)");
  run_cmd->add_option("--config", run.config_path, "YAML config (kafka, state, rules, http)")
      ->required()
      ->check(CLI::ExistingFile);
  run_cmd->add_flag("--dry-run", run.dry_run, "Validate the config and exit");

  OutreachFlags outreach;
  CLI::App* outreach_cmd = app.add_subcommand(
      "outreach", "The outreach case service: /cases from cx.alerts + cx.outreach (SIGTERM)");
  outreach_cmd->add_option("--config", outreach.config_path, "YAML config (kafka, outreach)")
      ->required()
      ->check(CLI::ExistingFile);
  outreach_cmd->add_flag("--dry-run", outreach.dry_run, "Validate the config and exit");

  DemoFlags demo;
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Everything in one process: embedded broker, live traffic, processor, live alerts");
  AddDemoFlags(*demo_cmd, demo);

  GenerateFlags generate;
  CLI::App* generate_cmd = app.add_subcommand(
      "generate",
      "Write realistic synthetic traffic (smooth and struggling journeys) as JSON Lines");
  AddGenerateFlags(*generate_cmd, generate);

  StateGetFlags state_get;
  CLI::App* state_cmd = app.add_subcommand("state", "Inspect per-customer state");
  state_cmd->require_subcommand(1);
  CLI::App* state_get_cmd =
      state_cmd->add_subcommand("get", "Print one customer's current state as JSON");
  state_get_cmd->add_option("--state-dir", state_get.state_dir, "State directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  state_get_cmd->add_option("customer_id", state_get.customer_id, "Customer id")->required();
  state_get_cmd->add_option("--config", config_path, "YAML config (for the rules' windows)")
      ->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      return app.exit(e);
    }
    return UsageError(e.what());
  }
  SetUpLogging(quiet, verbose);

  if (run_cmd->parsed()) {
    config_path = run.config_path;
  }
  if (outreach_cmd->parsed()) {
    config_path = outreach.config_path;
  }
  AppConfig config;
  if (!config_path.empty()) {
    std::string error;
    if (!LoadConfigFile(config_path, config, error)) {
      return UsageError(error);
    }
  }
  SystemClock clock;
  if (replay_cmd->parsed()) {
    return RunReplayCommand(replay, config, clock);
  }
  if (run_cmd->parsed()) {
    return RunLiveCommand(run, config, clock);
  }
  if (outreach_cmd->parsed()) {
    return RunOutreachCommand(outreach, config, clock);
  }
  if (demo_cmd->parsed()) {
    return RunDemoCommand(demo, config, clock);
  }
  if (generate_cmd->parsed()) {
    return RunGenerateCommand(generate);
  }
  if (state_get_cmd->parsed()) {
    return RunStateGetCommand(state_get, config);
  }
  return UsageError("no command given");
}

}  // namespace cx
