#include "runtime/kafka/live_processor.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include "runtime/kafka/commit_schedule.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/kafka/partition_owners.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/record_key.h"

namespace cx {
namespace {

// How long the run loop waits for the consumer queue when no shard had work; shorter while a
// commit is in flight, so that its end is seen soon.
constexpr int kPollMs = 20;
constexpr int kPollWhileCommittingMs = 2;
// Records one shard processes before the loop looks at the clock again (commits, idle shards):
// keeps every transaction near the commit interval however large the backlog.
constexpr size_t kRecordsPerTurn = 500;
// How long processing goes on while one commit is in flight (a commit takes ≈ 50–100 ms; far
// longer on a loaded machine or while the brokers are unreachable).
constexpr auto kMaxOverlap = std::chrono::seconds(2);
// How long the merge waits for an input's first fetch after an assignment (its offsets are
// looked up first), before it goes on without that input.
constexpr auto kFirstFetchWait = std::chrono::milliseconds(10000);
constexpr int kMetadataTimeoutMs = 15000;
// Topics created just before the start may take this long to appear in every broker's
// metadata; they are looked up again this often.
constexpr auto kTopicsAppearWithin = std::chrono::seconds(10);
constexpr auto kTopicsRetryEvery = std::chrono::milliseconds(500);
// The decoded-customer cache is split over the input partitions, but never below this per shard.
constexpr size_t kMinCachePerShard = 1000;
constexpr size_t kMinCacheBytesPerShard = size_t{1} << 20;
// Shard gauges go to the observers this often.
constexpr auto kSnapshotEvery = std::chrono::seconds(1);

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "cxpulse";
  }
  return name;
}

const std::atomic<bool> kNeverStop{false};

}  // namespace

LiveProcessor::LiveProcessor(AppConfig config, const Clock& clock, std::string_view member_suffix)
    : config_(std::move(config)), clock_(clock) {
  if (const char* env = std::getenv("CXPULSE_INSTANCE_ID"); env != nullptr && *env != '\0') {
    config_.kafka.instance_id = env;
  }
  instance_id_ = config_.kafka.instance_id.empty() ? HostName() : config_.kafka.instance_id;
  instance_id_ += member_suffix;
  if (!config_.kafka.instance_id.empty()) config_.kafka.instance_id += member_suffix;
  persistence_ = std::make_unique<ShardPersistence>(
      config_, config_.kafka.group_id + "-" + instance_id_, clock_);
  outputs_ = std::make_unique<LiveOutputs>(config_.kafka.topics, persistence_->transactions(),
                                           status_, observers_, tally_);
  stop_ = &kNeverStop;
}

LiveProcessor::~LiveProcessor() {
  // A commit thread still running writes to the shards' stores.
  if (persistence_) persistence_->AwaitCommitThread();
}

MergeWaits LiveProcessor::merge_waits() const {
  return {.lagging = std::chrono::milliseconds(config_.kafka.max_merge_wait.ms),
          .idle = std::chrono::milliseconds(config_.kafka.idle_input_wait.ms),
          .first_fetch = kFirstFetchWait};
}

Result<void> LiveProcessor::Start() {
  if (config_.state.dir.empty()) {
    return Err("state.dir is not set: cxpulse run needs a directory for its RocksDB state");
  }
  consumer_ = std::make_unique<GroupConsumer>(config_.kafka, static_cast<GroupListener&>(*this),
                                              observers_, advertised_http_);
  if (Result<void> created = consumer_->Create(); !created) {
    return created;
  }
  const KafkaConfig& kafka = config_.kafka;
  if (Result<void> answered =
          WaitForBrokers(consumer_->handle(), kafka, clock_, *stop_, consumer_->access_failure());
      !answered) {
    return answered;
  }
  Result<int> partitions = CheckLiveTopics(consumer_->handle(), kafka, clock_, kMetadataTimeoutMs,
                                           kTopicsAppearWithin, kTopicsRetryEvery);
  if (!partitions) {
    return partitions.error();
  }
  input_partitions_ = *partitions;
  if (Result<void> opened = persistence_->Open(); !opened) {
    return opened;
  }
  const auto shards = static_cast<size_t>(input_partitions_);
  cache_per_shard_.customers =
      std::max<size_t>(kMinCachePerShard, config_.state.cache_customers / shards);
  const size_t cache_bytes = config_.state.CustomerCacheBytes();
  cache_per_shard_.bytes =
      cache_bytes == SIZE_MAX ? SIZE_MAX : std::max(kMinCacheBytesPerShard, cache_bytes / shards);

  if (Result<void> subscribed = consumer_->Subscribe(); !subscribed) {
    return subscribed;
  }
  spdlog::info(
      "run: instance {} in group {}, {} input partitions, {}", instance_id_, kafka.group_id,
      input_partitions_,
      kafka.processing == ProcessingGuarantee::kExactlyOnce ? "exactly-once" : "at-least-once");
  return Ok();
}

