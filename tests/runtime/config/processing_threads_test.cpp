#include "runtime/config/processing_threads.h"

#include <gtest/gtest.h>

#include "runtime/config/config.h"

namespace cx {
namespace {

TEST(CpuLimitFromCgroupV2, QuotaOverPeriod) {
  EXPECT_DOUBLE_EQ(*CpuLimitFromCgroupV2("200000 100000\n"), 2.0);
  EXPECT_DOUBLE_EQ(*CpuLimitFromCgroupV2("150000 100000"), 1.5);
  EXPECT_DOUBLE_EQ(*CpuLimitFromCgroupV2("50000 100000"), 0.5);
}

TEST(CpuLimitFromCgroupV2, UnlimitedOrMalformedIsNone) {
  EXPECT_FALSE(CpuLimitFromCgroupV2("max 100000\n").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV2("").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV2("200000").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV2("2e5 100000").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV2("200000 0").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV2("-1 100000").has_value());
}

TEST(CpuLimitFromCgroupV1, QuotaOverPeriod) {
  EXPECT_DOUBLE_EQ(*CpuLimitFromCgroupV1("400000\n", "100000\n"), 4.0);
  EXPECT_FALSE(CpuLimitFromCgroupV1("-1\n", "100000\n").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV1("", "100000").has_value());
  EXPECT_FALSE(CpuLimitFromCgroupV1("100000", "x").has_value());
}

TEST(ResolveProcessingThreads, ConfiguredWins) {
  EXPECT_EQ(ResolveProcessingThreads(3, 1.0, 2), 3);
  EXPECT_EQ(ResolveProcessingThreads(1, std::nullopt, 64), 1);
}

TEST(ResolveProcessingThreads, AutoFollowsTheCgroupLimitRoundedDown) {
  EXPECT_EQ(ResolveProcessingThreads(0, 2.0, 16), 2);
  EXPECT_EQ(ResolveProcessingThreads(0, 2.5, 16), 2);
  EXPECT_EQ(ResolveProcessingThreads(0, 0.5, 16), 1);
  // Never more than the machine has.
  EXPECT_EQ(ResolveProcessingThreads(0, 8.0, 4), 4);
  EXPECT_EQ(ResolveProcessingThreads(0, 1e12, 4), 4);
}

TEST(ResolveProcessingThreads, AutoWithoutLimitUsesTheCores) {
  EXPECT_EQ(ResolveProcessingThreads(0, std::nullopt, 6), 6);
  EXPECT_EQ(ResolveProcessingThreads(0, std::nullopt, 0), 1);
  EXPECT_EQ(ResolveProcessingThreads(0, std::nullopt, 100000), kMaxProcessingThreads);
}

TEST(AvailableProcessingThreads, AtLeastOne) {
  EXPECT_GE(AvailableProcessingThreads(0), 1);
  EXPECT_EQ(AvailableProcessingThreads(2), 2);
}

TEST(ProcessingConfig, ThreadsReadAndChecked) {
  AppConfig config;
  EXPECT_EQ(config.processing.threads, 0);  // the cores available
  ASSERT_TRUE(LoadConfigText("processing:\n  threads: 2\n", "t.yaml", config));
  EXPECT_EQ(config.processing.threads, 2);

  AppConfig too_many;
  Result<void> loaded = LoadConfigText("processing:\n  threads: 257\n", "t.yaml", too_many);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("t.yaml: processing.threads: must be between 0"),
            std::string::npos)
      << loaded.error().message();

  AppConfig negative;
  EXPECT_FALSE(LoadConfigText("processing:\n  threads: -1\n", "t.yaml", negative));
  AppConfig unknown;
  Result<void> typo = LoadConfigText("processing:\n  thread: 2\n", "t.yaml", unknown);
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message().find("did you mean threads"), std::string::npos)
      << typo.error().message();
}

}  // namespace
}  // namespace cx
