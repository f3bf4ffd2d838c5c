#pragma once
// What the shard tests share: a sink that drops every emission and a state store opened in a
// test's temporary directory.

#include <memory>

#include <gtest/gtest.h>

#include "runtime/shard/emission_sink.h"
#include "state/store/state_store.h"
#include "tests/common/temp_dir.h"

namespace cx::testing {

// Drops every emission: for tests that look at state, not at outputs.
class NullSink final : public EmissionSink {
 public:
  void OnSignal(const Signal&) override {}
  void OnAlert(const Alert&) override {}
  void OnDeadLetter(const DeadLetter&) override {}
};

// A store at `dir`/store; a failure to open fails the test and gives nullptr.
inline std::unique_ptr<StateStore> OpenTestStore(const TempDir& dir) {
  StoreOptions options;
  options.path = dir.Path("store");
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

}  // namespace cx::testing
