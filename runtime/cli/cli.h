#pragma once

namespace cx {

// Exit codes of the `cxpulse` binary (SPEC §5).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a run that started and failed (I/O, broker, ...)
inline constexpr int kExitUsage = 2;    // bad flags or config: one line on stderr

// Parses the command line and runs the chosen subcommand. Never throws for user errors: they
// are one line on stderr and kExitUsage.
int RunCli(int argc, char** argv);

}  // namespace cx
