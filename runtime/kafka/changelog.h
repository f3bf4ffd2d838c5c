#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "processors/rules_config.h"
#include "runtime/kafka/kafka_handles.h"
#include "schemas/result.h"
#include "state/store/state_store.h"
#include "state/store/store_batch.h"

namespace cx {

// The state changelog: one compacted topic, partition p = shard p. Record key = customer id,
// value = the encoded CustomerState (a null value deletes the customer). Shard metadata (the
// watermark checkpoint) travels as records whose key is kChangelogMetaPrefix + meta key; the
// prefix byte 0xFF never starts valid UTF-8, so it cannot collide with a customer id.
inline constexpr std::string_view kChangelogMetaPrefix = "\xff";
// Meta key in the local store: the next changelog offset the store does not yet reflect.
inline constexpr std::string_view kChangelogNextOffsetKey = "changelog.next_offset";

// Progress of one restore, readable from other threads (metrics, /readyz).
struct RestoreProgress {
  std::atomic<int64_t> start_offset{0};
  std::atomic<int64_t> end_offset{0};
  std::atomic<int64_t> restored_records{0};
};

// Brings `store` up to the end (read_committed) of changelog partition `partition`, starting
// at the store's checkpoint (or the beginning when it has none), and rebuilds its timers from
// the restored states. The end is the partition's high watermark when the restore starts: a
// transaction still open below it (the shard's previous owner committing or aborting as it is
// handed over) is waited for until it ends, so that a commit of it is restored too: the input
// offsets it carries are the ones the new owner resumes from. Stopping at the first end of
// the read_committed log instead (the last stable offset) would leave that commit's states out
// while its offsets count. `consumer` is a group-less consumer with isolation.level=read_committed
// and enable.partition.eof=true, not assigned to anything; it is unassigned again on return.
// While the brokers cannot be reached it waits (a warning every 10 s) until they can or `stop`
// is raised. The reason on a Kafka or store failure, or when `stop` is raised.
[[nodiscard]] Result<void> RestoreFromChangelog(rd_kafka_t* consumer, const std::string& topic,
                                                int32_t partition, StateStore& store,
                                                RestoreProgress& progress,
                                                const std::atomic<bool>& stop);

// Adds the changelog offset checkpoint to a commit batch.
void PutChangelogCheckpoint(StoreBatch& batch, int64_t next_offset);

}  // namespace cx
