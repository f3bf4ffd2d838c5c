// The binary as a user meets it: exit codes and one-line errors (SPEC §5).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "runtime/config/suggest.h"

namespace {

struct Outcome {
  int exit_code = -1;
  std::string stderr_text;
};

// Runs a shell command line; `stderr_text` gets what it writes to its stdout.
Outcome RunShell(const std::string& cmd) {
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

const std::string kCxpulse = std::string(CXPULSE_BINARY_DIR) + "/cxpulse";

// `cxpulse ARGS`: exit code and stderr (stdout dropped).
Outcome RunCxpulse(const std::string& args) {
  return RunShell(kCxpulse + " " + args + " 2>&1 >/dev/null");
}

// `cxpulse ARGS`: exit code and stdout followed by stderr.
Outcome RunCxpulseAll(const std::string& args) { return RunShell(kCxpulse + " " + args + " 2>&1"); }

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A config file under the build dir, removed when the test ends.
class TempConfig {
 public:
  TempConfig(const std::string& name, const std::string& yaml)
      : path_(std::string(CXPULSE_BINARY_DIR) + "/cli_test_" + name + ".yaml") {
    FILE* f = std::fopen(path_.c_str(), "w");
    std::fputs(yaml.c_str(), f);
    std::fclose(f);
  }
  ~TempConfig() { std::remove(path_.c_str()); }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port nothing listens on (bound and released; a race with other tests is unlikely).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// A command line that must be refused with exit code 2 and one line saying `says`; `never` is a
// phrase that line must not hold (CLI11's own wording). Gives the outcome for further checks.
struct UsageErrorCase {
  const char* args;
  const char* says;
};

Outcome ExpectUsageError(const UsageErrorCase& c, const char* never) {
  const Outcome o = RunCxpulse(c.args);
  EXPECT_EQ(o.exit_code, 2) << "cxpulse " << c.args << "\n" << o.stderr_text;
  EXPECT_EQ(Lines(o.stderr_text), 1) << "cxpulse " << c.args << "\n" << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, c.says)) << "cxpulse " << c.args << "\n" << o.stderr_text;
  EXPECT_FALSE(Has(o.stderr_text, never)) << o.stderr_text;
  return o;
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
  {
    TempConfig config("outreach_no_rep", "outreach:\n  listen: 127.0.0.1:0\n");
    Outcome o = RunCxpulse("outreach --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 2) << o.stderr_text;  // no way to tell who the rep is
    EXPECT_EQ(Lines(o.stderr_text), 1) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "who is the rep?")) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "(see 'cxpulse outreach --help')")) << o.stderr_text;
  }
  {
    TempConfig config("outreach_unset_env",
                      "outreach:\n  reps: [{name: ana, token_env: CXPULSE_CLI_TEST_UNSET}]\n");
    Outcome o = RunCxpulse("outreach --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "outreach.reps[0].token_env")) << o.stderr_text;
  }
  ::setenv("CXPULSE_CLI_TEST_TOKEN", "x", 1);
  {
    TempConfig config("outreach_rep",
                      "outreach:\n  reps: [{name: ana, token_env: CXPULSE_CLI_TEST_TOKEN}]\n");
    Outcome o = RunCxpulseAll("outreach --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "config ok")) << o.stderr_text;
  }
  {
    TempConfig config("outreach_header", "outreach:\n  identity_header: X-Forwarded-User\n");
    Outcome o = RunCxpulse("outreach --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
  }
  {
    // Unknown and duplicate keys as everywhere else: the closest name, one line each.
    TempConfig config("outreach_keys",
                      "outreach:\n  identity_header: X-User\n  identity_header: X-Other\n"
                      "  claim_laps: 5m\n");
    Outcome o = RunCxpulse("outreach --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
    EXPECT_EQ(Lines(o.stderr_text), 2) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "outreach.identity_header: duplicate key")) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "outreach.claim_laps: unknown key; did you mean claim_lapse?"))
        << o.stderr_text;
  }
}

