// `cxpulse reasons` on a generated file: the same contacts and repeats as replay finds in it.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <unistd.h>

#include <gtest/gtest.h>
#include <simdjson.h>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs `cxpulse ARGS`; `out` gets its stdout (stderr is discarded unless `with_stderr`).
Outcome Cxpulse(const std::string& args, bool with_stderr = false) {
  Outcome outcome;
  std::string cmd = std::string(CXPULSE_BINARY_DIR) + "/cxpulse " + args +
                    (with_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    outcome.out.append(buffer.data(), n);
  int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// What the report must say, counted independently from the files: contacts per reason (the
// valid, first-seen call queued / chat started lines), repeats from replay's signals.
struct Expected {
  std::map<std::string, uint64_t> contacts;  // by raw reason ("" when none)
  uint64_t total = 0;
  uint64_t repeats = 0;
  uint64_t lines = 0;
  uint64_t invalid = 0;
};

Expected Count(const std::string& events, const std::string& dead, const std::string& signals) {
  Expected e;
  simdjson::dom::parser parser;
  std::set<int64_t> rejected;
  for (const std::string& line : ReadLines(dead)) {
    rejected.insert(parser.parse(line)["source"]["line"].get_int64().value());
  }
  e.invalid = rejected.size();
  std::set<std::pair<std::string, std::string>> seen;
  int64_t number = 0;
  for (const std::string& line : ReadLines(events)) {
    ++number;
    ++e.lines;
    if (rejected.count(number) != 0) continue;
    simdjson::dom::element event = parser.parse(line).value();
    std::string customer(event["customer_id"].get_string().value());
    std::string id(event["event_id"].get_string().value());
    if (!seen.emplace(customer, id).second) continue;
    std::string_view type = event["type"].get_string().value();
    std::string_view action;
    if (event["action"].get(action) != simdjson::SUCCESS) continue;
    if ((type == "call" && action == "queued") || (type == "chat" && action == "started")) {
      std::string_view reason;
      if (event["reason"].get(reason) != simdjson::SUCCESS) reason = "";
      ++e.contacts[std::string(reason)];
      ++e.total;
    }
  }
  for (const std::string& line : ReadLines(signals)) {
    if (line.find("\"type\":\"contact.repeat\"") != std::string::npos) ++e.repeats;
  }
  return e;
}

class ReasonsCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::filesystem::remove_all(Dir());
    std::filesystem::create_directories(Dir());
    ASSERT_EQ(Cxpulse("-q generate --customers 600 --seed 11 --invalid-ratio 0.01 "
                      "--duplicate-ratio 0.03 --output " +
                      Path("events.jsonl"))
                  .exit_code,
              0);
    ASSERT_EQ(Cxpulse("-q replay --input " + Path("events.jsonl") + " --output /dev/null " +
                      "--signals " + Path("signals.jsonl") + " --dead-letter " + Path("dead.jsonl"))
                  .exit_code,
              0);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(Dir()); }
  // One directory per test process: ctest runs each test of this suite as its own process, in
  // parallel, and each process's SetUpTestSuite rewrites the files.
  static std::string Dir() {
    return std::string(CXPULSE_BINARY_DIR) + "/reasons_command_test-" + std::to_string(::getpid());
  }
  static std::string Path(const std::string& name) { return Dir() + "/" + name; }
};

TEST_F(ReasonsCommand, JsonReportCountsWhatReplaySees) {
  Expected expected = Count(Path("events.jsonl"), Path("dead.jsonl"), Path("signals.jsonl"));
  ASSERT_GT(expected.total, 100U);
  ASSERT_GT(expected.repeats, 0U);
  ASSERT_GT(expected.invalid, 0U);

  Outcome o = Cxpulse("reasons --input " + Path("events.jsonl") + " --format json");
  ASSERT_EQ(o.exit_code, 0);
  simdjson::dom::parser parser;
  simdjson::dom::element report = parser.parse(o.out).value();
  EXPECT_EQ(report["contacts"].get_uint64().value(), expected.total);
  EXPECT_EQ(report["repeats"].get_uint64().value(), expected.repeats);
  EXPECT_EQ(report["lines"].get_uint64().value(), expected.lines);
  EXPECT_EQ(report["invalid_lines"].get_uint64().value(), expected.invalid);
  EXPECT_GT(report["duplicates"].get_uint64().value(), 0U);

  const std::set<std::string> listed = {"billing", "delivery", "login", "cancel", "technical"};
  std::map<std::string, uint64_t> want;
  for (const auto& [reason, n] : expected.contacts) {
    want[listed.count(reason) != 0 ? reason : "other"] += n;
  }
  std::map<std::string, uint64_t> got;
  uint64_t previous = UINT64_MAX;
  uint64_t days_total = 0;
  for (simdjson::dom::element row : report["reasons"].get_array()) {
    std::string reason(row["reason"].get_string().value());
    uint64_t contacts = row["contacts"].get_uint64().value();
    got[reason] = contacts;
    EXPECT_LE(contacts, previous) << "rows are by contacts, descending";
    previous = contacts;
    EXPECT_EQ(row["call"].get_uint64().value() + row["chat"].get_uint64().value(), contacts);
    double fcr = 0;
    if (row["first_contact_resolution"].get(fcr) == simdjson::SUCCESS) {
      EXPECT_GE(fcr, 0.0);
      EXPECT_LE(fcr, 1.0);
      EXPECT_GT(row["first_contacts_with_outcome"].get_uint64().value(), 0U);
    }
  }
  EXPECT_EQ(got, want);
  for (simdjson::dom::element day : report["days"].get_array()) {
    days_total += day["contacts"].get_uint64().value();
  }
  EXPECT_EQ(days_total, expected.total);
}

TEST_F(ReasonsCommand, TextReportAndAConfiguredList) {
  Outcome text = Cxpulse("reasons --input " + Path("events.jsonl"));
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("Contact reasons: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("first-contact resolution"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Contacts per day (UTC)"), std::string::npos) << text.out;

  const std::string config = Path("billing_only.yaml");
  std::ofstream(config) << "reasons:\n  known: [billing]\n";
  Outcome json =
      Cxpulse("reasons --config " + config + " --input " + Path("events.jsonl") + " --format json");
  ASSERT_EQ(json.exit_code, 0);
  simdjson::dom::parser parser;
  simdjson::dom::element report = parser.parse(json.out).value();
  std::set<std::string> reasons;
  for (simdjson::dom::element row : report["reasons"].get_array()) {
    reasons.emplace(row["reason"].get_string().value());
  }
  EXPECT_EQ(reasons, (std::set<std::string>{"billing", "other"}));

  std::ofstream(config) << "reasons:\n  known: [billing, billing]\n";
  Outcome bad = Cxpulse("reasons --config " + config + " --input " + Path("events.jsonl"), true);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_EQ(bad.out,
            "cxpulse: " + config +
                ": reasons.known[1]: 'billing' is listed twice (see 'cxpulse reasons --help')\n");
}

}  // namespace
