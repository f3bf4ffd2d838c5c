// The binary as a user meets it: exit codes and one-line errors (SPEC §5).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string stderr_text;
};

Outcome RunCxpulse(const std::string& args) {
  std::string cmd = std::string(CXPULSE_BINARY_DIR) + "/cxpulse " + args + " 2>&1 >/dev/null";
  Outcome outcome;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) {
    outcome.stderr_text += buffer.data();
  }
  int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(Cli, BadUsageIsExitTwoWithOneLine) {
  for (const char* args :
       {"", "frobnicate", "replay", "replay --input", "replay --input x --bogus",
        "generate --customers 0", "generate --struggle-ratio 2",
        "replay --input /no/such/file.jsonl", "run", "run --config /no/such/config.yaml"}) {
    Outcome o = RunCxpulse(args);
    EXPECT_EQ(o.exit_code, 2) << "cxpulse " << args << "\n" << o.stderr_text;
    EXPECT_EQ(Lines(o.stderr_text), 1) << "cxpulse " << args << "\n" << o.stderr_text;
    EXPECT_EQ(o.stderr_text.rfind("cxpulse: ", 0), 0u) << o.stderr_text;
  }
}

TEST(Cli, BadConfigIsExitTwoWithTheKeyPath) {
  std::string path = std::string(CXPULSE_BINARY_DIR) + "/cli_test_bad.yaml";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("rules:\n  sla:\n    call_target: fast\n", f);
  std::fclose(f);
  Outcome o = RunCxpulse("replay --input - --config " + path + " </dev/null");
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
  EXPECT_EQ(Lines(o.stderr_text), 1) << o.stderr_text;
  EXPECT_NE(o.stderr_text.find("rules.sla.call_target"), std::string::npos) << o.stderr_text;
  std::remove(path.c_str());
}

TEST(Cli, OutreachDryRunValidatesTheOutreachSection) {
  std::string path = std::string(CXPULSE_BINARY_DIR) + "/cli_test_outreach.yaml";
  auto write = [&](const char* text) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text, f);
    std::fclose(f);
  };
  write("outreach:\n  listen: 127.0.0.1:0\n");
  Outcome o = RunCxpulse("outreach --dry-run --config " + path);
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;  // no way to tell who the rep is
  EXPECT_EQ(Lines(o.stderr_text), 1) << o.stderr_text;
  write("outreach:\n  reps: [{name: ana, token_env: CXPULSE_CLI_TEST_UNSET}]\n");
  o = RunCxpulse("outreach --dry-run --config " + path);
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
  EXPECT_NE(o.stderr_text.find("outreach.reps[0].token_env"), std::string::npos) << o.stderr_text;
  write("outreach:\n  reps: [{name: ana, token_env: CXPULSE_CLI_TEST_TOKEN}]\n");
  ::setenv("CXPULSE_CLI_TEST_TOKEN", "x", 1);
  o = RunCxpulse("outreach --dry-run --config " + path);
  EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
  write("outreach:\n  identity_header: X-Forwarded-User\n");
  o = RunCxpulse("outreach --dry-run --config " + path);
  EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
  std::remove(path.c_str());
}

TEST(Cli, HelpAndVersionExitZero) {
  EXPECT_EQ(RunCxpulse("--help").exit_code, 0);
  EXPECT_EQ(RunCxpulse("--version").exit_code, 0);
  EXPECT_EQ(RunCxpulse("replay --help").exit_code, 0);
}

TEST(Cli, ReplayOfStdinSucceeds) {
  Outcome o = RunCxpulse("-q replay --input - </dev/null");
  EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
}

}  // namespace
