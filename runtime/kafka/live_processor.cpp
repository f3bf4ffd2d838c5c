#include "runtime/kafka/live_processor.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/kafka/kafka_stats.h"
#include "runtime/kafka/partition_owners.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/record_key.h"

namespace cx {
namespace {

// How long the run loop waits for the consumer queue when no shard had work.
constexpr int kPollMs = 20;
// Records one shard processes before the loop looks at the clock again (commits, idle shards):
// keeps every transaction near the commit interval however large the backlog.
constexpr size_t kRecordsPerTurn = 500;
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

LiveProcessor::LiveProcessor(AppConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {
  if (const char* env = std::getenv("CXPULSE_INSTANCE_ID"); env != nullptr && *env != '\0') {
    config_.kafka.instance_id = env;
  }
  instance_id_ = config_.kafka.instance_id.empty() ? HostName() : config_.kafka.instance_id;
  persistence_ = std::make_unique<ShardPersistence>(
      config_, config_.kafka.group_id + "-" + instance_id_, clock_);
  outputs_ = std::make_unique<LiveOutputs>(config_.kafka.topics, persistence_->transactions(),
                                           status_, observers_);
  stop_ = &kNeverStop;
}

LiveProcessor::~LiveProcessor() = default;

MergeWaits LiveProcessor::merge_waits() const {
  return {.lagging = std::chrono::milliseconds(config_.kafka.max_merge_wait.ms),
          .idle = std::chrono::milliseconds(config_.kafka.idle_input_wait.ms),
          .first_fetch = kFirstFetchWait};
}

Result<void> LiveProcessor::Start() {
  if (config_.state.dir.empty()) {
    return Err("state.dir is not set: cxpulse run needs a directory for its RocksDB state");
  }
  if (Result<void> created = CreateConsumer(); !created) {
    return created;
  }
  const KafkaConfig& kafka = config_.kafka;
  if (Result<void> answered = WaitForBrokers(consumer_.get(), kafka, clock_, *stop_, access_);
      !answered) {
    return answered;
  }
  Result<int> partitions = CheckLiveTopics(consumer_.get(), kafka, clock_, kMetadataTimeoutMs,
                                           kTopicsAppearWithin, kTopicsRetryEvery);
  if (!partitions) {
    return partitions.error();
  }
  input_partitions_ = *partitions;
  if (Result<void> opened = persistence_->Open(); !opened) {
    return opened;
  }
  cache_per_shard_ = std::max<size_t>(
      kMinCachePerShard, config_.state.cache_customers / static_cast<size_t>(input_partitions_));

  if (Result<void> subscribed = Subscribe(); !subscribed) {
    return subscribed;
  }
  spdlog::info(
      "run: instance {} in group {}, {} input partitions, {}", instance_id_, kafka.group_id,
      input_partitions_,
      kafka.processing == ProcessingGuarantee::kExactlyOnce ? "exactly-once" : "at-least-once");
  return Ok();
}

Result<void> LiveProcessor::CreateConsumer() {
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties base = GroupConsumerProperties(kafka);
  KafkaProperties advertised;
  if (!advertised_http_.empty()) {
    advertised.emplace_back("client.id", AdvertisingClientId(kafka, advertised_http_));
  }
  KafkaCallbacks callbacks;
  callbacks.opaque = this;
  callbacks.rebalance = &LiveProcessor::OnRebalance;
  callbacks.error = &LiveProcessor::OnError;
  callbacks.statistics = &LiveProcessor::OnStatistics;
  Result<KafkaHandle> consumer = CreateKafkaClient(
      RD_KAFKA_CONSUMER, "the Kafka consumer",
      {&base, &kafka.properties, &kafka.consumer_properties, &advertised}, callbacks);
  if (!consumer) {
    return consumer.error();
  }
  consumer_ = std::move(consumer).value();
  return Ok();
}

Result<void> LiveProcessor::Subscribe() {
  const TopicNames& t = config_.kafka.topics;
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(ShardInputs::kInputs));
  for (const std::string* name : {&t.clicks, &t.calls, &t.chats, &t.surveys}) {
    rd_kafka_topic_partition_list_add(topics.get(), name->c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot subscribe to the input topics: ") + rd_kafka_err2str(err));
  }
  return Ok();
}

void LiveProcessor::RejoinWithNewConsumer(const std::string& reason) {
  spdlog::warn(
      "kafka: the consumer failed for good ({}); dropping uncommitted work and "
      "rejoining the group with a new consumer",
      reason);
  status_.ready = false;
  if (Result<void> abandoned = persistence_->transactions().Abandon(); !abandoned) {
    Fail(abandoned.error().message());
    return;
  }
  pending_offsets_.clear();
  outputs_->Drop();
  shards_.clear();
  status_.assigned_shards = 0;
  rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  Result<void> rejoined = CreateConsumer();
  if (rejoined) {
    rejoined = Subscribe();
  }
  if (!rejoined) {
    Fail("cannot rejoin the consumer group: " + rejoined.error().message());
  }
}

void LiveProcessor::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<LiveProcessor*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(partitions);
    // Detach the partition queues before the fetchers start, so no record of an assigned
    // partition is delivered through the consumer queue.
    self->AttachInputQueues(partitions);
    rd_kafka_assign(rk, partitions);
    self->status_.ready = self->fatal_error_.empty();
  } else {
    self->Revoke();
    rd_kafka_assign(rk, nullptr);
  }
}

void LiveProcessor::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<LiveProcessor*>(opaque);
  self->access_.Record(err, reason);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
    self->SetBrokerReachable(false);
    return;
  }
  spdlog::debug("kafka: {}", reason);
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

