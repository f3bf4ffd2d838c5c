#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cx {

// Exit codes of the `cxpulse` binary (SPEC §5).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a run that started and failed (I/O, broker, ...)
inline constexpr int kExitUsage = 2;    // bad flags or config: one line on stderr

// Parses the command line and runs the chosen subcommand. Never throws for user errors: they
// are one line on stderr and kExitUsage.
int RunCli(int argc, char** argv);

// Prints every line of `message` to stderr as "cxpulse: LINE (see 'cxpulse COMMAND --help')"
// (COMMAND: "replay", "state get"; empty for the top level) and returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);
// The same for several messages, one line each (every problem of a config file).
int UsageError(std::string_view command, const std::vector<std::string>& messages);

}  // namespace cx
