#include "runtime/kafka/live_processor.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_stats.h"
#include "runtime/shard/dead_letters.h"
#include "runtime/shard/state_json.h"
#include "schemas/json_writer.h"
#include "state/customer_state_codec.h"

namespace cx {
namespace {

constexpr int kPollMs = 20;
constexpr size_t kFillBatch = 1000;
// Records one shard processes before the loop looks at the clock again (commits, idle shards):
// keeps every transaction near the commit interval however large the backlog.
constexpr size_t kRecordsPerTurn = 500;
// How long the merge waits for an input's first fetch after an assignment (its offsets are
// looked up first), before it goes on without that input.
constexpr auto kFirstFetchWait = std::chrono::milliseconds(10000);
constexpr int kMetadataTimeoutMs = 15000;
constexpr int kTransactionCallTimeoutMs = 10000;
constexpr auto kDrainBudget = std::chrono::seconds(5);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);

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
    : config_(std::move(config)),
      clock_(clock),
      exactly_once_(config_.kafka.processing == ProcessingGuarantee::kExactlyOnce) {
  if (const char* env = std::getenv("CXPULSE_INSTANCE_ID"); env != nullptr && *env != '\0') {
    config_.kafka.instance_id = env;
  }
  instance_id_ = config_.kafka.instance_id.empty() ? HostName() : config_.kafka.instance_id;
  transactional_id_ = config_.kafka.group_id + "-" + instance_id_;
  stop_ = &kNeverStop;
}

LiveProcessor::~LiveProcessor() = default;

bool LiveProcessor::Start(std::string& error) {
  if (config_.state.dir.empty()) {
    error = "state.dir is not set: cxpulse run needs a directory for its RocksDB state";
    return false;
  }
  if (!CreateConsumer(error)) {
    return false;
  }
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties restore_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", kafka.group_id + "-restore"},
      {"enable.auto.commit", "false"},
      {"isolation.level", "read_committed"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"log.connection.close", "false"},
      // A restore ends at end-of-partition; a store's checkpoint usually points at the last
      // transaction marker, so the default 500 ms fetch wait would delay every shard's restore.
      {"fetch.wait.max.ms", "10"},
  };
  KafkaConf restore_conf =
      MakeKafkaConf({&restore_base, &kafka.properties, &kafka.consumer_properties}, error);
  if (!restore_conf) {
    return false;
  }
  char errstr[512];
  restore_consumer_.reset(
      rd_kafka_new(RD_KAFKA_CONSUMER, restore_conf.get(), errstr, sizeof(errstr)));
  if (!restore_consumer_) {
    error = std::string("cannot create the restore consumer: ") + errstr;
    return false;
  }
  restore_conf.release();
  rd_kafka_poll_set_consumer(restore_consumer_.get());

  if (!CheckTopics(error) || !CreateProducer(error)) {
    return false;
  }
  cache_per_shard_ = std::max<size_t>(
      1000, config_.state.cache_customers / static_cast<size_t>(input_partitions_));

  if (!Subscribe(error)) {
    return false;
  }
  spdlog::info("run: instance {} in group {}, {} input partitions, {}", instance_id_,
               kafka.group_id, input_partitions_, exactly_once_ ? "exactly-once" : "at-least-once");
  return true;
}

bool LiveProcessor::CreateConsumer(std::string& error) {
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties consumer_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", kafka.group_id},
      {"partition.assignment.strategy", "range"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"isolation.level", "read_committed"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "true"},
      {"log.connection.close", "false"},
      {"statistics.interval.ms", "5000"},
  };
  if (!kafka.instance_id.empty()) {
    consumer_base.emplace_back("group.instance.id", kafka.instance_id);
  }
  KafkaConf conf =
      MakeKafkaConf({&consumer_base, &kafka.properties, &kafka.consumer_properties}, error);
  if (!conf) {
    return false;
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &LiveProcessor::OnRebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &LiveProcessor::OnError);
  rd_kafka_conf_set_stats_cb(conf.get(), &LiveProcessor::OnStatistics);
  char errstr[512];
  consumer_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof(errstr)));
  if (!consumer_) {
    error = std::string("cannot create the Kafka consumer: ") + errstr;
    return false;
  }
  conf.release();
  rd_kafka_poll_set_consumer(consumer_.get());
  return true;
}