Result<void> LiveProcessor::OpenShard(int partition) {
  ShardSlot& slot = shards_.try_emplace(partition, merge_waits()).first->second;
  Result<std::unique_ptr<Shard>> shard =
      persistence_->OpenShard(partition, cache_per_shard_, *outputs_, slot.restore, *stop_);
  if (!shard) {
    return shard.error();
  }
  slot.shard = std::move(shard).value();
  slot.last_event = clock_.Monotonic();
  return Ok();
}

void LiveProcessor::Assign(rd_kafka_topic_partition_list_t* partitions) {
  status_.ready = false;
  std::set<int> numbers;
  for (int i = 0; i < partitions->cnt; ++i) {
    numbers.insert(partitions->elems[i].partition);
  }
  for (int p : numbers) {
    if (Result<void> opened = OpenShard(p); !opened) {
      shards_.erase(p);
      Fail("cannot restore shard " + std::to_string(p) + ": " + opened.error().message());
      return;
    }
  }
  status_.assigned_shards = static_cast<int>(shards_.size());
  for (LiveObserver* observer : observers_) observer->OnRebalance(status_.assigned_shards);
  spdlog::info("run: assigned {} shard(s), restored and consuming", shards_.size());
}

void LiveProcessor::Revoke() {
  status_.ready = false;
  if (!shards_.empty()) {
    CommitCycle();
  }
  shards_.clear();
  pending_offsets_.clear();
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

int LiveProcessor::InputIndex(std::string_view topic) const {
  const TopicNames& t = config_.kafka.topics;
  if (topic == t.clicks) return 0;
  if (topic == t.calls) return 1;
  if (topic == t.chats) return 2;
  if (topic == t.surveys) return 3;
  return -1;
}

void LiveProcessor::AttachInputQueues(rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions->elems[i];
    int input = InputIndex(tp.topic);
    auto it = shards_.find(tp.partition);
    if (input < 0 || it == shards_.end()) continue;
    rd_kafka_queue_t* queue = rd_kafka_queue_get_partition(consumer_.get(), tp.topic, tp.partition);
    if (queue == nullptr) continue;
    it->second.inputs.Attach(static_cast<size_t>(input), queue);
  }
}