void LiveProcessor::RejoinWithNewConsumer(const std::string& reason) {
  spdlog::warn(
      "kafka: the consumer failed for good ({}); dropping uncommitted work and "
      "rejoining the group with a new consumer",
      reason);
  status_.ready = false;
  // The consumer is gone: whatever the commit in flight did, the group hands its partitions
  // out again from the committed offsets.
  if (!DropUncommitted()) {
    return;
  }
  committed_offsets_.clear();
  shards_.clear();
  ++shards_generation_;
  status_.assigned_shards = 0;
  if (Result<void> rejoined = consumer_->Rejoin(); !rejoined) {
    Fail("cannot rejoin the consumer group: " + rejoined.error().message());
  }
}

bool LiveProcessor::DropUncommitted() {
  FinishCommit(false);
  pending_offsets_.clear();
  outputs_->Drop();
  if (stop_ != nullptr && stop_->load()) {
    // Stopping: no abort, which could block on unreachable brokers past the stop bound. Nothing
    // more commits; the brokers abort the open transaction (at its timeout, or when the next
    // producer with this transactional.id starts).
    final_commit_failed_ = true;
    return true;
  }
  if (Result<void> abandoned = persistence_->transactions().Abandon(); !abandoned) {
    Fail(abandoned.error().message());
    return false;
  }
  return true;
}

void LiveProcessor::SetBrokerReachable(bool reachable) {
  if (status_.broker_reachable.exchange(reachable) == reachable || !running_) {
    return;
  }
  if (reachable) {
    spdlog::info("kafka: brokers reachable again; processing resumes");
  } else {
    spdlog::warn("kafka: cannot reach the brokers at {}; retrying with backoff",
                 config_.kafka.bootstrap_servers);
  }
}

void LiveProcessor::Fail(std::string message) {
  if (fatal_error_.empty()) {
    fatal_error_ = std::move(message);
  }
}

void LiveProcessor::FailRestore(int partition, const Err& error) {
  // A stop asked for while a shard restores (SIGTERM, or another processing thread of this
  // process leaving the group and handing this one its partitions) ends the restore early: that
  // is part of stopping, not a failure. The shard stays closed; the final commit covers only
  // what was processed, and the next owner restores it from the changelog.
  if (stop_->load()) {
    spdlog::info("run: stopping during the restore of shard {}", partition);
    return;
  }
  Fail("cannot restore shard " + std::to_string(partition) + ": " + error.message());
}

Result<void> LiveProcessor::OpenShard(int partition) {
  ShardSlot& slot =
      shards_.try_emplace(partition, merge_waits(), config_.kafka.prefetch_kb * 1024).first->second;
  Result<std::unique_ptr<Shard>> shard =
      persistence_->OpenShard(partition, cache_per_shard_, *outputs_, slot.restore, *stop_);
  if (!shard) {
    return shard.error();
  }
  slot.shard = std::move(shard).value();
  slot.last_event = clock_.Monotonic();
  return Ok();
}