// What `outreach` would only find out while starting, its --dry-run reports like run's, one
// line per problem, naming the key.
TEST(Cli, OutreachDryRunCatchesWhatStartWould) {
  TempConfig config("outreach_start_errors",
                    "outreach:\n  identity_header: X-User\n  listen: 0.0.0.0:99999\n"
                    "  topics:\n    commands: 'bad topic'\n"
                    "kafka:\n  bootstrap_servers: ''\n"
                    "  properties:\n    no.such.property: 1\n");
  Outcome dry = RunCxpulseAll("outreach --dry-run --config " + config.path());
  EXPECT_EQ(dry.exit_code, 2) << dry.stderr_text;
  EXPECT_FALSE(Has(dry.stderr_text, "config ok")) << dry.stderr_text;
  EXPECT_EQ(Lines(dry.stderr_text), 4) << dry.stderr_text;
  for (const char* key : {"outreach.listen: port 99999", "outreach.topics.commands",
                          "kafka.bootstrap_servers", "kafka.properties.no.such.property"}) {
    EXPECT_TRUE(Has(dry.stderr_text, key)) << key << "\n" << dry.stderr_text;
  }
  EXPECT_TRUE(Has(dry.stderr_text, "(see 'cxpulse outreach --help')")) << dry.stderr_text;
  // Without --dry-run the same check stops it before it binds or connects.
  Outcome start = RunCxpulse("outreach --config " + config.path());
  EXPECT_EQ(start.exit_code, 2) << start.stderr_text;
  EXPECT_EQ(Lines(start.stderr_text), 4) << start.stderr_text;
}

// Each as a new user would type it: the first argument nothing took is named, with the closest
// real one, and the help pointer is the subcommand's.
TEST(Cli, UnknownNamesAreNamedWithTheClosestOne) {
  using Case = UsageErrorCase;
  for (const Case& c : {
           Case{"bogus",
                "unknown command 'bogus'; expected replay, run, outreach, demo, generate, reasons "
                "or state"},
           Case{"rpelay --input -", "unknown command 'rpelay'; did you mean 'replay'?"},
           Case{"-x", "unknown flag -x (see 'cxpulse --help')"},
           Case{"--versio", "unknown flag --versio; did you mean --version?"},
           Case{"replay --inptu x",
                "unknown flag --inptu; did you mean --input? (see 'cxpulse replay --help')"},
           Case{"replay --input - --outptu=x", "unknown flag --outptu; did you mean --output?"},
           Case{"state gte", "unknown command 'gte'; did you mean 'get'?"},
           Case{"state get --state-dri /tmp c-1",
                "did you mean --state-dir? (see 'cxpulse state get --help')"},
           Case{"",
                "a command is required: replay, run, outreach, demo, generate, reasons or state"},
           Case{"reasons --inptu x",
                "unknown flag --inptu; did you mean --input? (see 'cxpulse reasons --help')"},
           Case{"reasons --input - --fromat json", "did you mean --format?"},
       }) {
    ExpectUsageError(c, "A subcommand is required");
  }
}

TEST(Cli, BadValuesSayWhatIsExpected) {
  using Case = UsageErrorCase;
  for (const Case& c : {
           Case{"demo --customers abc",
                "--customers: expected a whole number from 1 to 10000000, got 'abc' (see "
                "'cxpulse demo --help')"},
           Case{"generate --struggle-ratio 2", "expected a number from 0 to 1 (such as 0.35)"},
           Case{"generate --seed -3", "--seed: expected a whole number from 0 to"},
           Case{"replay --input /no/such/file.jsonl", "(see 'cxpulse replay --help')"},
           Case{"generate --span soon", "(see 'cxpulse generate --help')"},
           Case{"reasons --input - --format xml",
                "--format: expected text or json, got 'xml' (see 'cxpulse reasons --help')"},
           Case{"reasons --input /no/such/file.jsonl",
                "--input: no such file: /no/such/file.jsonl (see 'cxpulse reasons --help')"},
           Case{"reasons", "--input is required"},
       }) {
    const Outcome o = ExpectUsageError(c, "not in range");
    EXPECT_FALSE(Has(o.stderr_text, "0.000000")) << o.stderr_text;
  }
  Outcome help = RunCxpulseAll("generate --help");
  EXPECT_FALSE(Has(help.stderr_text, "0.000000")) << help.stderr_text;
}

TEST(Cli, EveryConfigErrorIsOneLine) {
  TempConfig config("three_errors",
                    "rules:\n  sla:\n    call_target: fast\nstate:\n  dri: /tmp/x\n"
                    "http:\n  recent_alerts: many\n");
  Outcome o = RunCxpulse("replay --input - --config " + config.path() + " </dev/null");
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
  EXPECT_EQ(Lines(o.stderr_text), 3) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "rules.sla.call_target")) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "state.dri: unknown key; did you mean dir?")) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "http.recent_alerts")) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "(see 'cxpulse replay --help')")) << o.stderr_text;
  EXPECT_FALSE(Has(o.stderr_text, "more)")) << o.stderr_text;
}

