#include "runtime/kafka/live_processor.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/kafka/damaged_store.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/kafka/kafka_stats.h"
#include "runtime/kafka/partition_owners.h"
#include "runtime/shard/customer_lookup.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/record_key.h"
#include "runtime/shard/state_json.h"
#include "schemas/json_writer.h"

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
// While the brokers do not answer at start (up to kafka.startup_timeout): each metadata request
// waits between these bounds, attempts repeat this often, and a progress line is logged first
// after kFirstBrokerWaitReport, then every kBrokerWaitReportEvery.
constexpr int64_t kBrokerAttemptMinMs = 100;
constexpr int64_t kBrokerAttemptMaxMs = 1000;
constexpr auto kBrokerRetryEvery = std::chrono::milliseconds(200);
constexpr auto kFirstBrokerWaitReport = std::chrono::seconds(1);
constexpr auto kBrokerWaitReportEvery = std::chrono::seconds(5);
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
  transactions_ = std::make_unique<Transactions>(
      config_.kafka, config_.kafka.group_id + "-" + instance_id_, clock_);
  stop_ = &kNeverStop;
}

LiveProcessor::~LiveProcessor() = default;

MergeWaits LiveProcessor::merge_waits() const {
  return {.lagging = std::chrono::milliseconds(config_.kafka.max_merge_wait.ms),
          .idle = std::chrono::milliseconds(config_.kafka.idle_input_wait.ms),
          .first_fetch = kFirstFetchWait};
}

bool LiveProcessor::Start(std::string& error) {
  if (config_.state.dir.empty()) {
    error = "state.dir is not set: cxpulse run needs a directory for its RocksDB state";
    return false;
  }
  if (!CreateConsumer(error)) {
    return false;
  }
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties restore_base = RestoreConsumerProperties(kafka);
  restore_consumer_ =
      CreateKafkaClient(RD_KAFKA_CONSUMER, "the restore consumer",
                        {&restore_base, &kafka.properties, &kafka.consumer_properties}, {}, error);
  if (!restore_consumer_) {
    return false;
  }
  if (!WaitForBrokers(error)) {
    return false;
  }
  input_partitions_ = CheckLiveTopics(consumer_.get(), kafka, clock_, kMetadataTimeoutMs,
                                      kTopicsAppearWithin, kTopicsRetryEvery, error);
  if (input_partitions_ <= 0 || !transactions_->Open(error)) {
    return false;
  }
  cache_per_shard_ = std::max<size_t>(
      kMinCachePerShard, config_.state.cache_customers / static_cast<size_t>(input_partitions_));

  if (!Subscribe(error)) {
    return false;
  }
  spdlog::info(
      "run: instance {} in group {}, {} input partitions, {}", instance_id_, kafka.group_id,
      input_partitions_,
      kafka.processing == ProcessingGuarantee::kExactlyOnce ? "exactly-once" : "at-least-once");
  return true;
}

bool LiveProcessor::CreateConsumer(std::string& error) {
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
  consumer_ = CreateKafkaClient(RD_KAFKA_CONSUMER, "the Kafka consumer",
                                {&base, &kafka.properties, &kafka.consumer_properties, &advertised},
                                callbacks, error);
  return consumer_ != nullptr;
}

bool LiveProcessor::Subscribe(std::string& error) {
  const TopicNames& t = config_.kafka.topics;
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(ShardInputs::kInputs));
  for (const std::string* name : {&t.clicks, &t.calls, &t.chats, &t.surveys}) {
    rd_kafka_topic_partition_list_add(topics.get(), name->c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = std::string("cannot subscribe to the input topics: ") + rd_kafka_err2str(err);
    return false;
  }
  return true;
}

void LiveProcessor::RejoinWithNewConsumer(const std::string& reason) {
  spdlog::warn(
      "kafka: the consumer failed for good ({}); dropping uncommitted work and "
      "rejoining the group with a new consumer",
      reason);
  status_.ready = false;
  std::string error;
  if (!transactions_->Abandon(error)) {
    Fail(error);
    return;
  }
  pending_offsets_.clear();
  pending_alerts_.clear();
  shards_.clear();
  status_.assigned_shards = 0;
  rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  if (!CreateConsumer(error) || !Subscribe(error)) {
    Fail("cannot rejoin the consumer group: " + error);
  }
}