void LiveProcessor::EnqueueFromConsumerQueue(KafkaMessage message) {
  if (message->rkt == nullptr) return;
  int input = InputIndex(rd_kafka_topic_name(message->rkt));
  auto it = shards_.find(message->partition);
  if (input < 0 || it == shards_.end() || !it->second.shard) return;
  it->second.inputs.Enqueue(static_cast<size_t>(input), std::move(message));
}

bool LiveProcessor::FillInputs(ShardSlot& slot) {
  bool got_record = false;
  bool pulled = slot.inputs.Fill(got_record);
  if (got_record) {
    SetBrokerReachable(true);
  }
  return pulled;
}

bool LiveProcessor::DrainShard(ShardSlot& slot, size_t budget) {
  // A record stamped further ahead than events may be is a dead letter to be: it must not hold
  // back the other inputs until they run dry, so it sorts first.
  int64_t implausible_after = (clock_.Now() + config_.kafka.max_future).ms;
  for (size_t processed = 0; fatal_error_.empty() && slot.shard; ++processed) {
    if (processed == budget) {
      return true;
    }
    int next = slot.inputs.Next(implausible_after, clock_.Monotonic());
    if (next == InputMerger::kNone) {
      return false;
    }
    KafkaMessage message = slot.inputs.Pop(next);
    ProcessRecord(slot, *message);
    if (slot.inputs.Empty(next)) {
      FillInputs(slot);
    }
  }
  return false;
}

void LiveProcessor::ProcessRecord(ShardSlot& slot, const rd_kafka_message_t& message) {
  if (!BeginTransactionIfNeeded()) {
    return;
  }
  MonotonicTime started = clock_.Monotonic();
  outputs_->SetTrigger(started);
  const char* topic = rd_kafka_topic_name(message.rkt);
  int64_t& next_offset = pending_offsets_[{topic, message.partition}];
  next_offset = std::max(next_offset, message.offset + 1);
  ++status_.events_consumed;
  std::string_view bytes(static_cast<const char*>(message.payload),
                         message.payload == nullptr ? 0 : message.len);
  DecodeFailure why;
  EventTime not_after = clock_.Now() + config_.kafka.max_future;
  std::optional<std::string_view> key;
  if (message.key != nullptr) {
    key.emplace(static_cast<const char*>(message.key), message.key_len);
  }
  if (decoder_.Decode(bytes, not_after, event_, why) != DecodeError::kOk ||
      !CheckRecordKey(key, event_.customer_id, why)) {
    outputs_->OnDeadLetter(
        MakeDeadLetter(bytes, why, KafkaSource{topic, message.partition, message.offset}));
    for (LiveObserver* observer : observers_) {
      observer->OnEventProcessed(topic, nullptr, clock_.Monotonic() - started);
    }
    return;
  }
  slot.last_event = started;
  const uint64_t duplicates_before = slot.shard->stats().duplicates;
  Result<void> processed = slot.shard->Process(event_);
  if (!processed) {
    Fail("state store of shard " + std::to_string(message.partition) +
         " failed: " + processed.error().message());
  }
  const bool applied =
      static_cast<bool>(processed) && slot.shard->stats().duplicates == duplicates_before;
  for (LiveObserver* observer : observers_) {
    observer->OnEventProcessed(topic, &event_, clock_.Monotonic() - started);
    if (applied) observer->OnEventApplied(event_);
  }
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
  bool dirty = !pending_offsets_.empty();
  std::vector<ShardPersistence::ShardRef> shards;
  for (auto& [partition, slot] : shards_) {
    if (slot.shard) {
      shards.emplace_back(partition, slot.shard.get());
      dirty = dirty || slot.shard->DirtyCount() > 0;
    }
  }
  if (!dirty && !persistence_->transactions().pending()) {
    return true;
  }
  if (!BeginTransactionIfNeeded()) {
    return false;
  }
  MonotonicTime started = clock_.Monotonic();
  auto report = [&](bool committed) {
    for (LiveObserver* observer : observers_) {
      observer->OnCommit(clock_.Monotonic() - started, committed);
    }
  };
  ShardPersistence::CommitOutcome commit =
      persistence_->Commit(shards, consumer_.get(), pending_offsets_, *stop_,
                           [this](bool reachable) { SetBrokerReachable(reachable); });
  switch (commit.outcome) {
    case Transactions::Outcome::kCommitted:
      break;
    case Transactions::Outcome::kAbort:
    case Transactions::Outcome::kProducerFailed:
      Recover(commit.outcome == Transactions::Outcome::kProducerFailed);
      report(false);
      return false;
    case Transactions::Outcome::kGaveUp:
      Fail("shutdown while the brokers were unreachable");
      report(false);
      return false;
  }
  pending_offsets_.clear();
  ++status_.transactions_committed;
  if (!commit.stores) {
    Fail(commit.stores.error().message());
    return false;
  }
  report(true);
  outputs_->AlertsCommitted(clock_.Monotonic());
  return true;
}