void LiveProcessor::OnAssigned(const rd_kafka_topic_partition_list_t& assignment) {
  status_.ready = false;
  FinishCommit();
  std::set<int> partitions;
  committed_offsets_.clear();
  for (int i = 0; i < assignment.cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = assignment.elems[i];
    partitions.insert(tp.partition);
    if (tp.offset >= 0) {
      committed_offsets_.emplace(std::pair<std::string, int32_t>(tp.topic, tp.partition),
                                 tp.offset);
    }
  }
  for (int p : partitions) {
    if (Result<void> opened = OpenShard(p); !opened) {
      shards_.erase(p);
      FailRestore(p, opened.error());
      return;
    }
  }
  status_.assigned_shards = static_cast<int>(shards_.size());
  for (LiveObserver* observer : observers_) observer->OnRebalance(status_.assigned_shards);
  spdlog::info("run: assigned {} shard(s), restored and consuming", shards_.size());
  status_.ready = fatal_error_.empty();
}

ShardInputs* LiveProcessor::InputsOf(int partition) {
  auto it = shards_.find(partition);
  return it == shards_.end() || !it->second.shard ? nullptr : &it->second.inputs;
}

void LiveProcessor::OnRevoked() {
  status_.ready = false;
  // Stopping after the last commit failed (the consumer's close revokes): nothing more is
  // committed, as in Run()'s stop.
  // A commit that fails here rolls back without reopening the shards or rewinding (Recover):
  // they go away with the assignment, and their next owner starts from the committed offsets.
  revoking_ = true;
  if (consumer_->AssignmentLost()) {
    // Another member may own these partitions already (and has processed their records since
    // the last commit): nothing more is committed for them. The coordinator would fence such a
    // commit anyway (its offsets carry this member's old generation); this way it is not tried.
    spdlog::warn(
        "kafka: this member lost its partitions (session timed out, or removed from the "
        "group); dropping its uncommitted work, which their next owner processes again");
    DropUncommitted();
  } else if (!shards_.empty() && !final_commit_failed_) {
    CommitCycle();
  } else {
    FinishCommit();
  }
  revoking_ = false;
  shards_.clear();
  ++shards_generation_;
  pending_offsets_.clear();
  committed_offsets_.clear();
  status_.assigned_shards = 0;
  for (LiveObserver* observer : observers_) observer->OnRebalance(0);
}

bool LiveProcessor::BeginTransactionIfNeeded() {
  Result<void> begun = persistence_->transactions().BeginIfNeeded();
  if (begun) {
    return true;
  }
  spdlog::warn("kafka: cannot begin a transaction: {}", begun.error().message());
  Recover(true);
  return false;
}

bool LiveProcessor::FillInputs(ShardSlot& slot) {
  bool got_record = false;
  bool pulled = slot.inputs.Fill(got_record, clock_.Monotonic());
  if (got_record) {
    SetBrokerReachable(true);
  }
  return pulled;
}

bool LiveProcessor::DrainShard(ShardSlot& slot, size_t budget) {
  // A record stamped further ahead than events may be is a dead letter to be: it must not hold
  // back the other inputs until they run dry, so it sorts first.
  // The wall clock is read once per turn (at most `budget` records, milliseconds), the
  // monotonic clock once per record (when it is done; that is when the next one starts) and
  // after a refill: clock_gettime was 6.7 % of a drain's CPU samples when every step read its
  // own (bench/RESULTS.md, 2026-12-02).
  const EventTime not_after = clock_.Now() + config_.kafka.max_future;
  MonotonicTime now = clock_.Monotonic();
  for (size_t processed = 0; fatal_error_.empty() && slot.shard; ++processed) {
    if (processed == budget || persistence_->commit_done()) {
      return true;  // back to the loop, which also completes a finished commit
    }
    int next = slot.inputs.Next(not_after.ms, now);
    if (next == InputMerger::kNone) {
      return false;
    }
    if (slot.inputs.overtook()) {
      status_.merge_overtakes.fetch_add(1, std::memory_order_relaxed);
    }
    const InputRecord record = slot.inputs.Pop(next);
    const uint64_t generation = shards_generation_;
    now = ProcessRecord(slot, next, record, now, not_after);
    if (shards_generation_ != generation) {
      return true;  // rolled back: `slot` is gone; the loop starts over with the new shards
    }
    if (slot.inputs.Empty(next)) {
      FillInputs(slot);
      now = clock_.Monotonic();
    }
  }
  return false;
}