bool LiveProcessor::Subscribe(std::string& error) {
  const TopicNames& t = config_.kafka.topics;
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(4));
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
  if (exactly_once_ && transaction_open_) {
    KafkaError e(rd_kafka_abort_transaction(producer_->handle(), 30000));
    if (e) {
      producer_.reset();
      std::string error;
      if (!CreateProducer(error)) {
        Fail(error);
        return;
      }
    }
  }
  transaction_open_ = false;
  dirty_outputs_ = false;
  pending_offsets_.clear();
  pending_alerts_.clear();
  shards_.clear();
  status_.assigned_shards = 0;
  rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  std::string error;
  if (!CreateConsumer(error) || !Subscribe(error)) {
    Fail("cannot rejoin the consumer group: " + error);
  }
}

bool LiveProcessor::WaitForBrokers(TopicPartitionCounts& counts, std::string& error) {
  const KafkaConfig& kafka = config_.kafka;
  const auto started = std::chrono::steady_clock::now();
  const auto give_up = started + std::chrono::milliseconds(kafka.startup_timeout.ms);
  auto next_report = started + std::chrono::seconds(1);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        give_up - std::chrono::steady_clock::now());
    int attempt_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 100, 1000));
    if (DescribeTopics(consumer_.get(), attempt_ms, counts, error)) {
      if (next_report > started + std::chrono::seconds(1)) {
        spdlog::info("run: broker {} answered", kafka.bootstrap_servers);
      }
      return true;
    }
    auto now = std::chrono::steady_clock::now();
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
      next_report = now + std::chrono::seconds(5);
    }
    if (stop_->load()) {
      error = "stopped while waiting for broker " + kafka.bootstrap_servers;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool LiveProcessor::CheckTopics(std::string& error) {
  TopicPartitionCounts counts;
  const TopicNames& t = config_.kafka.topics;
  std::string missing;
  if (!WaitForBrokers(counts, error)) {
    return false;
  }
  // Topics created just before the start may take a moment to appear in every broker's metadata.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    counts.clear();
    missing.clear();
    if (!DescribeTopics(consumer_.get(), kMetadataTimeoutMs, counts, error)) {
      return false;
    }
    for (const std::string* name :
         {&t.clicks, &t.calls, &t.chats, &t.surveys, &t.signals, &t.alerts, &t.dead_letter}) {
      if (counts.find(*name) == counts.end()) {
        missing += (missing.empty() ? "" : ", ") + *name;
      }
    }
    if (missing.empty() || std::chrono::steady_clock::now() >= give_up) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (!missing.empty()) {
    error = "missing topics on " + config_.kafka.bootstrap_servers + ": " + missing +
            " (create them first)";
    return false;
  }
  input_partitions_ = counts[t.clicks];
  for (const std::string* name : {&t.calls, &t.chats, &t.surveys}) {
    if (counts[*name] != input_partitions_) {
      error = "input topics are not co-partitioned: " + t.clicks + " has " +
              std::to_string(input_partitions_) + " partitions but " + *name + " has " +
              std::to_string(counts[*name]) + "; all four must have the same count";
      return false;
    }
  }
  auto changelog = counts.find(t.changelog);
  if (changelog == counts.end()) {
    spdlog::info("run: creating changelog topic {} ({} partitions, compacted)", t.changelog,
                 input_partitions_);
    return CreateCompactedTopic(consumer_.get(), t.changelog, input_partitions_, kMetadataTimeoutMs,
                                error);
  }
  if (changelog->second < input_partitions_) {
    error = "changelog topic " + t.changelog + " has " + std::to_string(changelog->second) +
            " partitions, fewer than the " + std::to_string(input_partitions_) +
            " input partitions";
    return false;
  }
  return true;
}

bool LiveProcessor::CreateProducer(std::string& error) {
  producer_ = KafkaProducer::Create(config_.kafka, transactional_id_, error);
  if (!producer_) {
    return false;
  }
  if (exactly_once_) {
    KafkaError e(rd_kafka_init_transactions(producer_->handle(), 60000));
    if (e) {
      error =
          std::string("cannot initialise Kafka transactions: ") + rd_kafka_error_string(e.get());
      return false;
    }
  }
  return true;
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
  ShardSlot& slot = shards_[partition];
  StoreOptions options = config_.state.store;
  options.path = ShardStatePath(config_.state.dir, partition);
  std::unique_ptr<StateStore> store = StateStore::Open(options, error);
  if (!store) {
    return false;
  }
  ++status_.restoring_shards;
  bool restored = RestoreFromChangelog(restore_consumer_.get(), config_.kafka.topics.changelog,
                                       partition, *store, slot.restore, *stop_, error);
  --status_.restoring_shards;
  if (!restored) {
    return false;
  }
  slot.shard = std::make_unique<Shard>(partition, config_.rules, std::move(store), cache_per_shard_,
                                       static_cast<EmissionSink&>(*this));
  slot.last_event = std::chrono::steady_clock::now();
  return slot.shard->Restore(error);
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
  producer_->Produce(config_.kafka.topics.signals, -1, signal.customer_id, &value);
  dirty_outputs_ = true;
  for (LiveObserver* observer : observers_) observer->OnSignal(signal);
}

void LiveProcessor::OnAlert(const Alert& alert) {
  scratch_.clear();
  AppendAlertJson(alert, scratch_);
  std::string_view value(scratch_);
  producer_->Produce(config_.kafka.topics.alerts, -1, alert.customer_id, &value);
  if (!observers_.empty()) {
    pending_alerts_.emplace_back(alert, trigger_consumed_at_);
  }
  dirty_outputs_ = true;
}

void LiveProcessor::OnDeadLetter(const DeadLetter& dead_letter) {
  scratch_.clear();
  AppendDeadLetterJson(dead_letter, scratch_);
  std::string_view value(scratch_);
  producer_->Produce(config_.kafka.topics.dead_letter, -1, {}, &value);
  ++status_.dead_letters;
  dirty_outputs_ = true;
  for (LiveObserver* observer : observers_) observer->OnDeadLetter(dead_letter.error);
}

bool LiveProcessor::BeginTransactionIfNeeded() {
  if (!exactly_once_ || transaction_open_) {
    return true;
  }
  KafkaError e(rd_kafka_begin_transaction(producer_->handle()));
  if (e) {
    spdlog::warn("kafka: cannot begin a transaction: {}", rd_kafka_error_string(e.get()));
    Recover(true);
    return false;
  }
  transaction_open_ = true;
  return true;
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
    rd_kafka_queue_forward(queue, nullptr);
    it->second.inputs[static_cast<size_t>(input)].source.reset(queue);
  }
}