void LiveProcessor::Recover(bool new_producer) {
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
  for (int p : partitions) {
    if (Result<void> opened = OpenShard(p); !opened) {
      Fail("cannot restore shard " + std::to_string(p) + ": " + opened.error().message());
      return;
    }
  }
  Result<KafkaPartitionList> assigned = persistence_->Rewind(consumer_.get());
  if (!assigned) {
    Fail(assigned.error().message());
    return;
  }
  AttachInputQueues(assigned->get());
}

Result<void> LiveProcessor::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  running_ = true;
  auto commit_every = std::chrono::milliseconds(config_.kafka.commit_interval.ms);
  MonotonicTime last_commit = clock_.Monotonic();
  MonotonicTime last_snapshot = last_commit;
  while (!stop.load() && fatal_error_.empty()) {
    bool busy = false;
    for (auto& [partition, slot] : shards_) {
      busy = FillInputs(slot) || busy;
      busy = DrainShard(slot, kRecordsPerTurn) || busy;
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), busy ? 0 : kPollMs));
    if (message && message->err == RD_KAFKA_RESP_ERR__FATAL) {
      // The consumer is unusable from now on (e.g. a static member fenced after its session
      // expired during a broker outage): replace it rather than stay up without consuming.
      char detail[512] = {};
      rd_kafka_fatal_error(consumer_.get(), detail, sizeof(detail));
      message.reset();
      RejoinWithNewConsumer(detail);
      continue;
    } else if (message && message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      EnqueueFromConsumerQueue(std::move(message));
    } else if (message && message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::debug("kafka: consumer: {}", rd_kafka_message_errstr(message.get()));
    }
    persistence_->transactions().Poll();
    MonotonicTime now = clock_.Monotonic();
    if (now - last_commit >= commit_every) {
      AdvanceIdleShards();
      CommitCycle();
      ServeCustomerRequests();
      last_commit = now;
    }
    if (now - last_snapshot >= kSnapshotEvery) {
      PublishSnapshots();
      last_snapshot = now;
    }
  }
  status_.ready = false;
  running_ = false;
  if (fatal_error_.empty()) {
    spdlog::info("run: stopping: committing processed work");
    CommitCycle();
  }
  rd_kafka_consumer_close(consumer_.get());
  shards_.clear();
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
    s.cache_hits = cache.hits;
    s.cache_misses = cache.misses;
    s.restore_done = slot.restore.restored_records.load();
    s.restore_total = slot.restore.end_offset.load() - slot.restore.start_offset.load();
    s.store = slot.shard->store().Stats();
    snapshots.push_back(s);
  }
  EventTime wall = clock_.Now();
  for (LiveObserver* observer : observers_) observer->OnShardSnapshots(snapshots, wall);
}

int LiveProcessor::OnStatistics(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  auto* self = static_cast<LiveProcessor*>(opaque);
  if (!self->observers_.empty()) {
    std::vector<PartitionLag> lags = ParseConsumerLag(std::string_view(json, json_len));
    if (!lags.empty()) {
      for (LiveObserver* observer : self->observers_) observer->OnConsumerLag(lags);
    }
  }
  return 0;  // librdkafka frees `json`
}

}  // namespace cx
