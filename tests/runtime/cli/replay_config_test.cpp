// How `cxpulse replay` takes its options from the config file (runtime/cli/commands.h).
#include <gtest/gtest.h>

#include "runtime/cli/commands.h"
#include "state/store/store_memory.h"

namespace cx {
namespace {

TEST(ReplayConfig, WithoutABudgetTheCacheIsBoundedByCountOnly) {
  AppConfig config;
  config.state.cache_customers = 1234;
  ReplayOptions options;
  ApplyConfig(config, options);
  EXPECT_EQ(options.cache_customers, 1234u);
  EXPECT_EQ(options.cache_bytes, SIZE_MAX);
  EXPECT_EQ(options.store.shared_memory, nullptr);
}

TEST(ReplayConfig, TheStateMemoryBudgetSplitsAsInRun) {
  AppConfig config;
  config.state.memory_mb = 64;
  ReplayOptions options;
  ApplyConfig(config, options);
  EXPECT_EQ(options.cache_bytes, size_t{48} << 20);
  ASSERT_NE(options.store.shared_memory, nullptr);
  EXPECT_EQ(options.store.shared_memory->bytes(), size_t{16} << 20);
}

}  // namespace
}  // namespace cx