void LiveProcessor::EnqueueFromConsumerQueue(KafkaMessage message) {
  if (message->rkt == nullptr) return;
  int input = InputIndex(rd_kafka_topic_name(message->rkt));
  auto it = shards_.find(message->partition);
  if (input < 0 || it == shards_.end() || !it->second.shard) return;
  std::deque<KafkaMessage>& records = it->second.inputs[static_cast<size_t>(input)].records;
  auto pos = std::upper_bound(
      records.begin(), records.end(), message->offset,
      [](int64_t offset, const KafkaMessage& queued) { return offset < queued->offset; });
  it->second.inputs[static_cast<size_t>(input)].at_end = false;
  records.insert(pos, std::move(message));
}

bool LiveProcessor::FillInputs(ShardSlot& slot) {
  bool pulled = false;
  rd_kafka_message_t* batch[kFillBatch];
  for (InputQueue& input : slot.inputs) {
    if (!input.records.empty() || !input.source) continue;
    ssize_t n = rd_kafka_consume_batch_queue(input.source.get(), 0, batch, kFillBatch);
    for (ssize_t i = 0; i < n; ++i) {
      KafkaMessage message(batch[i]);
      pulled = true;
      input.answered = true;
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        input.at_end = true;
      } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::debug("kafka: consumer: {}", rd_kafka_err2str(message->err));
      } else {
        SetBrokerReachable(true);
        input.at_end = false;
        input.records.push_back(std::move(message));
      }
    }
  }
  return pulled;
}

