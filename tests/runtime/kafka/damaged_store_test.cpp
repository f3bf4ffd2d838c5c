// A corrupt shard store is recognised from its StateStore message and set aside beside the other
// shards under a name `cxpulse state get` does not read.
#include "runtime/kafka/damaged_store.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/common/temp_dir.h"

namespace cx {
namespace {

namespace fs = std::filesystem;

TEST(DamagedStore, CorruptionIsDamageOtherFailuresAreNot) {
  // Messages of StateStore::Open for real damage (see integration.corrupt_store).
  EXPECT_TRUE(IsDamagedStoreError(
      "cannot open state dir s/shard-0: Corruption: CURRENT file does not end with newline"));
  EXPECT_TRUE(IsDamagedStoreError(
      "cannot open state dir s/shard-1: Corruption: file is too short (11331 bytes) to be an "
      "sstable s/shard-1/000014.sst in file s/shard-1/MANIFEST-000005"));
  // A rebuild would not help, or would destroy a store that is fine.
  EXPECT_FALSE(IsDamagedStoreError(
      "state dir s/shard-0 is locked by another cxpulse process (IO error: lock hold by current "
      "process)"));
  EXPECT_FALSE(IsDamagedStoreError("state dir s/shard-0 has store format 2, this cxpulse reads 1"));
  EXPECT_FALSE(IsDamagedStoreError("state dir s/shard-0: 3 MiB free, below the 32 MiB reserve"));
}

TEST(DamagedStore, ALockIsToldApartFromDamage) {
  EXPECT_TRUE(IsLockedStoreError(
      "state dir s/shard-0 is locked by another cxpulse process (IO error: lock hold by current "
      "process)"));
  EXPECT_TRUE(IsLockedStoreError(
      "state dir s/shard-0 is locked by another cxpulse process (IO error: While lock file: "
      "s/shard-0/LOCK: Resource temporarily unavailable)"));
  EXPECT_FALSE(IsLockedStoreError(
      "cannot open state dir s/shard-0: Corruption: CURRENT file does not end with newline"));
  EXPECT_FALSE(IsLockedStoreError("state dir s/shard-0: 3 MiB free, below the 32 MiB reserve"));
}

TEST(DamagedStore, IsSetAsideOutOfTheShardNames) {
  cx::testing::TempDir temp;
  fs::path state = temp.Path();
  fs::create_directories(state / "shard-3");
  std::ofstream(state / "shard-3" / "CURRENT") << "garbage";
  fs::create_directories(state / "damaged-shard-3");  // an older one is replaced
  std::string error;
  ASSERT_TRUE(SetAsideDamagedStore((state / "shard-3").string(), 3, "Corruption: test", error))
      << error;
  EXPECT_FALSE(fs::exists(state / "shard-3"));
  EXPECT_TRUE(fs::exists(state / "damaged-shard-3" / "CURRENT"));

  EXPECT_FALSE(SetAsideDamagedStore((state / "shard-4").string(), 4, "Corruption: test", error));
  EXPECT_NE(error.find("shard 4"), std::string::npos) << error;
}

}  // namespace
}  // namespace cx