TEST(Cli, ShippedConfigPassesItsOwnDryRun) {
  Outcome o = RunCxpulseAll("run --config " + std::string(CXPULSE_SOURCE_DIR) +
                            "/config/cxpulse.yaml --dry-run");
  EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "config ok")) << o.stderr_text;
}

// What `run` would only find out while starting, `--dry-run` reports (exit 2, no "ok"), one line
// per problem; `run` itself stops on the same problems with exit 2 before binding its port.
TEST(Cli, DryRunCatchesWhatStartWould) {
  TempConfig config("start_errors",
                    "state:\n  dir: ''\nhttp:\n  listen: 0.0.0.0:99999\n"
                    "kafka:\n  bootstrap_servers: ''\n  topics:\n    clicks: ''\n"
                    "  properties:\n    no.such.property: 1\n");
  Outcome dry = RunCxpulseAll("run --dry-run --config " + config.path());
  EXPECT_EQ(dry.exit_code, 2) << dry.stderr_text;
  EXPECT_FALSE(Has(dry.stderr_text, "config ok")) << dry.stderr_text;
  EXPECT_EQ(Lines(dry.stderr_text), 5) << dry.stderr_text;
  for (const char* key : {"state.dir", "http.listen: port 99999", "kafka.bootstrap_servers",
                          "kafka.topics.clicks", "kafka.properties.no.such.property"}) {
    EXPECT_TRUE(Has(dry.stderr_text, key)) << key << "\n" << dry.stderr_text;
  }
  EXPECT_TRUE(Has(dry.stderr_text, "(see 'cxpulse run --help')")) << dry.stderr_text;

  TempConfig nonsense("nonsense_listen", "state:\n  dir: /tmp/x\nhttp:\n  listen: nonsense\n");
  Outcome listen = RunCxpulse("run --dry-run --config " + nonsense.path());
  EXPECT_EQ(listen.exit_code, 2) << listen.stderr_text;
  EXPECT_TRUE(Has(listen.stderr_text, "http.listen: expected host:port")) << listen.stderr_text;

  // Without state.dir, on a port someone else holds: the config error, not the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  TempConfig no_dir("no_state_dir", "state:\n  dir: ''\nhttp:\n  listen: 127.0.0.1:" +
                                        std::to_string(ntohs(addr.sin_port)) + "\n");
  Outcome run = RunCxpulse("run --config " + no_dir.path());
  ::close(fd);
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_EQ(Lines(run.stderr_text), 1) << run.stderr_text;
  EXPECT_TRUE(Has(run.stderr_text, "state.dir")) << run.stderr_text;
}

TEST(Cli, DuplicateConfigKeyIsAnError) {
  TempConfig config("duplicate", "http:\n  listen: 127.0.0.1:1\n  listen: 127.0.0.1:2\n");
  Outcome o = RunCxpulse("replay --input - --config " + config.path() + " </dev/null");
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "http.listen: duplicate key")) << o.stderr_text;
}

TEST(Cli, DemoWithABadHttpAddressIsUsage) {
  Outcome o = RunCxpulse("demo --http nonsense --duration 1s");
  EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
  EXPECT_EQ(Lines(o.stderr_text), 1) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "--http: expected host:port")) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "(see 'cxpulse demo --help')")) << o.stderr_text;
}

