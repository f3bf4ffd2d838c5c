#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "generate/generator.h"
#include "tests/generate/line_check.h"

namespace cx {
namespace {

GeneratorOptions Options(double duplicate_ratio, double invalid_ratio) {
  GeneratorOptions o;
  o.customers = 5000;
  o.seed = 3;
  o.duplicate_ratio = duplicate_ratio;
  o.invalid_ratio = invalid_ratio;
  return o;
}

TEST(BadInput, DuplicatesAreExactRedeliveriesShortlyAfter) {
  Generator generator(Options(0.05, 0.0));
  std::map<std::string, std::pair<std::string, int64_t>> first_seen;  // event_id -> line, ts
  std::string line;
  LineInfo info;
  uint64_t events = 0, duplicates = 0;
  int64_t last_delivery = INT64_MIN;
  while (generator.Next(line, info)) {
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "") << line;
    ASSERT_GE(info.delivery.ms, last_delivery);
    last_delivery = info.delivery.ms;
    EXPECT_EQ(info.ts.ms, parsed.ts_ms);
    auto [it, fresh] = first_seen.try_emplace(parsed.event_id, line, parsed.ts_ms);
    if (fresh) {
      EXPECT_EQ(info.kind, LineKind::kEvent);
      EXPECT_EQ(info.delivery.ms, parsed.ts_ms);
      ++events;
    } else {
      EXPECT_EQ(info.kind, LineKind::kDuplicate);
      EXPECT_EQ(it->second.first, line);
      EXPECT_GE(info.delivery.ms - parsed.ts_ms, 50);
      EXPECT_LE(info.delivery.ms - parsed.ts_ms, 3000);
      ++duplicates;
    }
    line.clear();
  }
  EXPECT_EQ(duplicates, generator.stats().duplicates);
  EXPECT_EQ(events, generator.stats().events);
  EXPECT_NEAR(static_cast<double>(duplicates) / events, 0.05, 0.005);
}

TEST(BadInput, InvalidShareIsHonouredAndEveryKindAppears) {
  GeneratorOptions o = Options(0.0, 0.05);
  Generator generator(o);
  std::string line;
  LineInfo info;
  uint64_t lines = 0, rejected = 0;
  std::set<std::string> reasons;
  while (generator.Next(line, info)) {
    ++lines;
    test::CheckedLine parsed;
    std::string why = test::CheckLine(line, parsed);
    if (info.kind == LineKind::kInvalid) {
      EXPECT_NE(why, "") << "accepted a bad line: " << line;
      reasons.insert(why);
      ++rejected;
    } else {
      EXPECT_EQ(why, "") << line;
    }
    line.clear();
  }
  EXPECT_NEAR(static_cast<double>(rejected) / lines, o.invalid_ratio, 0.005);
  const GeneratorStats& stats = generator.stats();
  EXPECT_EQ(stats.invalid, rejected);
  for (size_t kind = 0; kind < gen::kInvalidKindCount; ++kind) {
    EXPECT_GT(stats.invalid_by_kind[kind], 0u)
        << gen::InvalidKindName(static_cast<gen::InvalidKind>(kind));
  }
  // The checker names each different failure: far more than a couple of distinct reasons.
  EXPECT_GE(reasons.size(), 10u);
  EXPECT_TRUE(reasons.contains("over 64 KiB"));
  EXPECT_TRUE(reasons.contains("ts in the future"));
  EXPECT_TRUE(reasons.contains("not JSON"));
  EXPECT_TRUE(reasons.contains("not an object"));
}

TEST(BadInput, InvalidLinesNeverCollideWithValidEventIds) {
  Generator generator(Options(0.02, 0.1));
  std::set<std::string> valid_ids;
  std::set<std::string> bad_ids;
  std::string line;
  LineInfo info;
  while (generator.Next(line, info)) {
    test::CheckedLine parsed;
    if (test::CheckLine(line, parsed).empty()) {
      valid_ids.insert(parsed.event_id);
    } else {
      size_t at = line.find("\"event_id\":\"");
      if (at != std::string::npos)
        bad_ids.insert(line.substr(at + 12, line.find('"', at + 12) - at - 12));
    }
    line.clear();
  }
  for (const std::string& id : bad_ids) EXPECT_FALSE(valid_ids.contains(id)) << id;
  EXPECT_FALSE(bad_ids.empty());
}

TEST(BadInput, BadLinesGoToTheTopicOfTheirStream) {
  Generator generator(Options(0.0, 0.2));
  std::string line;
  LineInfo info;
  std::set<EventType> topics;
  while (generator.Next(line, info)) {
    if (info.kind == LineKind::kInvalid) {
      topics.insert(info.type);
      if (line.find("\"type\":\"survey\"") != std::string::npos) {
        EXPECT_EQ(info.type, EventType::kSurvey) << line;
      }
    } else {
      test::CheckedLine parsed;
      ASSERT_EQ(test::CheckLine(line, parsed), "");
      EXPECT_EQ(std::string(gen::TypeName(info.type)), parsed.type);
      std::string key;
      generator.AppendCustomerId(key, info.customer);
      EXPECT_EQ(key, parsed.customer_id);
    }
    line.clear();
  }
  EXPECT_GE(topics.size(), 3u);
}

}  // namespace
}  // namespace cx