bool LiveProcessor::WaitForBrokers(std::string& error) {
  const KafkaConfig& kafka = config_.kafka;
  const MonotonicTime started = clock_.Monotonic();
  const MonotonicTime give_up = started + std::chrono::milliseconds(kafka.startup_timeout.ms);
  MonotonicTime next_report = started + kFirstBrokerWaitReport;
  TopicPartitionCounts counts;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - clock_.Monotonic());
    int attempt_ms = static_cast<int>(
        std::clamp<int64_t>(left.count(), kBrokerAttemptMinMs, kBrokerAttemptMaxMs));
    if (DescribeTopics(consumer_.get(), attempt_ms, counts, error)) {
      if (next_report > started + kFirstBrokerWaitReport) {
        spdlog::info("run: broker {} answered", kafka.bootstrap_servers);
      }
      return true;
    }
    MonotonicTime now = clock_.Monotonic();
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    if (now >= give_up) {
      error = fmt::format("no answer from broker {} within {:g} s (kafka.startup_timeout): {}",
                          kafka.bootstrap_servers, kafka.startup_timeout.ms / 1000.0, error);
      return false;
    }
    if (now >= next_report) {
      spdlog::warn("run: waiting for broker {} (metadata for {}, {}, {}, {}), {} s so far",
                   kafka.bootstrap_servers, kafka.topics.clicks, kafka.topics.calls,
                   kafka.topics.chats, kafka.topics.surveys, waited);
      next_report = now + kBrokerWaitReportEvery;
    }
    if (stop_->load()) {
      error = "stopped while waiting for broker " + kafka.bootstrap_servers;
      return false;
    }
    std::this_thread::sleep_for(kBrokerRetryEvery);
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

bool LiveProcessor::OpenShard(int partition, std::string& error) {
  ShardSlot& slot = shards_.try_emplace(partition, merge_waits()).first->second;
  StoreOptions options = config_.state.store;
  options.path = ShardStatePath(config_.state.dir, partition);
  auto open_and_restore = [&] {
    std::unique_ptr<StateStore> store = StateStore::Open(options, error);
    if (!store) {
      return false;
    }
    if (!RestoreFromChangelog(restore_consumer_.get(), config_.kafka.topics.changelog, partition,
                              *store, slot.restore, *stop_, error)) {
      return false;
    }
    slot.shard = std::make_unique<Shard>(partition, config_.rules, std::move(store),
                                         cache_per_shard_, static_cast<EmissionSink&>(*this));
    slot.last_event = clock_.Monotonic();
    return slot.shard->Restore(error);
  };
  if (open_and_restore()) {
    return true;
  }
  // A corrupt local store is rebuilt from the changelog, once.
  slot.shard.reset();
  const std::string why = error;
  if (!IsDamagedStoreError(why) || !SetAsideDamagedStore(options.path, partition, why, error)) {
    return false;
  }
  return open_and_restore();
}