MonotonicTime LiveProcessor::ProcessRecord(ShardSlot& slot, int input, const InputRecord& record,
                                           MonotonicTime started, EventTime not_after) {
  if (!BeginTransactionIfNeeded()) {
    return clock_.Monotonic();
  }
  outputs_->SetTrigger(started);
  const std::string& topic = slot.inputs.topic(input);
  const int32_t partition = slot.inputs.partition(input);
  auto offset = pending_offsets_.find(std::pair<std::string_view, int32_t>(topic, partition));
  if (offset == pending_offsets_.end()) {
    offset = pending_offsets_.emplace(std::pair<std::string, int32_t>(topic, partition), 0).first;
  }
  offset->second = std::max(offset->second, record.offset + 1);
  ++status_.events_consumed;
  const std::string_view bytes = record.value();
  DecodeFailure why;
  if (decoder_.Decode(bytes, not_after, event_, why) != DecodeError::kOk ||
      !CheckRecordKey(record.key(), event_.customer_id, why)) {
    outputs_->OnDeadLetter(
        MakeDeadLetter(bytes, why, KafkaSource{topic, partition, record.offset}));
    const MonotonicTime finished = clock_.Monotonic();
    if (!observers_.empty()) tally_.AddRecord(topic, nullptr, finished - started);
    return finished;
  }
  slot.last_event = started;
  const uint64_t duplicates_before = slot.shard->stats().duplicates;
  Result<void> processed = slot.shard->Process(event_);
  if (!processed) {
    Fail("state store of shard " + std::to_string(partition) +
         " failed: " + processed.error().message());
  }
  const bool applied =
      static_cast<bool>(processed) && slot.shard->stats().duplicates == duplicates_before;
  const MonotonicTime finished = clock_.Monotonic();
  if (!observers_.empty()) {
    tally_.AddRecord(topic, &event_, finished - started);
    if (applied) tally_.AddApplied(event_);
  }
  return finished;
}

void LiveProcessor::ReportRecords() {
  if (tally_.empty()) return;
  for (LiveObserver* observer : observers_) {
    observer->OnRecordsProcessed(tally_);
  }
  tally_.Clear();
}

void LiveProcessor::AdvanceIdleShards() {
  if (config_.kafka.idle_watermark_after.ms <= 0) {
    return;
  }
  MonotonicTime now = clock_.Monotonic();
  outputs_->SetTrigger(now);
  auto idle_after = std::chrono::milliseconds(config_.kafka.idle_watermark_after.ms);
  EventTime wall = clock_.Now();
  for (auto& [partition, slot] : shards_) {
    if (!slot.shard || now - slot.last_event < idle_after || wall <= slot.shard->watermark()) {
      continue;
    }
    if (slot.shard->pending_timers() > 0 && !BeginTransactionIfNeeded()) {
      return;
    }
    if (Result<void> advanced = slot.shard->AdvanceWatermark(wall); !advanced) {
      Fail("state store of shard " + std::to_string(partition) +
           " failed: " + advanced.error().message());
      return;
    }
  }
}

bool LiveProcessor::CommitCycle() {
  if (!FinishCommit()) {
    return false;
  }
  return StartCommit() && FinishCommit();
}

bool LiveProcessor::StartCommit() {
  bool dirty = !pending_offsets_.empty();
  std::vector<ShardPersistence::ShardRef> shards;
  for (auto& [partition, slot] : shards_) {
    if (slot.shard) {
      shards.emplace_back(partition, slot.shard.get());
      dirty = dirty || slot.shard->DirtyCount() > 0;
    }
  }
  if (final_commit_failed_ || (!dirty && !persistence_->transactions().pending())) {
    return true;  // stopping after a failed or dropped commit, nothing more commits
  }
  const bool exactly_once = config_.kafka.processing == ProcessingGuarantee::kExactlyOnce;
  if (exactly_once && consumer_->AssignmentLost()) {
    return true;  // nothing of a lost assignment commits; OnRevoked drops it next
  }
  if (!BeginTransactionIfNeeded()) {
    return false;
  }
  commit_started_ = clock_.Monotonic();
  outputs_->SealAlerts();
  committing_offsets_.swap(pending_offsets_);
  pending_offsets_.clear();
  // Exactly-once, the offsets are what ties the transaction to this member's group generation
  // (send_offsets_to_transaction sends nothing for an empty list): with nothing consumed (idle
  // timers fired), the last committed ones are committed again.
  const ConsumedOffsets& offsets =
      exactly_once && committing_offsets_.empty() ? committed_offsets_ : committing_offsets_;
  persistence_->StartCommit(shards, consumer_->handle(), offsets, *stop_,
                            [this](bool reachable) { SetBrokerReachable(reachable); });
  return true;
}