// README: CXPULSE_HTTP_TOKEN protects /customers/{id} and /alerts; the demo too (it has no config
// file, and its rep's token is then the same). The probes and /metrics stay open.
TEST(Cli, DemoHonoursTheHttpToken) {
  std::string url = "http://127.0.0.1:" + std::to_string(FreePort());
  const std::string status = "curl -s -o /dev/null -w '%{http_code}' ";
  const std::string with = status + "-H 'Authorization: Bearer s3cret' ";
  std::string script =
      "CXPULSE_HTTP_TOKEN=s3cret " + kCxpulse + " -q demo --duration 20s --customers 20 --http " +
      url.substr(7) + " >/dev/null 2>&1 & pid=$!; code=000; for i in $(seq 1 100); do " +
      "code=$(" + status + url + "/customers/c-000000001); " +
      "[ \"$code\" != 000 ] && break; sleep 0.2; done; " + "echo \"$code $(" + with + url +
      "/customers/c-000000001) $(" + status + url + "/alerts) $(" + with + url + "/alerts) $(" +
      status + url + "/cases) $(" + with + url + "/me) $(" + status + url + "/healthz) $(" +
      status + url + "/metrics)\"; " + "kill -INT $pid; wait $pid";
  Outcome o = RunShell(script);
  // No token: 401. With it: past the check (the customer may not exist yet: 404 or 200).
  ASSERT_GE(o.stderr_text.size(), 31U) << o.stderr_text;
  EXPECT_EQ(o.stderr_text.substr(0, 4), "401 ") << o.stderr_text;
  EXPECT_NE(o.stderr_text.substr(4, 3), "401") << o.stderr_text;
  // /alerts: 401 without, 200 with; /cases 401 without, /me 200 with; probes and /metrics open.
  EXPECT_EQ(o.stderr_text.substr(8), "401 200 401 200 200 200\n") << o.stderr_text;
}

// A broker that is not there: `run` says what it waits for while it waits, gives up after
// kafka.startup_timeout with exit 1, and never claims it will retry.
TEST(Cli, UnreachableBrokerIsReportedWhileWaiting) {
  std::filesystem::path dir = std::filesystem::path(CXPULSE_BINARY_DIR) / "cli_test_no_broker";
  std::string bootstrap = "127.0.0.1:" + std::to_string(FreePort());
  TempConfig config("no_broker", "state:\n  dir: " + dir.string() +
                                     "\nhttp:\n  listen: 127.0.0.1:0\nkafka:\n"
                                     "  bootstrap_servers: " +
                                     bootstrap + "\n  startup_timeout: 3s\n");
  auto started = std::chrono::steady_clock::now();
  Outcome o = RunCxpulse("run --config " + config.path());
  auto took = std::chrono::steady_clock::now() - started;
  std::filesystem::remove_all(dir);
  EXPECT_EQ(o.exit_code, 1) << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "waiting for broker " + bootstrap + " (metadata for cx.clicks"))
      << o.stderr_text;
  EXPECT_TRUE(Has(o.stderr_text, "no answer from broker " + bootstrap + " within 3 s"))
      << o.stderr_text;
  EXPECT_FALSE(Has(o.stderr_text, "retrying")) << o.stderr_text;
  EXPECT_LT(took, std::chrono::seconds(10)) << o.stderr_text;
}

TEST(Suggest, ClosestNameFindsTyposOnly) {
  EXPECT_EQ(cx::EditDistance("inptu", "input"), 1u);
  EXPECT_EQ(cx::EditDistance("", "abc"), 3u);
  EXPECT_EQ(cx::EditDistance("kitten", "sitting"), 3u);
  std::vector<std::string> flags = {"input", "output", "signals", "help"};
  EXPECT_EQ(cx::ClosestName("inptu", flags), "input");
  EXPECT_EQ(cx::ClosestName("outptu", flags), "output");
  EXPECT_EQ(cx::ClosestName("sig", flags), "signals");
  EXPECT_EQ(cx::ClosestName("x", flags), "");
  EXPECT_EQ(cx::ClosestName("frobnicate", flags), "");
  EXPECT_EQ(cx::DidYouMean("versio", {"help", "version"}), "; did you mean version?");
  EXPECT_EQ(cx::DidYouMean("zzz", {"help", "version"}), "");
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

// `run --dry-run` prints the processing threads it would run: as configured, or the cores
// available (auto); a count out of range is a usage error naming the key.
TEST(Cli, RunDryRunShowsProcessingThreads) {
  {
    TempConfig config("threads_three", "processing:\n  threads: 3\n");
    Outcome o = RunCxpulseAll("run --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "3 processing threads,")) << o.stderr_text;
  }
  {
    TempConfig config("threads_auto", "processing:\n  threads: 0\n");
    Outcome o = RunCxpulseAll("run --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 0) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "(auto)")) << o.stderr_text;
  }
  {
    TempConfig config("threads_too_many", "processing:\n  threads: 1000\n");
    Outcome o = RunCxpulse("run --dry-run --config " + config.path());
    EXPECT_EQ(o.exit_code, 2) << o.stderr_text;
    EXPECT_TRUE(Has(o.stderr_text, "processing.threads: must be between 0")) << o.stderr_text;
  }
}
