#include "runtime/outreach/outreach_service.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "outreach/alert_reader.h"
#include "outreach/command_json.h"
#include "outreach/routing.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/outreach/outreach_api.h"
#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Live, the fold follows the wall clock this far behind, so a command stamped by another
// instance's clock and read back a little later still finds the fold before its time (every
// instance, and a rebuild, then apply it at its own ts).
constexpr Duration kClockGrace = Duration::Seconds(5);
constexpr size_t kBatch = 2000;

HttpReply ToReply(ApiResponse response) { return {response.status, std::move(response.body)}; }

HttpReply Error(unsigned status, std::string_view message) {
  return ToReply(ErrorResponse(status, message));
}

CaseRules RulesOf(const OutreachConfig& config, const RoutingConfig& routing) {
  CaseRules rules;
  rules.routes_to_cases = [&routing](const Alert& alert) { return RoutesToCases(routing, alert); };
  rules.claim_lapse = config.claim_lapse;
  rules.escalate_after = config.escalate_after;
  rules.resolved_retention = config.resolved_retention;
  return rules;
}

// An alert record's JSON without the whitespace around it (one SSE data line, one array item).
std::string TrimmedJson(std::string_view json) {
  const size_t begin = json.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  return std::string(json.substr(begin, json.find_last_not_of(" \t\r\n") - begin + 1));
}

std::string RandomInstanceId() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

}  // namespace

OutreachService::OutreachService(const AppConfig& config, const Clock& clock)
    : config_(config), clock_(clock), instance_(RandomInstanceId()) {}

OutreachService::~OutreachService() { Stop(); }

Result<void> OutreachService::CreateClients() {
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties consumer_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", "cxpulse-outreach-unused"},  // never joined: partitions are assigned
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"isolation.level", "read_committed"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"fetch.wait.max.ms", "10"},
      {"log.connection.close", "false"},
  };
  KafkaCallbacks consumer_callbacks;
  consumer_callbacks.opaque = &access_;
  consumer_callbacks.error = &AccessFailure::OnError;
  Result<KafkaHandle> consumer = CreateKafkaClient(
      RD_KAFKA_CONSUMER, "the Kafka consumer",
      {&consumer_base, &kafka.properties, &kafka.consumer_properties}, consumer_callbacks);
  if (!consumer) return consumer.error();
  consumer_ = std::move(consumer).value();

  KafkaProperties producer_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "0"},
      {"log.connection.close", "false"},
  };
  KafkaCallbacks callbacks;
  callbacks.opaque = this;
  callbacks.delivery = &OutreachService::OnDelivery;
  Result<KafkaHandle> producer =
      CreateKafkaClient(RD_KAFKA_PRODUCER, "the Kafka producer",
                        {&producer_base, &kafka.properties, &kafka.producer_properties}, callbacks);
  if (!producer) return producer.error();
  producer_ = std::move(producer).value();
  return Ok();
}

