#include "runtime/notify/alert_notifier.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "outreach/alert_reader.h"
#include "outreach/routing.h"
#include "runtime/config/routing_config_yaml.h"
#include "runtime/config/routing_table.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/notify/notify_message.h"
#include "runtime/shard/thread_name.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kCommitEvery = std::chrono::milliseconds(200);
constexpr size_t kBatch = 500;

std::string_view CauseName(DeadLetterCause cause) {
  switch (cause) {
    case DeadLetterCause::kRejected:
      return "rejected";
    case DeadLetterCause::kGaveUp:
      return "gave_up";
    case DeadLetterCause::kBacklogFull:
      return "backlog_full";
  }
  return "gave_up";
}

// The dead-letter record of SPEC §8 (see runtime/notify/README.md).
std::string DeadLetterJson(const NotifyJob& job, const std::string& alerts_topic, EventTime now) {
  std::string out = R"({"destination":)";
  AppendJsonString(ToString(job.destination), out);
  out += R"(,"endpoint":)";
  AppendJsonString(UrlOrigin(job.url), out);
  out += R"(,"idempotency_key":)";
  AppendJsonString(job.idempotency_key, out);
  out += R"(,"cause":)";
  AppendJsonString(CauseName(job.cause), out);
  out += R"(,"error":)";
  AppendJsonString(job.last_error, out);
  out += R"(,"attempts":)" + std::to_string(job.attempts);
  out += R"(,"first_queued_ms":)" + std::to_string(job.first_queued.ms);
  out += R"(,"dead_lettered_ms":)" + std::to_string(now.ms);
  if (job.partition >= 0) {
    out += R"(,"source":{"topic":)";
    AppendJsonString(alerts_topic, out);
    out += R"(,"partition":)" + std::to_string(job.partition) + R"(,"offset":)" +
           std::to_string(job.offset) + "}";
  }
  out += R"(,"body":)";
  AppendJsonString(job.body, out);
  out += '}';
  return out;
}

// Every endpoint the routes and defaults can send to, for the start-up probe.
std::vector<std::pair<Destination, std::string>> Endpoints(const AppConfig& config) {
  std::vector<std::pair<Destination, std::string>> endpoints;
  const auto add = [&endpoints](Destination d, const std::string& url) {
    if (url.empty()) return;
    for (const auto& [known_d, known_url] : endpoints) {
      if (known_url == url) return;
    }
    endpoints.emplace_back(d, url);
  };
  for (const Route& route : config.routing.routes) add(route.destination, route.url);
  add(Destination::kProactiveChat, config.routing.proactive_chat_url);
  add(Destination::kEscalation, config.routing.escalation_url);
  return endpoints;
}

}  // namespace

struct AlertNotifier::DeadLetterWrite {
  AlertNotifier* self;
  NotifyJob job;
};

AlertNotifier::AlertNotifier(const AppConfig& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      notifier_(config.notify, clock, metrics_, [this](NotifyJob job, bool delivered) {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_.emplace_back(std::move(job), delivered);
      }) {}

AlertNotifier::~AlertNotifier() { Stop(); }

Result<void> AlertNotifier::CreateClients() {
  const KafkaConfig& kafka = config_.kafka;
  const NotifyConfig& notify = config_.notify;
  KafkaProperties consumer_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", notify.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"isolation.level", "read_committed"},
      {"auto.offset.reset", notify.start_from == "earliest" ? "earliest" : "latest"},
      {"fetch.wait.max.ms", "50"},
      {"log.connection.close", "false"},
  };
  KafkaCallbacks consumer_callbacks;
  consumer_callbacks.opaque = this;
  consumer_callbacks.rebalance = &AlertNotifier::OnRebalance;
  Result<KafkaHandle> consumer = CreateKafkaClient(
      RD_KAFKA_CONSUMER, "the notify consumer",
      {&consumer_base, &kafka.properties, &kafka.consumer_properties}, consumer_callbacks);
  if (!consumer) return consumer.error();
  consumer_ = std::move(consumer).value();
  KafkaProperties producer_base = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
      {"log.connection.close", "false"},
  };
  KafkaCallbacks producer_callbacks;
  producer_callbacks.opaque = this;
  producer_callbacks.delivery = &AlertNotifier::OnDelivery;
  Result<KafkaHandle> producer = CreateKafkaClient(
      RD_KAFKA_PRODUCER, "the notify dead-letter producer",
      {&producer_base, &kafka.properties, &kafka.producer_properties}, producer_callbacks);
  if (!producer) return producer.error();
  producer_ = std::move(producer).value();
  return Ok();
}

