// Scenario tests as data: every folder under tests/scenarios/ holds `events.jsonl` (the input,
// with comments on lines starting with '#' removed before the replay), `expected_alerts.jsonl`
// and optionally `expected_signals.jsonl`, `expected_dead_letters.jsonl` and `config.yaml`.
// The replay's output must have exactly as many lines as the expected file, and each expected
// line's fields must equal the actual line's (a subset match: ids and details can be left out).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "runtime/config/config.h"
#include "runtime/replay/replay.h"
#include "runtime/shard/clock.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

// Adapts a config load to the assertions here: true when it loaded, else false with the
// message in `error`.
bool Loaded(const Result<void>& loaded, std::string& error) {
  error = loaded ? std::string() : loaded.error().message();
  return loaded.ok();
}

namespace fs = std::filesystem;

std::vector<std::string> ReadLines(const fs::path& path, bool drop_comments) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || (drop_comments && line[0] == '#')) {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

// True when every field of `expected` is present in `actual` with an equal value (recursively
// for objects; arrays must match element-wise with the same length).
bool SubsetMatch(simdjson::dom::element expected, simdjson::dom::element actual,
                 std::string& where) {
  simdjson::dom::object expected_object;
  if (expected.get(expected_object) == simdjson::SUCCESS) {
    simdjson::dom::object actual_object;
    if (actual.get(actual_object) != simdjson::SUCCESS) {
      where += " (not an object)";
      return false;
    }
    for (simdjson::dom::key_value_pair field : expected_object) {
      simdjson::dom::element value;
      if (actual_object.at_key(field.key).get(value) != simdjson::SUCCESS) {
        where += "." + std::string(field.key) + " (missing)";
        return false;
      }
      std::string sub = where + "." + std::string(field.key);
      if (!SubsetMatch(field.value, value, sub)) {
        where = sub;
        return false;
      }
    }
    return true;
  }
  simdjson::dom::array expected_array;
  if (expected.get(expected_array) == simdjson::SUCCESS) {
    simdjson::dom::array actual_array;
    if (actual.get(actual_array) != simdjson::SUCCESS) {
      where += " (not an array)";
      return false;
    }
    if (expected_array.size() != actual_array.size()) {
      where += " (array length " + std::to_string(actual_array.size()) + ", expected " +
               std::to_string(expected_array.size()) + ")";
      return false;
    }
    size_t i = 0;
    auto a = actual_array.begin();
    for (simdjson::dom::element e : expected_array) {
      std::string sub = where + "[" + std::to_string(i++) + "]";
      if (!SubsetMatch(e, *a, sub)) {
        where = sub;
        return false;
      }
      ++a;
    }
    return true;
  }
  std::string e = simdjson::to_string(expected);
  std::string a = simdjson::to_string(actual);
  if (e != a) {
    where += " = " + a + ", expected " + e;
    return false;
  }
  return true;
}

void ExpectOutput(const fs::path& expected_path, const fs::path& actual_path) {
  std::vector<std::string> expected = ReadLines(expected_path, true);
  std::vector<std::string> actual = ReadLines(actual_path, false);
  std::string all_actual;
  for (const auto& l : actual) all_actual += "  " + l + "\n";
  ASSERT_EQ(actual.size(), expected.size())
      << expected_path.filename() << ": wrong number of lines; actual output:\n"
      << all_actual;
  simdjson::dom::parser pe;
  simdjson::dom::parser pa;
  for (size_t i = 0; i < expected.size(); ++i) {
    simdjson::dom::element e;
    simdjson::dom::element a;
    ASSERT_EQ(pe.parse(expected[i]).get(e), simdjson::SUCCESS) << "bad expected line " << i + 1;
    ASSERT_EQ(pa.parse(actual[i]).get(a), simdjson::SUCCESS) << "bad output line " << i + 1;
    std::string where = "line " + std::to_string(i + 1);
    EXPECT_TRUE(SubsetMatch(e, a, where))
        << expected_path.filename() << ": " << where << "\nactual output:\n"
        << all_actual;
  }
}

std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CXPULSE_SOURCE_DIR) / "tests/scenarios")) {
    if (entry.is_directory() && fs::exists(entry.path() / "events.jsonl")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, ReplayGivesExpectedOutput) {
  fs::path dir = fs::path(CXPULSE_SOURCE_DIR) / "tests/scenarios" / GetParam();
  cx::testing::TempDir temp;
  fs::path out = temp.Path();

  std::ofstream input(out / "events.jsonl");
  for (const auto& line : ReadLines(dir / "events.jsonl", true)) input << line << "\n";
  input.close();

  AppConfig config;
  if (fs::exists(dir / "config.yaml")) {
    std::string error;
    ASSERT_TRUE(Loaded(LoadConfigFile((dir / "config.yaml").string(), config), error)) << error;
  }
  ReplayOptions options;
  options.input = (out / "events.jsonl").string();
  options.output = (out / "alerts.jsonl").string();
  options.signals = (out / "signals.jsonl").string();
  options.dead_letter = (out / "dead_letters.jsonl").string();
  options.rules = config.rules;
  options.progress_every = Duration::Millis(0);
  // Scenario inputs are in 2026; the wall clock only matters for the future-timestamp check.
  ManualClock clock(EventTime::FromMillis(1'800'000'000'000));
  Result<ReplaySummary> summary = RunReplay(options, clock);
  ASSERT_TRUE(summary.ok()) << summary.error().message();

  ExpectOutput(dir / "expected_alerts.jsonl", out / "alerts.jsonl");
  for (const char* name : {"signals", "dead_letters"}) {
    fs::path expected = dir / (std::string("expected_") + name + ".jsonl");
    if (fs::exists(expected)) {
      ExpectOutput(expected, out / (std::string(name) + ".jsonl"));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(ScenarioNames()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace cx