Result<TopicPartitionCounts> OutreachService::WaitForBrokers() {
  const KafkaConfig& kafka = config_.kafka;
  const auto started = SteadyClock::now();
  const auto give_up = started + std::chrono::milliseconds(kafka.startup_timeout.ms);
  auto next_report = started + std::chrono::seconds(1);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - SteadyClock::now());
    int attempt_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 100, 1000));
    Result<TopicPartitionCounts> counts = DescribeTopics(consumer_.get(), attempt_ms);
    if (counts) {
      if (next_report > started + std::chrono::seconds(1)) {
        spdlog::info("outreach: broker {} answered", kafka.bootstrap_servers);
      }
      return counts;
    }
    ServeCallbacks(consumer_.get());
    if (std::string failure = access_.First(); !failure.empty()) {
      return Err(AccessFailureMessage(kafka, failure));
    }
    auto now = SteadyClock::now();
    if (now >= give_up) {
      return Err(fmt::format("no answer from broker {} within {:g} s (kafka.startup_timeout): {}",
                             kafka.bootstrap_servers, kafka.startup_timeout.ms / 1000.0,
                             counts.error().message()));
    }
    if (now >= next_report) {
      spdlog::warn("outreach: waiting for broker {} (metadata for {}, {}), {} s so far",
                   kafka.bootstrap_servers, config_.outreach.alerts_topic,
                   config_.outreach.commands_topic,
                   std::chrono::duration_cast<std::chrono::seconds>(now - started).count());
      next_report = now + std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<void> OutreachService::AssignAll() {
  const OutreachConfig& o = config_.outreach;
  Result<TopicPartitionCounts> counts = WaitForBrokers();
  if (!counts) return counts.error();
  auto alerts = counts->find(o.alerts_topic);
  auto commands = counts->find(o.commands_topic);
  if (alerts == counts->end() || commands == counts->end()) {
    return Err("topic " + (alerts == counts->end() ? o.alerts_topic : o.commands_topic) +
               " does not exist");
  }
  if (alerts->second != commands->second || alerts->second <= 0) {
    return Err(fmt::format("{} has {} partitions and {} has {}: they must be co-partitioned",
                           o.alerts_topic, alerts->second, o.commands_topic, commands->second));
  }
  int partitions = alerts->second;
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(partitions * 2));
  for (const std::string* topic : {&o.alerts_topic, &o.commands_topic}) {
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(list.get(), topic->c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  merges_.assign(static_cast<size_t>(partitions), PartitionMerge{});
  {
    std::lock_guard<std::mutex> lock(mutex_);
    books_.assign(static_cast<size_t>(partitions), CaseBook(RulesOf(o, config_.routing)));
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err("cannot assign the partitions: " + std::string(rd_kafka_err2str(err)));
  }
  spdlog::info("outreach: reading {} and {} ({} partitions each) from the beginning",
               o.alerts_topic, o.commands_topic, partitions);
  return Ok();
}

Result<void> OutreachService::Start() {
  started_ = SteadyClock::now();
  if (Result<void> created = CreateClients(); !created) return created;
  if (Result<void> assigned = AssignAll(); !assigned) return assigned;
  reader_ = std::thread([this] { Run(); });
  return Ok();
}

void OutreachService::Stop() {
  stop_.store(true);
  if (reader_.joinable()) reader_.join();
  std::unordered_map<std::string, Pending> pending;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.swap(pending_);
  }
  for (auto& [id, p] : pending) p.reply(Error(503, "the service is stopping"));
  if (producer_) rd_kafka_flush(producer_.get(), 2000);
}

void OutreachService::Run() {
  NameThisThread("cx-outreach");
  while (!stop_.load()) {
    std::vector<KafkaMessage> batch;
    KafkaMessage first(rd_kafka_consumer_poll(consumer_.get(), 50));
    if (first) {
      batch.push_back(std::move(first));
      while (batch.size() < kBatch) {
        KafkaMessage next(rd_kafka_consumer_poll(consumer_.get(), 0));
        if (!next) break;
        batch.push_back(std::move(next));
      }
    }
    for (KafkaMessage& message : batch) Consume(message.get());
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (size_t p = 0; p < merges_.size(); ++p) FoldReady(p);
      Tick();
      PublishCaseChanges();
    }
    rd_kafka_poll(producer_.get(), 0);
  }
}

void OutreachService::Consume(rd_kafka_message_t* message) {
  if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
      message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (message->rkt == nullptr || message->partition < 0 ||
        static_cast<size_t>(message->partition) >= merges_.size()) {
      return;
    }
    bool command = config_.outreach.commands_topic == rd_kafka_topic_name(message->rkt);
    LogSource source = command ? LogSource::kOutreach : LogSource::kAlerts;
    PartitionMerge& merge = merges_[static_cast<size_t>(message->partition)];
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      merge.MarkEnd(source);
      return;
    }
    LogRecord record;
    record.source = source;
    rd_kafka_timestamp_type_t type;
    record.ts = EventTime::FromMillis(rd_kafka_message_timestamp(message, &type));
    record.offset = message->offset;
    if (message->key != nullptr)
      record.key.assign(static_cast<const char*>(message->key), message->key_len);
    if (message->payload != nullptr) {
      record.value.assign(static_cast<const char*>(message->payload), message->len);
    }
    merge.Push(std::move(record));
    return;
  }
  if (rd_kafka_message_errstr(message) != nullptr) {
    spdlog::warn("outreach: consumer: {}", rd_kafka_message_errstr(message));
  }
  if (message->err == RD_KAFKA_RESP_ERR__FATAL) failed_.store(true);
}

