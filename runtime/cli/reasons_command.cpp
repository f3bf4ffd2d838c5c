#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "reasons/reason_labels.h"
#include "reasons/reason_report.h"
#include "reasons/reason_report_format.h"
#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"

namespace cx {
namespace {

CLI::Validator FormatCheck() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text == "text" || text == "json") return {};
        return "expected text or json, got '" + text + "'";
      },
      "text|json", "FormatCheck");
}

}  // namespace

void AddReasonsFlags(CLI::App& command, ReasonsFlags& flags) {
  command.add_option("--input", flags.input, "Events as JSON Lines ('-' = stdin)")->required();
  command.add_option("--format", flags.format, "Report format: text or json")
      ->capture_default_str()
      ->check(FormatCheck());
}

int RunReasonsCommand(const ReasonsFlags& flags, const AppConfig& config, const Clock& clock) {
  if (flags.input != "-" && !std::filesystem::is_regular_file(flags.input)) {
    return UsageError("reasons", "--input: no such file: " + flags.input);
  }
  ReplayOptions options;
  options.input = flags.input;
  options.output.clear();
  options.progress_label = "reasons";
  ApplyConfig(config, options);
  const ReasonLabels labels(config.reasons.known);
  ReasonReportBuilder builder(labels);
  options.on_event_applied = [&builder](const Event& event) { builder.AddEvent(event); };
  options.on_signal = [&builder](const Signal& signal) { builder.AddSignal(signal); };
  Result<ReplaySummary> replayed = RunReplay(options, clock);
  if (!replayed) {
    std::fprintf(stderr, "cxpulse: reasons failed: %s\n", replayed.error().message().c_str());
    return kExitFailure;
  }
  const ReplaySummary& summary = *replayed;
  ReasonReport report = builder.Build();
  report.lines = summary.lines;
  report.invalid_lines = summary.dead_letters;
  report.duplicates = summary.duplicates;
  const std::string text =
      flags.format == "json" ? FormatReasonReportJson(report) : FormatReasonReportText(report);
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    std::fprintf(stderr, "cxpulse: reasons failed: cannot write the report to stdout\n");
    return kExitFailure;
  }
  spdlog::info("reasons done: {} lines, {} invalid, {} duplicates in {:.2f} s", summary.lines,
               summary.dead_letters, summary.duplicates, summary.seconds);
  return kExitOk;
}

}  // namespace cx
