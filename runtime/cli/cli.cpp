#include "runtime/cli/cli.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "runtime/cli/commands.h"
#include "runtime/config/config.h"
#include "runtime/config/suggest.h"
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

// "state get": the subcommand names from below the top-level app down to `command`.
std::string CommandPath(const CLI::App* command) {
  std::string path;
  for (const CLI::App* c = command; c != nullptr && c->get_parent() != nullptr;
       c = c->get_parent()) {
    path.insert(0, path.empty() ? c->get_name() : c->get_name() + " ");
  }
  return path;
}

// The subcommand the command line had reached when parsing stopped.
CLI::App* DeepestParsed(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App* s) { return s->parsed(); })) {
    return DeepestParsed(sub);
  }
  return app;
}

// Flag names of `command` and of its parents (their flags are accepted after it), without
// their leading dashes.
std::vector<std::string> FlagNames(const CLI::App* command) {
  std::vector<std::string> names;
  for (const CLI::App* c = command; c != nullptr; c = c->get_parent()) {
    for (const CLI::Option* option : c->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back(name);
      for (const std::string& name : option->get_snames()) names.push_back(name);
    }
  }
  return names;
}

std::vector<std::string> SubcommandNames(const CLI::App* command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command->get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ")) + names[i];
  }
  return text;
}

// A parse error in the words of the command line: the first argument nothing took ("unknown
// flag --inptu; did you mean --input?", "unknown command 'bogus'") comes before what CLI11
// noticed later (a required flag, a missing subcommand).
std::string DescribeParseError(CLI::App& app, CLI::App* command, const CLI::ParseError& e) {
  for (const std::string& arg : app.remaining(true)) {
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg.substr(arg.find_first_not_of('-'));
      name = name.substr(0, name.find('='));
      std::string closest = ClosestName(name, FlagNames(command));
      std::string hint;
      if (!closest.empty()) {
        hint = std::string("; did you mean ") + (closest.size() == 1 ? "-" : "--") + closest + "?";
      }
      return "unknown flag " + arg.substr(0, arg.find('=')) + hint;
    }
    std::vector<std::string> subcommands = SubcommandNames(command);
    if (!subcommands.empty()) {
      std::string closest = ClosestName(arg, subcommands);
      return "unknown command '" + arg + "'" +
             (closest.empty() ? "; expected " + JoinNames(subcommands)
                              : "; did you mean '" + closest + "'?");
    }
    return "unexpected argument '" + arg + "'";
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
      !command->get_subcommands([](const CLI::App*) { return true; }).empty() &&
      command->get_subcommands().empty()) {
    return "a command is required: " + JoinNames(SubcommandNames(command));
  }
  return e.what();
}

bool ParseWholeNumber(const std::string& text, uint64_t& value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

}  // namespace

int UsageError(std::string_view command, std::string_view message) {
  size_t start = 0;
  while (start < message.size()) {
    size_t end = std::min(message.find('\n', start), message.size());
    std::fprintf(stderr, "cxpulse: %.*s (see 'cxpulse%s%.*s --help')\n",
                 static_cast<int>(end - start), message.data() + start, command.empty() ? "" : " ",
                 static_cast<int>(command.size()), command.data());
    start = end + 1;
  }
  return kExitUsage;
}

int UsageError(std::string_view command, const std::vector<std::string>& messages) {
  for (const std::string& message : messages) {
    UsageError(command, message);
  }
  return kExitUsage;
}

CLI::Validator WholeNumberIn(uint64_t min, uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        uint64_t value = 0;
        if (!ParseWholeNumber(text, value) || value < min || value > max) {
          return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
        }
        return {};
      },
      fmt::format("{}..{}", min, max), "WholeNumberIn");
}

CLI::Validator RatioCheck() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        double value = text.empty() ? NAN : std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !(value >= 0 && value <= 1)) {
          return "expected a number from 0 to 1 (such as 0.35), got '" + text + "'";
        }
        return {};
      },
      "0..1", "RatioCheck");
}

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

  ReasonsFlags reasons;
  CLI::App* reasons_cmd = app.add_subcommand(
      "reasons", "Print the contact-reasons report (top reasons, repeats, resolution, trend)");
  AddReasonsFlags(*reasons_cmd, reasons);
  reasons_cmd->add_option("--config", config_path, "YAML config (reasons and rules)")
      ->check(CLI::ExistingFile);

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
    CLI::App* command = DeepestParsed(&app);
    return UsageError(CommandPath(command), DescribeParseError(app, command, e));
  }
  SetUpLogging(quiet, verbose);

  if (run_cmd->parsed()) {
    config_path = run.config_path;
  }
  if (outreach_cmd->parsed()) {
    config_path = outreach.config_path;
  }
  // Without a config file the defaults still take the environment's overrides.
  AppConfig config;
  if (Result<void> loaded = config_path.empty() ? LoadConfigText("", "defaults", config)
                                                : LoadConfigFile(config_path, config);
      !loaded) {
    return UsageError(CommandPath(DeepestParsed(&app)), loaded.error().message());
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
  if (reasons_cmd->parsed()) {
    return RunReasonsCommand(reasons, config, clock);
  }
  return UsageError("", "no command given");
}

}  // namespace cx