Result<void> AlertNotifier::Start() {
  if (Result<void> created = CreateClients(); !created) return created;
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), config_.outreach.alerts_topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get()); err) {
    return Err("cannot subscribe the notify consumer: " + std::string(rd_kafka_err2str(err)));
  }
  if (Result<void> started = notifier_.Start(Endpoints(config_)); !started) return started;
  thread_ = std::thread([this] { Run(); });
  spdlog::info("notify: consumer group {} on {}, dead letters to {}", config_.notify.group_id,
               config_.outreach.alerts_topic, config_.notify.deadletter_topic);
  return Ok();
}

void AlertNotifier::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true);
  thread_.join();
  notifier_.Stop();
  rd_kafka_consumer_close(consumer_.get());
  rd_kafka_flush(producer_.get(), 2000);
}

void AlertNotifier::OnEscalations(const std::vector<Escalation>& escalations) {
  const RoutingConfig& routing = config_.routing;
  const NotifyConfig& notify = config_.notify;
  if (routing.escalation_url.empty()) return;
  const EventTime oldest = clock_.Now() - notify.give_up_after;
  const bool slack = notify.escalation.format == "slack";
  for (const Escalation& escalation : escalations) {
    if (escalation.ts < oldest) continue;
    NotifyJob job;
    job.destination = Destination::kEscalation;
    job.url = routing.escalation_url;
    job.token = notify.escalation.token;
    job.idempotency_key = escalation.snapshot.case_id;
    job.body =
        slack ? SlackEscalationBody(escalation, notify.public_url) : EscalationBody(escalation);
    notifier_.Submit(std::move(job));
  }
}

void AlertNotifier::Run() {
  NameThisThread("cx-alerts");
  auto next_commit = SteadyClock::now() + kCommitEvery;
  while (!stop_.load()) {
    for (size_t i = 0; i < kBatch; ++i) {
      KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), i == 0 ? 50 : 0));
      if (!message) break;
      Consume(message.get());
    }
    DrainFinished();
    rd_kafka_poll(producer_.get(), 0);
    if (SteadyClock::now() >= next_commit) {
      Commit();
      next_commit = SteadyClock::now() + kCommitEvery;
    }
  }
  DrainFinished();
  rd_kafka_flush(producer_.get(), 5000);
  Commit();
}

