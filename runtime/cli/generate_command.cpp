#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/config/yaml_section.h"
#include "runtime/replay/jsonl_file.h"
#include "schemas/timestamp.h"

namespace cx {

void AddGenerateFlags(CLI::App& command, GenerateFlags& flags) {
  GeneratorOptions& o = flags.options;
  command.add_option("--customers", o.customers, "Distinct customers")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 1'000'000'000));
  command.add_option("--seed", o.seed, "Random seed (same seed, same bytes)")
      ->capture_default_str()
      ->check(WholeNumberIn(0, UINT64_MAX));
  command
      .add_option("--struggle-ratio", o.struggle_ratio,
                  "Share of customers on a struggling journey")
      ->capture_default_str()
      ->check(RatioCheck());
  command.add_option("--vip-ratio", o.vip_ratio, "Share of VIP customers")
      ->capture_default_str()
      ->check(RatioCheck());
  command
      .add_option("--duplicate-ratio", o.duplicate_ratio,
                  "Share of events delivered twice (same event_id)")
      ->capture_default_str()
      ->check(RatioCheck());
  command.add_option("--invalid-ratio", o.invalid_ratio, "Share of bad lines (SPEC §2)")
      ->capture_default_str()
      ->check(RatioCheck());
  command.add_option("--start", flags.start,
                     "Event time of the first journeys (RFC 3339, default 2026-10-05T08:00:00Z)");
  command.add_option("--span", flags.span, "Journeys start over this span, e.g. 24h (default)");
  command.add_flag("--epoch-ms", o.epoch_millis_ts, "Write ts as epoch milliseconds");
  command.add_option("--output", flags.output, "Output file ('-' = stdout)")->capture_default_str();
}

int RunGenerateCommand(const GenerateFlags& flags) {
  GeneratorOptions options = flags.options;
  if (!flags.start.empty() && !ParseRfc3339(flags.start, options.start)) {
    return UsageError("generate",
                      "--start: expected an RFC 3339 time such as 2026-10-05T08:00:00Z, got '" +
                          flags.start + "'");
  }
  if (!flags.span.empty() && (!ParseDuration(flags.span, options.span) || options.span.ms <= 0)) {
    return UsageError("generate",
                      "--span: expected a duration such as 30m or 24h, got '" + flags.span + "'");
  }
  if (Result<void> valid = ValidateGeneratorOptions(options); !valid) {
    return UsageError("generate", valid.error().message());
  }
  Result<std::unique_ptr<JsonLinesFile>> opened = JsonLinesFile::Open(flags.output);
  if (!opened) {
    std::fprintf(stderr, "cxpulse: %s\n", opened.error().message().c_str());
    return kExitFailure;
  }
  std::unique_ptr<JsonLinesFile> out = std::move(opened).value();
  auto started = std::chrono::steady_clock::now();
  auto last_progress = started;
  Generator generator(options);
  uint64_t lines = 0;
  while (generator.Next(out->buffer())) {
    out->EndLine();
    if ((++lines & 0xFFFF) == 0) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_progress >= std::chrono::seconds(5)) {
        spdlog::info("generate: {} lines, {} customers started", lines,
                     generator.stats().customers_started);
        last_progress = now;
      }
    }
  }
  if (Result<void> closed = out->Close(); !closed) {
    std::fprintf(stderr, "cxpulse: %s\n", closed.error().message().c_str());
    return kExitFailure;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const GeneratorStats& stats = generator.stats();
  spdlog::info(
      "generate done: {} lines ({} events, {} duplicates, {} invalid) for {} customers "
      "in {:.2f} s",
      lines, stats.events, stats.duplicates, stats.invalid, options.customers, secs);
  return kExitOk;
}

}  // namespace cx