void OutreachService::FoldReady(size_t partition) {
  PartitionMerge& merge = merges_[partition];
  while (std::optional<LogRecord> record = merge.Next()) Fold(partition, *record);
}

void OutreachService::Fold(size_t partition, const LogRecord& record) {
  CaseBook& book = books_[partition];
  std::vector<Escalation> escalations;
  if (record.source == LogSource::kOutreach) {
    FoldCommand(book, record, escalations);
  } else {
    Alert alert;
    Result<void> decoded = DecodeAlertJson(record.value, alert);
    metrics_.OnRecord(false, decoded.ok());
    if (decoded) {
      const Case* c = book.ApplyAlert(alert, escalations);
      if (c != nullptr && ready_.load()) changed_.push_back(c->case_id);
      alert_feed_.Publish(TrimmedJson(record.value));
    } else {
      spdlog::debug("outreach: alert at offset {} skipped: {}", record.offset,
                    decoded.error().message());
    }
  }
  if (!escalations.empty()) {
    // Escalations folded while rebuilding were counted by the run that saw them live; the
    // notifiers get them all (they re-send those younger than notify.give_up_after).
    if (ready_.load()) metrics_.OnEscalations(escalations.size());
    if (escalation_sink_) escalation_sink_(escalations);
  }
}

void OutreachService::FoldCommand(CaseBook& book, const LogRecord& record,
                                  std::vector<Escalation>& escalations) {
  Command command;
  Result<void> decoded = DecodeCommandJson(record.value, command);
  metrics_.OnRecord(true, decoded.ok());
  if (!decoded) {
    spdlog::debug("outreach: command at offset {} skipped: {}", record.offset,
                  decoded.error().message());
    return;
  }
  CommandResult result = book.ApplyCommand(command, escalations);
  metrics_.OnCommandFolded(command.kind, result.verdict);
  const Case* c = book.Find(command.case_id);
  if (result.verdict == Verdict::kAccepted && ready_.load()) changed_.push_back(command.case_id);
  if (result.verdict == Verdict::kAccepted && c != nullptr) {
    double since_open = static_cast<double>((book.Now() - c->opened_at).ms) / 1000.0;
    // Only once ready: a rebuild does not count the history again.
    bool live = ready_.load();
    if (live && command.kind == CommandKind::kClaim) metrics_.OnClaimed(since_open, c->severity);
    if (live && command.kind == CommandKind::kResolve) {
      metrics_.OnResolved(since_open, c->severity, c->outcome);
    }
  }
  auto pending = pending_.find(command.command_id);
  if (pending == pending_.end()) return;
  HttpReply reply = ToReply(AnswerCommand(book, command, result));
  metrics_.OnCommandAnswered(SteadyClock::now() - pending->second.started, reply.status);
  pending->second.reply(std::move(reply));
  pending_.erase(pending);
}

void OutreachService::Tick() {
  if (!ready_.load()) {
    bool caught_up = !merges_.empty();
    for (const PartitionMerge& merge : merges_) {
      caught_up = caught_up && merge.ReachedEndOnce() && merge.buffered() == 0;
    }
    if (caught_up) {
      auto elapsed = SteadyClock::now() - started_;
      metrics_.OnCaughtUp(elapsed);
      size_t cases = 0;
      for (const CaseBook& book : books_) cases += book.Cases().size();
      spdlog::info("outreach: caught up in {} ms: {} cases",
                   std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), cases);
      ready_.store(true);
    }
  }
  if (ready_.load()) {
    EventTime now = clock_.Now() - kClockGrace;
    std::vector<Escalation> escalations;
    for (CaseBook& book : books_) {
      if (book.NextDeadline() > now) continue;
      for (std::string& id : book.CasesDueBy(now)) changed_.push_back(std::move(id));
      book.AdvanceTo(now, escalations);
    }
    if (!escalations.empty()) {
      metrics_.OnEscalations(escalations.size());
      if (escalation_sink_) escalation_sink_(escalations);
    }
  }
  auto now = SteadyClock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    metrics_.OnCommandAnswered(now - it->second.started, 503);
    it->second.reply(Error(503, "the command was not read back in time; it may still apply"));
    it = pending_.erase(it);
  }
}

}  // namespace cx