void AlertNotifier::Consume(const rd_kafka_message_t* message) {
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    spdlog::warn("notify: consumer: {}", rd_kafka_message_errstr(message));
    if (message->err == RD_KAFKA_RESP_ERR__FATAL) failed_.store(true);
    return;
  }
  offsets_.Add(message->partition, message->offset);
  Alert alert;
  std::string_view value(static_cast<const char*>(message->payload), message->len);
  Result<void> decoded =
      message->payload == nullptr ? Result<void>(Err("no value")) : reader_.Decode(value, alert);
  if (!decoded) {
    spdlog::debug("notify: alert at offset {} skipped: {}", message->offset,
                  decoded.error().message());
    offsets_.Done(message->partition, message->offset);
    return;
  }
  const RouteDecision decision = RouteAlert(config_.routing, alert);
  metrics_.OnRouted(decision.destination);
  if (decision.destination == Destination::kCases || decision.url.empty()) {
    offsets_.Done(message->partition, message->offset);
    return;
  }
  const NotifyConfig& notify = config_.notify;
  const DestinationConfig& settings = *DestinationSettings(notify, decision.destination);
  NotifyJob job;
  job.destination = decision.destination;
  job.url = std::string(decision.url);
  job.token = decision.route && *decision.route < notify.routes.size()
                  ? notify.routes[*decision.route].token
                  : settings.token;
  job.idempotency_key = alert.alert_id;
  const bool slack = settings.format == "slack" ||
                     (settings.format.empty() && decision.destination == Destination::kSlack);
  if (slack) {
    job.body = SlackAlertBody(alert, notify.public_url);
  } else if (decision.destination == Destination::kProactiveChat) {
    job.body = ProactiveChatBody(alert);
  } else {
    job.body = std::string(value);
  }
  job.partition = message->partition;
  job.offset = message->offset;
  notifier_.Submit(std::move(job));
}

void AlertNotifier::DrainFinished() {
  std::vector<std::pair<NotifyJob, bool>> finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished.swap(finished_);
  }
  for (auto& [job, delivered] : finished) {
    if (delivered) {
      if (job.partition >= 0) offsets_.Done(job.partition, job.offset);
      continue;
    }
    spdlog::warn("notify: {} message to {} dead-lettered after {} attempts ({}): {}",
                 ToString(job.destination), UrlOrigin(job.url), job.attempts, CauseName(job.cause),
                 job.last_error);
    WriteDeadLetter(std::move(job));
  }
}

void AlertNotifier::WriteDeadLetter(NotifyJob job) {
  const std::string value = DeadLetterJson(job, config_.outreach.alerts_topic, clock_.Now());
  auto* write = new DeadLetterWrite{this, std::move(job)};
  const std::string& key = write->job.idempotency_key;
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(config_.notify.deadletter_topic.c_str()),
      RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(write), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    metrics_.OnDeadLetterWriteFailed();
    spdlog::warn("notify: cannot write a dead letter to {}: {} (retrying)",
                 config_.notify.deadletter_topic, rd_kafka_err2str(err));
    std::lock_guard<std::mutex> lock(mutex_);
    finished_.emplace_back(std::move(write->job), false);
    delete write;
  }
}

void AlertNotifier::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  auto* write = static_cast<DeadLetterWrite*>(message->_private);
  if (write == nullptr) return;
  AlertNotifier& self = *write->self;
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (write->job.partition >= 0) self.offsets_.Done(write->job.partition, write->job.offset);
  } else {
    self.metrics_.OnDeadLetterWriteFailed();
    spdlog::warn("notify: dead letter to {} failed: {} (retrying)",
                 self.config_.notify.deadletter_topic, rd_kafka_err2str(message->err));
    std::lock_guard<std::mutex> lock(self.mutex_);
    self.finished_.emplace_back(std::move(write->job), false);
  }
  delete write;
}

void AlertNotifier::Commit() {
  const auto commits = offsets_.TakeCommits();
  if (commits.empty()) return;
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(commits.size())));
  for (const auto& [partition, offset] : commits) {
    rd_kafka_topic_partition_list_add(list.get(), config_.outreach.alerts_topic.c_str(), partition)
        ->offset = offset;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), 1); err) {
    spdlog::warn("notify: offset commit failed: {}", rd_kafka_err2str(err));
  }
}

void AlertNotifier::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto& self = *static_cast<AlertNotifier*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    rd_kafka_assign(rk, partitions);
    spdlog::info("notify: assigned {} partitions", partitions->cnt);
    return;
  }
  self.Commit();
  for (int i = 0; i < partitions->cnt; ++i) self.offsets_.Forget(partitions->elems[i].partition);
  rd_kafka_assign(rk, nullptr);
}

}  // namespace cx