bool LiveProcessor::DrainShard(int /*partition*/, ShardSlot& slot, size_t budget) {
  auto lagging_wait = std::chrono::milliseconds(config_.kafka.max_merge_wait.ms);
  auto idle_wait = std::chrono::milliseconds(config_.kafka.idle_input_wait.ms);
  // A record stamped further ahead than events may be is a dead letter to be: it must not hold
  // back the other inputs until they run dry, so it sorts first.
  int64_t implausible_after = (clock_.Now() + config_.kafka.max_future).ms;
  for (size_t processed = 0; fatal_error_.empty() && slot.shard; ++processed) {
    if (processed == budget) {
      return true;
    }
    int best = -1;
    int64_t best_ts = 0;
    bool lagging = false;
    bool unanswered = false;
    bool idle = false;
    for (int i = 0; i < 4; ++i) {
      InputQueue& queue = slot.inputs[static_cast<size_t>(i)];
      if (queue.records.empty()) {
        lagging = lagging || !queue.at_end;
        unanswered = unanswered || !queue.answered;
        idle = idle || queue.at_end;
        continue;
      }
      int64_t ts = rd_kafka_message_timestamp(queue.records.front().get(), nullptr);
      if (ts > implausible_after) {
        ts = -1;
      }
      if (best < 0 || ts < best_ts) {
        best = i;
        best_ts = ts;
      }
    }
    if (best < 0) {
      slot.waiting_since = {};
      return false;
    }
    bool behind = lagging || (idle && idle_wait.count() > 0);
    if (behind) {
      auto now = std::chrono::steady_clock::now();
      if (slot.waiting_since == std::chrono::steady_clock::time_point{}) {
        slot.waiting_since = now;
      }
      auto limit = unanswered ? std::max(lagging_wait, kFirstFetchWait)
                              : (lagging ? lagging_wait : idle_wait);
      if (now - slot.waiting_since < limit) {
        return false;
      }
    } else {
      slot.waiting_since = {};
    }
    InputQueue& queue = slot.inputs[static_cast<size_t>(best)];
    KafkaMessage message = std::move(queue.records.front());
    queue.records.pop_front();
    ProcessRecord(slot, *message);
    if (queue.records.empty()) {
      FillInputs(slot);
    }
  }
  return false;
}

void LiveProcessor::ProcessRecord(ShardSlot& slot, const rd_kafka_message_t& message) {
  if (!BeginTransactionIfNeeded()) {
    return;
  }
  auto started = std::chrono::steady_clock::now();
  trigger_consumed_at_ = started;
  const char* topic = rd_kafka_topic_name(message.rkt);
  int64_t& next_offset = pending_offsets_[{topic, message.partition}];
  next_offset = std::max(next_offset, message.offset + 1);
  ++status_.events_consumed;
  std::string_view bytes(static_cast<const char*>(message.payload),
                         message.payload == nullptr ? 0 : message.len);
  DecodeFailure why;
  EventTime not_after = clock_.Now() + config_.kafka.max_future;
  if (decoder_.Decode(bytes, not_after, event_, why) != DecodeError::kOk) {
    OnDeadLetter(MakeDeadLetter(bytes, why, KafkaSource{topic, message.partition, message.offset}));
    for (LiveObserver* observer : observers_) {
      observer->OnEventProcessed(topic, nullptr, std::chrono::steady_clock::now() - started);
    }
    return;
  }
  slot.last_event = started;
  if (!slot.shard->Process(event_)) {
    Fail("state store of shard " + std::to_string(message.partition) +
         " failed: " + slot.shard->last_error());
  }
  for (LiveObserver* observer : observers_) {
    observer->OnEventProcessed(topic, &event_, std::chrono::steady_clock::now() - started);
  }
}

