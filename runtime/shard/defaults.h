#pragma once

#include <cstdint>

#include "schemas/time.h"

namespace cx {

// Defaults that the configuration file (runtime/config/) and replay's options
// (runtime/replay/replay.h) share, defined once.

// Decoded customer states kept in memory in front of RocksDB (state.cache_customers).
inline constexpr uint64_t kDefaultCacheCustomers = 1'000'000;
// Memory budget of the state of one `run` process, MiB (state.memory_mb): the customer cache
// and RocksDB's block cache with the memtables (runtime/config/config.h, StateConfig). Off by
// default: a budget smaller than the working set costs CPU per event (bench/RESULTS.md,
// "Memory breakdown": 64 MiB on the 100 k-customer drain, 1.8x CPU per event).
inline constexpr uint64_t kDefaultMemoryMb = 0;
// Replay commits (one RocksDB WriteBatch) after this many events (state.commit_every_events).
// Each commit encodes and writes every customer changed since the last one: on generated traffic
// 0.26 writes per event every 200 000 events, 0.16 every 1 000 000 (a returning customer is
// written once per interval). The batch holds the changed customers' encodings until written
// (≈ 150–220 MiB more peak RSS than 200 000; bench/RESULTS.md, "The replay's commit interval").
inline constexpr uint64_t kDefaultCommitEveryEvents = 1'000'000;
// Events stamped further than this ahead of the wall clock are dead letters (kafka.max_future).
inline constexpr Duration kDefaultMaxFuture = Duration::Hours(1);

}  // namespace cx
