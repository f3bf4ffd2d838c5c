// Outreach scenarios as data: tests/outreach/scenarios/<name>/ holds alerts.jsonl and
// commands.jsonl (a case id may be written "@customer/alert_id"), optionally advance_to.txt (an
// RFC 3339 time the fold is advanced to at the end), and the expectations: expected_cases.jsonl
// (the kept cases ordered by customer_id, opened_at), expected_results.jsonl (one line per
// command, in log order), expected_escalations.jsonl. Expected lines are subset matches: every
// field written must equal the actual one (recursively; arrays element by element, same
// length); a field written as null must be absent. A missing expected file means "none".
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "outreach/case_json.h"
#include "outreach/command_json.h"
#include "schemas/timestamp.h"
#include "tests/outreach/scenario_log.h"

namespace cx {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(CXPULSE_SOURCE_DIR) / "tests/outreach/scenarios";

std::string Subset(simdjson::dom::element want, simdjson::dom::element got,
                   const std::string& where) {
  if (want.is_object()) {
    simdjson::dom::object got_object;
    if (got.get_object().get(got_object) != simdjson::SUCCESS) return where + ": not an object";
    simdjson::dom::object want_object;
    if (want.get_object().get(want_object) != simdjson::SUCCESS) return where + ": bad expected";
    for (auto [key, value] : want_object) {
      simdjson::dom::element actual;
      const bool present = got_object.at_key(key).get(actual) == simdjson::SUCCESS;
      const std::string path = where + "." + std::string(key);
      if (value.is_null()) {
        if (present) return path + ": present, expected absent";
        continue;
      }
      if (!present) return path + ": missing";
      if (std::string e = Subset(value, actual, path); !e.empty()) return e;
    }
    return "";
  }
  if (want.is_array()) {
    simdjson::dom::array got_array;
    if (got.get_array().get(got_array) != simdjson::SUCCESS) return where + ": not an array";
    simdjson::dom::array want_array;
    if (want.get_array().get(want_array) != simdjson::SUCCESS) return where + ": bad expected";
    if (want_array.size() != got_array.size()) return where + ": array length differs";
    for (size_t i = 0; i < want_array.size(); ++i) {
      simdjson::dom::element w;
      simdjson::dom::element g;
      if (want_array.at(i).get(w) != simdjson::SUCCESS ||
          got_array.at(i).get(g) != simdjson::SUCCESS) {
        return where + ": bad array";
      }
      std::string e = Subset(w, g, where + "[" + std::to_string(i) + "]");
      if (!e.empty()) return e;
    }
    return "";
  }
  return simdjson::to_string(want) == simdjson::to_string(got)
             ? ""
             : where + ": " + simdjson::to_string(got) + " != " + simdjson::to_string(want);
}

void ExpectLines(const fs::path& file, const std::vector<std::string>& actual) {
  std::vector<std::string> expected;
  for (const std::string& line : test::ReadLines(file.string())) {
    expected.push_back(test::ResolveCaseRefs(line));
  }
  ASSERT_EQ(expected.size(), actual.size())
      << file << " has " << expected.size() << " lines, the fold gave:\n"
      << ::testing::PrintToString(actual);
  for (size_t i = 0; i < expected.size(); ++i) {
    simdjson::dom::parser pw;
    simdjson::dom::parser pg;
    simdjson::dom::element want;
    simdjson::dom::element got;
    ASSERT_EQ(pw.parse(expected[i]).get(want), simdjson::SUCCESS) << file << ":" << i + 1;
    ASSERT_EQ(pg.parse(actual[i]).get(got), simdjson::SUCCESS) << actual[i];
    EXPECT_EQ(Subset(want, got, "$"), "") << file << ":" << i + 1 << "\n  actual: " << actual[i];
  }
}

struct FoldRun {
  std::vector<std::string> cases;
  std::vector<std::string> results;
  std::vector<std::string> escalations;
};

FoldRun RunScenario(const fs::path& dir) {
  test::OutreachLog log;
  Result<void> loaded = log.Load(dir.string());
  EXPECT_TRUE(loaded.ok()) << dir << ": " << loaded.error().message();
  CaseBook book;
  std::vector<Escalation> escalations;
  std::vector<CommandResult> results;
  for (const MergeStep& step : log.Order()) log.Apply(step, book, escalations, &results);
  for (const std::string& line : test::ReadLines((dir / "advance_to.txt").string())) {
    EventTime t;
    EXPECT_TRUE(ParseRfc3339(line, t)) << line;
    book.AdvanceTo(t, escalations);
  }
  FoldRun out;
  std::vector<const Case*> cases;
  for (const auto& [id, c] : book.Cases()) cases.push_back(&c);
  std::stable_sort(cases.begin(), cases.end(), [](const Case* a, const Case* b) {
    return std::tie(a->customer_id, a->opened_at) < std::tie(b->customer_id, b->opened_at);
  });
  for (const Case* c : cases) AppendCaseJson(*c, out.cases.emplace_back());
  for (size_t i = 0; i < results.size(); ++i) {
    AppendCommandResultJson(log.commands[i], results[i], out.results.emplace_back());
  }
  for (const Escalation& e : escalations) AppendEscalationJson(e, out.escalations.emplace_back());
  return out;
}

std::vector<fs::path> Scenarios() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(kScenarios)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

class OutreachScenario : public ::testing::TestWithParam<fs::path> {};

TEST_P(OutreachScenario, FoldGivesTheExpectedCases) {
  const fs::path dir = GetParam();
  const FoldRun out = RunScenario(dir);
  ExpectLines(dir / "expected_cases.jsonl", out.cases);
  ExpectLines(dir / "expected_results.jsonl", out.results);
  ExpectLines(dir / "expected_escalations.jsonl", out.escalations);
  const FoldRun again = RunScenario(dir);
  EXPECT_EQ(again.cases, out.cases);
  EXPECT_EQ(again.escalations, out.escalations);
}

INSTANTIATE_TEST_SUITE_P(Data, OutreachScenario, ::testing::ValuesIn(Scenarios()),
                         [](const auto& info) {
                           std::string name = info.param.filename().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(OutreachScenarioSchema, EveryCaseTheScenariosGiveValidates) {
  const fs::path file = fs::path(CXPULSE_BINARY_DIR) / "outreach_scenario_cases.jsonl";
  {
    std::ofstream f(file, std::ios::binary | std::ios::trunc);
    for (const fs::path& dir : Scenarios()) {
      const FoldRun out = RunScenario(dir);
      for (const std::string& line : out.cases) f << line << '\n';
    }
  }
  const std::string cmd = std::string(CXPULSE_PYTHON) + " " + CXPULSE_SOURCE_DIR +
                          "/tests/schemas/check_examples.py --validate " + CXPULSE_SOURCE_DIR +
                          "/schemas/json case.schema.json " + file.string() + " > " +
                          file.string() + ".log 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "see " << file << ".log";
}

}  // namespace
}  // namespace cx