bool LiveProcessor::FinishCommit(bool recover) {
  if (!persistence_->committing()) {
    return true;
  }
  ShardPersistence::CommitOutcome commit = persistence_->FinishCommit();
  if (commit.outcome == Transactions::Outcome::kCommitted) {
    for (const auto& [topic_partition, offset] : committing_offsets_) {
      committed_offsets_.insert_or_assign(topic_partition, offset);
    }
  }
  committing_offsets_.clear();
  auto report = [&](bool committed) {
    for (LiveObserver* observer : observers_) {
      observer->OnCommit(clock_.Monotonic() - commit_started_, committed);
    }
  };
  // Stopping, a failed commit is not rolled back: the next owner processes its events again
  // from the committed offsets anyway, and a rollback's calls into the Kafka client (an abort of
  // up to 30 s, a new producer's init_transactions of up to 60 s, the shards' restore) would
  // keep SIGTERM from ending the process while the brokers do not answer.
  recover = recover && !stop_->load();
  switch (commit.outcome) {
    case Transactions::Outcome::kCommitted:
      break;
    case Transactions::Outcome::kAbort:
    case Transactions::Outcome::kProducerFailed:
      if (recover) {
        Recover(commit.outcome == Transactions::Outcome::kProducerFailed);
      } else if (stop_->load()) {
        GiveUpFinalCommit();
      }
      report(false);
      return false;
    case Transactions::Outcome::kGaveUp:
      GiveUpFinalCommit();
      Fail("shutdown while the brokers were unreachable");
      report(false);
      return false;
  }
  ++status_.transactions_committed;
  if (!commit.stores) {
    Fail(commit.stores.error().message());
    return false;
  }
  report(true);
  outputs_->AlertsCommitted(clock_.Monotonic());
  if (!commit.next) {
    spdlog::warn("kafka: cannot begin a transaction: {}", commit.next.error().message());
    if (recover) {
      Recover(true);
    } else if (stop_->load()) {
      GiveUpFinalCommit();
    }
    return false;
  }
  return true;
}

void LiveProcessor::GiveUpFinalCommit() {
  if (!final_commit_failed_) {
    spdlog::warn(
        "run: stopping: the last commit failed; its events will be processed again by the next "
        "owner of their shards");
  }
  final_commit_failed_ = true;
}

void LiveProcessor::Recover(bool new_producer) {
  // Never with a commit in flight: every failure that recovers comes after FinishCommit, and no
  // transaction begins while one is held.
  ++status_.transactions_aborted;
  spdlog::warn("run: rolling back uncommitted work; it will be processed again");
  pending_offsets_.clear();
  outputs_->Drop();
  if (Result<void> rolled_back = persistence_->Rollback(new_producer); !rolled_back) {
    Fail(rolled_back.error().message());
    return;
  }
  std::vector<int> partitions;
  for (const auto& [partition, slot] : shards_) {
    partitions.push_back(partition);
  }
  shards_.clear();
  ++shards_generation_;
  if (revoking_) {
    return;  // the assignment goes: nothing to reopen or rewind
  }
  // The committed offsets first: reading them waits for a transaction still deciding them, so
  // the shards' restore after it sees every state that transaction committed.
  Result<KafkaPartitionList> assigned = persistence_->Rewind(consumer_->handle());
  if (!assigned) {
    Fail(assigned.error().message());
    return;
  }
  for (int p : partitions) {
    if (Result<void> opened = OpenShard(p); !opened) {
      FailRestore(p, opened.error());
      return;
    }
  }
  consumer_->AttachInputQueues(**assigned);
}