void LiveProcessor::AdvanceIdleShards() {
  if (config_.kafka.idle_watermark_after.ms <= 0) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
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

bool LiveProcessor::CommitTransaction(rd_kafka_topic_partition_list_t* offsets) {
  rd_kafka_t* producer = producer_->handle();
  auto backoff = std::chrono::milliseconds(100);
  auto drain_deadline = std::chrono::steady_clock::now() + kDrainBudget;
  bool offsets_sent = offsets->cnt == 0;
  for (;;) {
    KafkaError e;
    if (!offsets_sent) {
      KafkaGroupMetadata group(rd_kafka_consumer_group_metadata(consumer_.get()));
      e.reset(rd_kafka_send_offsets_to_transaction(producer, offsets, group.get(),
                                                   kTransactionCallTimeoutMs));
      offsets_sent = !e;
    }
    if (!e) {
      e.reset(rd_kafka_commit_transaction(producer, kTransactionCallTimeoutMs));
      if (!e) {
        SetBrokerReachable(true);
        return true;
      }
    }
    if (rd_kafka_error_txn_requires_abort(e.get())) {
      spdlog::warn("kafka: transaction must be aborted: {}", rd_kafka_error_string(e.get()));
      Recover(false);
      return false;
    }
    if (!rd_kafka_error_is_retriable(e.get())) {
      spdlog::warn("kafka: transaction failed: {}", rd_kafka_error_string(e.get()));
      Recover(true);
      return false;
    }
    SetBrokerReachable(false);
    if (stop_->load() && std::chrono::steady_clock::now() >= drain_deadline) {
      spdlog::warn(
          "kafka: could not commit the last transaction before shutdown; its events "
          "will be processed again on restart");
      Fail("shutdown while the brokers were unreachable");
      return false;
    }
    std::this_thread::sleep_for(backoff);
    backoff =
        std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
  }
}

bool LiveProcessor::CommitCycle() {
  bool dirty = dirty_outputs_ || !pending_offsets_.empty();
  for (auto& [partition, slot] : shards_) {
    dirty = dirty || (slot.shard && slot.shard->DirtyCount() > 0);
  }
  if (!dirty && !transaction_open_) {
    return true;
  }
  if (!BeginTransactionIfNeeded()) {
    return false;
  }
  auto started = std::chrono::steady_clock::now();
  auto report = [&](bool committed) {
    for (LiveObserver* observer : observers_) {
      observer->OnCommit(std::chrono::steady_clock::now() - started, committed);
    }
  };
  const std::string& changelog = config_.kafka.topics.changelog;
  std::vector<std::pair<int, StoreBatch>> batches;
  for (auto& [partition, slot] : shards_) {
    if (!slot.shard) {
      continue;
    }
    StoreBatch batch;
    slot.shard->TakeCommitBatch(batch);
    bool changed = false;
    batch.ForEach([&](StoreOp op, std::string_view key, std::string_view value) {
      if (op == StoreOp::kPutCustomer) {
        producer_->Produce(changelog, partition, key, &value);
        changed = true;
      } else if (op == StoreOp::kDeleteCustomer) {
        producer_->Produce(changelog, partition, key, nullptr);
        changed = true;
      } else if (op == StoreOp::kPutMeta && key == Shard::kMaxEventTimeKey && changed) {
        std::string meta_key = std::string(kChangelogMetaPrefix) + std::string(key);
        producer_->Produce(changelog, partition, meta_key, &value);
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
  if (exactly_once_) {
    if (producer_->TakeDeliveryFailures() > 0) {
      // A record that could not even be enqueued is not in the transaction: committing it
      // would lose that output while its input counts as processed.
      spdlog::warn("kafka: some outputs could not be enqueued; processing them again");
      Recover(false);
      report(false);
      return false;
    }
    if (!CommitTransaction(offsets.get())) {
      report(false);
      return false;
    }
  } else {
    bool flushed = producer_->Flush(30000);
    if (!flushed || producer_->TakeDeliveryFailures() > 0) {
      spdlog::warn("kafka: some outputs were not delivered; processing them again");
      Recover(false);
      report(false);
      return false;
    }
    if (offsets->cnt > 0) {
      rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), offsets.get(), 0);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("kafka: offset commit failed ({}); events may be processed again",
                     rd_kafka_err2str(err));
      }
    }
  }
  transaction_open_ = false;
  dirty_outputs_ = false;
  pending_offsets_.clear();
  ++status_.transactions_committed;
  for (auto& [partition, batch] : batches) {
    int64_t last = producer_->ChangelogOffset(partition);
    if (last >= 0) {
      PutChangelogCheckpoint(batch, last + 1);
    }
    std::string error;
    if (!shards_[partition].shard->CommitBatch(batch, error)) {
      Fail("state store of shard " + std::to_string(partition) + " failed: " + error);
      return false;
    }
  }
  report(true);
  auto committed_at = std::chrono::steady_clock::now();
  for (const auto& [alert, consumed_at] : pending_alerts_) {
    for (LiveObserver* observer : observers_) {
      observer->OnAlertCommitted(alert, committed_at - consumed_at);
    }
  }
  pending_alerts_.clear();
  return true;
}

void LiveProcessor::Recover(bool fatal) {
  ++status_.transactions_aborted;
  spdlog::warn("run: rolling back uncommitted work; it will be processed again");
  if (exactly_once_ && !fatal && transaction_open_) {
    KafkaError e(rd_kafka_abort_transaction(producer_->handle(), 30000));
    if (e) {
      spdlog::warn("kafka: abort failed ({}); re-creating the producer",
                   rd_kafka_error_string(e.get()));
      fatal = true;
    }
  }
  transaction_open_ = false;
  dirty_outputs_ = false;
  pending_offsets_.clear();
  pending_alerts_.clear();
  if (!fatal && exactly_once_ && producer_) {
    (void)producer_->TakeDeliveryFailures();  // failures of the aborted transaction
  }
  if (fatal || !exactly_once_) {
    producer_.reset();
    std::string error;
    if (!CreateProducer(error)) {
      Fail(error);
      return;
    }
  }
  std::vector<int> partitions;
  for (const auto& [partition, slot] : shards_) {
    partitions.push_back(partition);
  }
  shards_.clear();
  for (int p : partitions) {
    std::string error;
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
  if (rd_kafka_committed(consumer_.get(), assigned.get(), kMetadataTimeoutMs) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    Fail("cannot read the committed offsets to rewind to");
    return;
  }
  for (int i = 0; i < assigned->cnt; ++i) {
    if (assigned->elems[i].offset < 0) {
      assigned->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  KafkaError e(rd_kafka_seek_partitions(consumer_.get(), assigned.get(), kMetadataTimeoutMs));
  if (e) {
    Fail(std::string("cannot rewind the consumer: ") + rd_kafka_error_string(e.get()));
  }
  AttachInputQueues(assigned.get());
}

bool LiveProcessor::Run(const std::atomic<bool>& stop, std::string& error) {
  stop_ = &stop;
  running_ = true;
  auto commit_every = std::chrono::milliseconds(config_.kafka.commit_interval.ms);
  auto last_commit = std::chrono::steady_clock::now();
  auto last_snapshot = last_commit;
  while (!stop.load() && fatal_error_.empty()) {
    bool busy = false;
    for (auto& [partition, slot] : shards_) {
      busy = FillInputs(slot) || busy;
      busy = DrainShard(partition, slot, kRecordsPerTurn) || busy;
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
    producer_->Poll();
    auto now = std::chrono::steady_clock::now();
    if (now - last_commit >= commit_every) {
      AdvanceIdleShards();
      CommitCycle();
      ServeCustomerRequests();
      last_commit = now;
    }
    if (now - last_snapshot >= std::chrono::seconds(1)) {
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
    std::optional<std::string> json;
    for (auto& [partition, slot] : shards_) {
      if (!slot.shard) continue;
      CustomerState state;
      bool found = false;
      if (slot.shard->cache().Contains(customer_id)) {
        CacheLoad load = slot.shard->cache().GetOrLoad(customer_id);
        if (load.state != nullptr) {
          state = *load.state;
          found = true;
        }
      } else {
        std::string bytes;
        found = slot.shard->store().GetCustomer(customer_id, bytes).IsOk() &&
                DecodeCustomerState(bytes, state);
      }
      if (found) {
        std::string out;
        EventTime as_of = std::max(slot.shard->max_event_time(), state.last_activity);
        AppendCustomerStateJson(customer_id, state, config_.rules, as_of, out);
        json = std::move(out);
        break;
      }
    }
    reply(std::move(json));
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
