#include "generate/generator.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/generate/line_check.h"

namespace cx {
namespace {

std::string GenerateAll(const GeneratorOptions& options) {
  Generator generator(options);
  std::string out;
  while (generator.Next(out)) out += '\n';
  return out;
}

GeneratorOptions Small(uint64_t customers, uint64_t seed = 7) {
  GeneratorOptions o;
  o.customers = customers;
  o.seed = seed;
  return o;
}

TEST(Generator, SameOptionsGiveIdenticalBytes) {
  GeneratorOptions o = Small(800);
  o.duplicate_ratio = 0.03;
  o.invalid_ratio = 0.02;
  std::string a = GenerateAll(o);
  std::string b = GenerateAll(o);
  EXPECT_GT(a.size(), 100'000u);
  EXPECT_EQ(a, b);
}

TEST(Generator, DifferentSeedGivesDifferentOutput) {
  std::string a = GenerateAll(Small(300, 1));
  std::string b = GenerateAll(Small(300, 2));
  EXPECT_NE(a, b);
}

TEST(Generator, EventTimeNeverGoesBackwards) {
  GeneratorOptions o = Small(3000);
  Generator generator(o);
  std::string line;
  int64_t previous = INT64_MIN;
  size_t count = 0;
  EventTime reported;
  while (generator.Next(line, &reported)) {
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "") << line;
    ASSERT_GE(parsed.ts_ms, previous) << line;
    ASSERT_EQ(parsed.ts_ms, reported.ms) << line;
    previous = parsed.ts_ms;
    line.clear();
    ++count;
  }
  EXPECT_EQ(count, generator.stats().events);
  EXPECT_FALSE(generator.Next(line));
}

TEST(Generator, FirstVisitsStartWithinTheSpan) {
  GeneratorOptions o = Small(2000);
  o.span = Duration::Hours(2);
  Generator generator(o);
  std::string line;
  std::set<std::string> seen;
  int64_t latest_first = INT64_MIN;
  while (generator.Next(line)) {
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "");
    if (seen.insert(parsed.customer_id).second) latest_first = parsed.ts_ms;
    EXPECT_GE(parsed.ts_ms, o.start.ms);
    line.clear();
  }
  EXPECT_LT(latest_first, (o.start + o.span).ms);
  // Uniform arrivals: the last first visit comes late in the span, not early.
  EXPECT_GT(latest_first, (o.start + Duration::Minutes(100)).ms);
}

TEST(Generator, EveryCustomerAppearsOnceUnderItsOwnId) {
  GeneratorOptions o = Small(5000);
  Generator generator(o);
  std::string line;
  std::set<std::string> customers;
  std::set<std::string> event_ids;
  while (generator.Next(line)) {
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "");
    customers.insert(parsed.customer_id);
    EXPECT_TRUE(event_ids.insert(parsed.event_id).second) << "repeated " << parsed.event_id;
    line.clear();
  }
  EXPECT_EQ(customers.size(), o.customers);
  EXPECT_EQ(*customers.begin(), "c-000000001");
  EXPECT_EQ(*customers.rbegin(), "c-000005000");
  EXPECT_EQ(generator.stats().customers_started, o.customers);
}

TEST(Generator, ZeroCustomersGiveNothing) {
  Generator generator(Small(0));
  std::string line;
  EXPECT_FALSE(generator.Next(line));
  EXPECT_TRUE(line.empty());
}

TEST(Generator, EpochMillisTimestamps) {
  GeneratorOptions o = Small(50);
  o.epoch_millis_ts = true;
  Generator generator(o);
  std::string line;
  size_t count = 0;
  while (generator.Next(line)) {
    EXPECT_EQ(line.find("\"ts\":\""), std::string::npos) << line;
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "");
    EXPECT_GE(parsed.ts_ms, o.start.ms);
    line.clear();
    ++count;
  }
  EXPECT_GT(count, 50u);
}

TEST(Generator, SomeTimestampsCarryAnOffset) {
  std::string all = GenerateAll(Small(2000));
  EXPECT_NE(all.find("+02:00\""), std::string::npos);
  EXPECT_NE(all.find("Z\""), std::string::npos);
}

TEST(Generator, VipRatioIsHonoured) {
  GeneratorOptions o = Small(4000);
  o.vip_ratio = 0.25;
  Generator generator(o);
  std::string line;
  std::set<std::string> vips;
  while (generator.Next(line)) {
    test::CheckedLine parsed;
    ASSERT_EQ(test::CheckLine(line, parsed), "");
    if (parsed.tier == "vip") vips.insert(parsed.customer_id);
    line.clear();
  }
  // Every vip customer writes its tier on its first page view or contact.
  EXPECT_NEAR(static_cast<double>(vips.size()) / o.customers, 0.25, 0.03);
}

TEST(Generator, MemoryFollowsConcurrentJourneysNotCustomers) {
  GeneratorOptions o = Small(200'000);
  Generator generator(o);
  std::string buffer;
  uint64_t lines = 0;
  while (generator.Next(buffer)) {
    ++lines;
    buffer.clear();
  }
  const GeneratorStats& stats = generator.stats();
  EXPECT_EQ(stats.customers_started, o.customers);
  EXPECT_GT(lines, 10 * o.customers / 2);
  // Live journeys (holding events) are the ones in progress: a few thousand over a day.
  EXPECT_LT(stats.peak_live_journeys, o.customers / 20);
  EXPECT_GT(stats.peak_live_journeys, 0u);
  // Dormant ones (struggling customers coming back days later) hold no events.
  EXPECT_LT(stats.peak_journeys, o.customers / 4);
  EXPECT_EQ(generator.ActiveJourneys(), 0u);
}

TEST(GeneratorOptions, ValidationNamesTheProblem) {
  GeneratorOptions o;
  EXPECT_TRUE(ValidateGeneratorOptions(o).ok());
  o.struggle_ratio = 1.5;
  Result<void> checked = ValidateGeneratorOptions(o);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message().find("struggle ratio"), std::string::npos);
  o = GeneratorOptions{};
  o.invalid_ratio = 1.0;
  checked = ValidateGeneratorOptions(o);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message().find("invalid ratio"), std::string::npos);
  o = GeneratorOptions{};
  o.span = Duration::Millis(0);
  checked = ValidateGeneratorOptions(o);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message().find("span"), std::string::npos);
}

}  // namespace
}  // namespace cx