Result<void> LiveProcessor::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  running_ = true;
  const CommitSchedule commits = CommitSchedule::For(config_.kafka);
  MonotonicTime last_commit = clock_.Monotonic();
  MonotonicTime last_snapshot = last_commit;
  while (!stop.load() && fatal_error_.empty()) {
    bool busy = false;
    // Processing overlaps a commit for at most kMaxOverlap: a commit the brokers hold up
    // (retries while unreachable) then holds processing up too, so the next batch, its kept
    // outputs and its transaction stay bounded.
    if (!persistence_->committing() || clock_.Monotonic() - commit_started_ < kMaxOverlap) {
      const uint64_t generation = shards_generation_;
      for (auto& [partition, slot] : shards_) {
        busy = FillInputs(slot) || busy;
        busy = DrainShard(slot, kRecordsPerTurn) || busy;
        if (shards_generation_ != generation) {
          break;  // rolled back: `shards_` was rebuilt, this loop's iterator is gone
        }
      }
    }
    std::string fatal_reason;
    const int poll_ms = busy ? 0 : persistence_->committing() ? kPollWhileCommittingMs : kPollMs;
    if (consumer_->Poll(poll_ms, fatal_reason) == GroupConsumer::PollOutcome::kFatal) {
      RejoinWithNewConsumer(fatal_reason);
      continue;
    }
    persistence_->transactions().Poll();
    if (persistence_->commit_done()) {
      FinishCommit();
    }
    MonotonicTime now = clock_.Monotonic();
    if (!persistence_->committing() &&
        commits.Due(now, last_commit, !busy, outputs_->OldestUnsealedAlert())) {
      AdvanceIdleShards();
      StartCommit();
      ServeCustomerRequests();
      last_commit = now;
    }
    if (now - last_snapshot >= kSnapshotEvery) {
      PublishSnapshots();
      last_snapshot = now;
    }
    // The turn's records, and its signals: the shards' and those of deadlines passed while
    // idle (AdvanceIdleShards).
    ReportRecords();
  }
  status_.ready = false;
  running_ = false;
  if (fatal_error_.empty()) {
    spdlog::info("run: stopping: committing processed work");
    CommitCycle();
  } else {
    FinishCommit(false);
  }
  ReportRecords();
  consumer_->Close();
  shards_.clear();
  ++shards_generation_;
  ServeCustomerRequests();
  if (!fatal_error_.empty()) {
    return Err(fatal_error_);
  }
  spdlog::info("run: stopped cleanly");
  return Ok();
}

void LiveProcessor::ServeCustomerRequests() {
  requests_.Serve(
      [this](const std::string& customer_id) -> Shard* {
        if (input_partitions_ <= 0) return nullptr;
        auto slot = shards_.find(CustomerPartition(customer_id, input_partitions_));
        return slot == shards_.end() ? nullptr : slot->second.shard.get();
      },
      config_.rules);
}

void LiveProcessor::PublishSnapshots() {
  if (observers_.empty()) return;
  std::vector<ShardSnapshot> snapshots;
  for (auto& [partition, slot] : shards_) {
    if (!slot.shard) continue;
    ShardSnapshot s;
    s.partition = partition;
    s.watermark = slot.shard->watermark();
    s.max_event_time = slot.shard->max_event_time();
    s.pending_timers = slot.shard->pending_timers();
    CacheStats cache = slot.shard->cache().Stats();
    s.cached_customers = cache.size;
    s.packed_customers = cache.packed;
    s.packing = cache.packing;
    s.cache_bytes = cache.bytes;
    s.input_queue_bytes = slot.inputs.queued_bytes();
    s.cache_hits = cache.hits + cache.packed_hits;
    s.cache_misses = cache.misses;
    s.restore_done = slot.restore.restored_records.load();
    s.restore_total = slot.restore.end_offset.load() - slot.restore.start_offset.load();
    s.store = slot.shard->store().Stats();
    snapshots.push_back(s);
  }
  EventTime wall = clock_.Now();
  for (LiveObserver* observer : observers_) observer->OnShardSnapshots(snapshots, wall);
}

}  // namespace cx
