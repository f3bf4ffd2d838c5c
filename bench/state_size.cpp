// Opens a replay's state directory, flushes and compacts every column family to its last
// level, and prints the store's on-disk size and the bytes per customer.
// Usage: state_size STATE_DIR CUSTOMERS   (the replay's --state-dir; its shard-0 store)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "state/store/state_store.h"

namespace cx {
namespace {

int Main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s STATE_DIR CUSTOMERS\n", argv[0]);
    return 2;
  }
  const uint64_t customers = std::strtoull(argv[2], nullptr, 10);
  StoreOptions options;
  options.path = std::string(argv[1]) + "/shard-0";
  options.create_if_missing = false;
  Result<std::unique_ptr<StateStore>> opened = StateStore::Open(options);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message().c_str());
    return 1;
  }
  std::unique_ptr<StateStore> store = std::move(opened).value();
  const StoreStats before = store->Stats();
  if (StoreResult r = store->CompactAll(); !r.IsOk()) {
    std::fprintf(stderr, "%s\n", r.message().c_str());
    return 1;
  }
  const StoreStats after = store->Stats();
  std::printf("sst_bytes_before_compaction %llu\n",
              static_cast<unsigned long long>(before.live_sst_bytes));
  std::printf("sst_bytes %llu\n", static_cast<unsigned long long>(after.live_sst_bytes));
  std::printf("estimated_customers %llu\n",
              static_cast<unsigned long long>(after.estimated_customers));
  std::printf("estimated_timers %llu\n", static_cast<unsigned long long>(after.estimated_timers));
  if (customers > 0) {
    std::printf("bytes_per_customer %.1f\n",
                static_cast<double>(after.live_sst_bytes) / static_cast<double>(customers));
  }
  return 0;
}

}  // namespace
}  // namespace cx

int main(int argc, char** argv) { return cx::Main(argc, argv); }