void LiveProcessor::Assign(rd_kafka_topic_partition_list_t* partitions) {
  status_.ready = false;
  std::set<int> numbers;
  for (int i = 0; i < partitions->cnt; ++i) {
    numbers.insert(partitions->elems[i].partition);
  }
  for (int p : numbers) {
    std::string error;
    if (!OpenShard(p, error)) {
      shards_.erase(p);
      Fail("cannot restore shard " + std::to_string(p) + ": " + error);
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

void LiveProcessor::OnSignal(const Signal& signal) {
  scratch_.clear();
  AppendSignalJson(signal, scratch_);
  std::string_view value(scratch_);
  transactions_->Produce(config_.kafka.topics.signals, -1, signal.customer_id, &value);
  for (LiveObserver* observer : observers_) observer->OnSignal(signal);
}

void LiveProcessor::OnAlert(const Alert& alert) {
  scratch_.clear();
  AppendAlertJson(alert, scratch_);
  std::string_view value(scratch_);
  transactions_->Produce(config_.kafka.topics.alerts, -1, alert.customer_id, &value);
  if (!observers_.empty()) {
    pending_alerts_.emplace_back(alert, trigger_consumed_at_);
  }
}

void LiveProcessor::OnDeadLetter(const DeadLetter& dead_letter) {
  scratch_.clear();
  AppendDeadLetterJson(dead_letter, scratch_);
  std::string_view value(scratch_);
  transactions_->Produce(config_.kafka.topics.dead_letter, -1, {}, &value);
  ++status_.dead_letters;
  for (LiveObserver* observer : observers_) observer->OnDeadLetter(dead_letter.error);
}

bool LiveProcessor::BeginTransactionIfNeeded() {
  std::string error;
  if (transactions_->BeginIfNeeded(error)) {
    return true;
  }
  spdlog::warn("kafka: cannot begin a transaction: {}", error);
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
  trigger_consumed_at_ = started;
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
    OnDeadLetter(MakeDeadLetter(bytes, why, KafkaSource{topic, message.partition, message.offset}));
    for (LiveObserver* observer : observers_) {
      observer->OnEventProcessed(topic, nullptr, clock_.Monotonic() - started);
    }
    return;
  }
  slot.last_event = started;
  const uint64_t duplicates_before = slot.shard->stats().duplicates;
  const bool processed = slot.shard->Process(event_);
  if (!processed) {
    Fail("state store of shard " + std::to_string(message.partition) +
         " failed: " + slot.shard->last_error());
  }
  const bool applied = processed && slot.shard->stats().duplicates == duplicates_before;
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
  trigger_consumed_at_ = now;
  auto idle_after = std::chrono::milliseconds(config_.kafka.idle_watermark_after.ms);
  EventTime wall = clock_.Now();
  for (auto& [partition, slot] : shards_) {
    if (!slot.shard || now - slot.last_event < idle_after || wall <= slot.shard->watermark()) {
      continue;
    }
    if (slot.shard->pending_timers() > 0 && !BeginTransactionIfNeeded()) {
      return;
    }
    if (!slot.shard->AdvanceWatermark(wall)) {
      Fail("state store of shard " + std::to_string(partition) +
           " failed: " + slot.shard->last_error());
      return;
    }
  }
}

bool LiveProcessor::CommitCycle() {
  bool dirty = !pending_offsets_.empty();
  for (auto& [partition, slot] : shards_) {
    dirty = dirty || (slot.shard && slot.shard->DirtyCount() > 0);
  }
  if (!dirty && !transactions_->pending()) {
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
  const std::string& changelog = config_.kafka.topics.changelog;
  std::vector<std::pair<int, StoreBatch>> batches;
  for (auto& entry : shards_) {
    // Not a structured binding: the lambda below captures the partition number.
    const int partition = entry.first;
    ShardSlot& slot = entry.second;
    if (!slot.shard) {
      continue;
    }
    StoreBatch batch;
    slot.shard->TakeCommitBatch(batch);
    bool changed = false;
    batch.ForEach([&](StoreOp op, std::string_view key, std::string_view value) {
      if (op == StoreOp::kPutCustomer) {
        transactions_->Produce(changelog, partition, key, &value);
        changed = true;
      } else if (op == StoreOp::kDeleteCustomer) {
        transactions_->Produce(changelog, partition, key, nullptr);
        changed = true;
      } else if (op == StoreOp::kPutMeta && key == Shard::kMaxEventTimeKey && changed) {
        std::string meta_key = std::string(kChangelogMetaPrefix) + std::string(key);
        transactions_->Produce(changelog, partition, meta_key, &value);
      }
    });
    batches.emplace_back(partition, std::move(batch));
  }
  KafkaPartitionList offsets(rd_kafka_topic_partition_list_new(
      static_cast<int>(std::max<size_t>(1, pending_offsets_.size()))));
  for (const auto& [topic_partition, offset] : pending_offsets_) {
    rd_kafka_topic_partition_list_add(offsets.get(), topic_partition.first.c_str(),
                                      topic_partition.second)
        ->offset = offset;
  }
  Transactions::Outcome outcome =
      transactions_->Commit(consumer_.get(), offsets.get(), *stop_,
                            [this](bool reachable) { SetBrokerReachable(reachable); });
  switch (outcome) {
    case Transactions::Outcome::kCommitted:
      break;
    case Transactions::Outcome::kAbort:
    case Transactions::Outcome::kProducerFailed:
      Recover(outcome == Transactions::Outcome::kProducerFailed);
      report(false);
      return false;
    case Transactions::Outcome::kGaveUp:
      Fail("shutdown while the brokers were unreachable");
      report(false);
      return false;
  }
  pending_offsets_.clear();
  ++status_.transactions_committed;
  for (auto& [partition, batch] : batches) {
    int64_t last = transactions_->ChangelogOffset(partition);
    if (last >= 0) {
      PutChangelogCheckpoint(batch, last + 1);
    }
    std::string error;
    if (!shards_.at(partition).shard->CommitBatch(batch, error)) {
      Fail("state store of shard " + std::to_string(partition) + " failed: " + error);
      return false;
    }
  }
  report(true);
  MonotonicTime committed_at = clock_.Monotonic();
  for (const auto& [alert, consumed_at] : pending_alerts_) {
    for (LiveObserver* observer : observers_) {
      observer->OnAlertCommitted(alert, committed_at - consumed_at);
    }
  }
  pending_alerts_.clear();
  return true;
}

void LiveProcessor::Recover(bool new_producer) {
  ++status_.transactions_aborted;
  spdlog::warn("run: rolling back uncommitted work; it will be processed again");
  pending_offsets_.clear();
  pending_alerts_.clear();
  std::string error;
  if (!transactions_->Rollback(new_producer, error)) {
    Fail(error);
    return;
  }
  std::vector<int> partitions;
  for (const auto& [partition, slot] : shards_) {
    partitions.push_back(partition);
  }
  shards_.clear();
  for (int p : partitions) {
    if (!OpenShard(p, error)) {
      Fail("cannot restore shard " + std::to_string(p) + ": " + error);
      return;
    }
  }
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return;
  }
  KafkaPartitionList assigned(raw);
  if (assigned->cnt == 0) {
    return;
  }
  if (!RewindToCommitted(consumer_.get(), assigned.get(), kMetadataTimeoutMs, error)) {
    Fail(error);
    return;
  }
  AttachInputQueues(assigned.get());
}

bool LiveProcessor::Run(const std::atomic<bool>& stop, std::string& error) {
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
    transactions_->Poll();
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
    error = fatal_error_;
    return false;
  }
  spdlog::info("run: stopped cleanly");
  return true;
}

void LiveProcessor::RequestCustomer(std::string customer_id, CustomerReply reply) {
  std::lock_guard<std::mutex> lock(requests_mutex_);
  customer_requests_.emplace_back(std::move(customer_id), std::move(reply));
}

void LiveProcessor::ServeCustomerRequests() {
  std::deque<std::pair<std::string, CustomerReply>> requests;
  {
    std::lock_guard<std::mutex> lock(requests_mutex_);
    requests.swap(customer_requests_);
  }
  for (auto& [customer_id, reply] : requests) {
    CustomerAnswer answer;
    auto slot = input_partitions_ > 0
                    ? shards_.find(CustomerPartition(customer_id, input_partitions_))
                    : shards_.end();
    if (slot != shards_.end() && slot->second.shard) {
      Shard& shard = *slot->second.shard;
      CustomerState state;
      std::string error;
      CustomerLookup found = FindCustomer(shard, customer_id, state, error);
      answer.kind = CustomerAnswer::Kind::kNotFound;
      if (found == CustomerLookup::kFound) {
        EventTime as_of = std::max(shard.max_event_time(), state.last_activity);
        AppendCustomerStateJson(customer_id, state, config_.rules, as_of, answer.json);
        answer.kind = CustomerAnswer::Kind::kFound;
      } else if (found != CustomerLookup::kNotFound) {
        spdlog::warn("customers: cannot read a customer of shard {}: {}", slot->first,
                     found == CustomerLookup::kCorrupt ? "undecodable state" : error);
      }
    }
    reply(std::move(answer));
  }
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
