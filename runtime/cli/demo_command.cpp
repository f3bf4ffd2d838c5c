#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/cli/cli.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/config_check.h"
#include "runtime/cli/live_services.h"
#include "runtime/cli/terminal_view.h"
#include "runtime/config/yaml_section.h"
#include "runtime/http/http_server.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/kafka/processor_group.h"
#include "runtime/outreach/outreach_service.h"
#include "runtime/replay/temporary_directory.h"

namespace cx {
namespace {

constexpr int kDemoPartitions = 4;
constexpr Duration kBackfill = Duration::Minutes(5);
constexpr Duration kJourneySpan = Duration::Minutes(15);
constexpr const char* kDemoRep = "demo";

// librdkafka's in-process mock cluster, owned by a producer handle that also writes the
// generated traffic. It keeps everything in memory and has no transactions: the demo runs
// at-least-once at a modest rate. Not for tests of exactly-once.
class MockCluster {
 public:
  [[nodiscard]] Result<void> Start() {
    KafkaProperties properties = {
        {"test.mock.num.brokers", "1"}, {"linger.ms", "20"}, {"partitioner", "murmur2_random"}};
    Result<KafkaHandle> producer =
        CreateKafkaClient(RD_KAFKA_PRODUCER, "the embedded broker", {&properties}, {});
    if (!producer) return producer.error();
    producer_ = std::move(producer).value();
    cluster_ = rd_kafka_handle_mock_cluster(producer_.get());
    if (cluster_ == nullptr) {
      return Err("this librdkafka has no mock cluster");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    return Ok();
  }
  void CreateTopic(const std::string& name, int partitions) {
    rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  }
  [[nodiscard]] const std::string& bootstraps() const { return bootstraps_; }
  [[nodiscard]] rd_kafka_t* producer() const { return producer_.get(); }

 private:
  KafkaHandle producer_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstraps_;
};

// Streams generated journeys into the input topics in real time: each event is produced when the
// wall clock reaches its delivery time, stamped with its event time. Journeys start from
// kBackfill before `now`, so the demo begins by catching up on a few minutes of history.
void ProduceTraffic(const DemoFlags& flags, const TopicNames& topics, MockCluster& cluster,
                    EventTime now, const std::atomic<bool>& stop) {
  GeneratorOptions options;
  options.customers = flags.customers;
  options.seed = flags.seed;
  options.struggle_ratio = flags.struggle_ratio;
  options.start = now - kBackfill;
  options.span = kJourneySpan;
  options.duplicate_ratio = 0.005;
  options.invalid_ratio = 0.002;
  Generator generator(options);
  const std::string* by_type[] = {&topics.clicks, &topics.calls, &topics.chats, &topics.surveys};
  std::string line;
  std::string key;
  LineInfo info;
  while (!stop.load() && generator.Next(line, info)) {
    auto due = std::chrono::system_clock::time_point(std::chrono::milliseconds(info.delivery.ms));
    while (!stop.load() && std::chrono::system_clock::now() < due) {
      rd_kafka_poll(cluster.producer(), 0);
      std::this_thread::sleep_until(
          std::min(due, std::chrono::system_clock::now() + std::chrono::milliseconds(100)));
    }
    key.clear();
    generator.AppendCustomerId(key, info.customer);
    const std::string& topic = *by_type[static_cast<int>(info.type)];
    rd_kafka_producev(cluster.producer(), RD_KAFKA_V_TOPIC(topic.c_str()),
                      RD_KAFKA_V_KEY(key.data(), key.size()),
                      RD_KAFKA_V_VALUE(line.data(), line.size()), RD_KAFKA_V_TIMESTAMP(info.ts.ms),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    line.clear();
  }
  rd_kafka_flush(cluster.producer(), 2000);
}

// The demo rep's bearer token: CXPULSE_HTTP_TOKEN when set (then one token opens both
// /customers and /cases on the page), else 128 random bits, new on every start.
std::string DemoRepToken(const HttpConfig& http) {
  if (!http.bearer_token.empty()) return http.bearer_token;
  std::random_device random;
  return fmt::format("{:08x}{:08x}{:08x}{:08x}", random(), random(), random(), random());
}

}  // namespace

void AddDemoFlags(CLI::App& command, DemoFlags& flags) {
  command.add_option("--duration", flags.duration,
                     "Stop after this long, e.g. 90s (default: until Ctrl-C)");
  command
      .add_option("--customers", flags.customers, "Customers whose journeys start over 15 minutes")
      ->capture_default_str()
      ->check(WholeNumberIn(1, 10'000'000));
  command.add_option("--struggle-ratio", flags.struggle_ratio, "Share of struggling customers")
      ->capture_default_str()
      ->check(RatioCheck());
  command.add_option("--seed", flags.seed, "Traffic seed")
      ->capture_default_str()
      ->check(WholeNumberIn(0, UINT64_MAX));
  command.add_option("--http", flags.http_listen, "Address of /metrics and the outreach page")
      ->capture_default_str();
}

int RunDemoCommand(const DemoFlags& flags, AppConfig config, const Clock& clock) {
  Duration duration;
  if (!flags.duration.empty() && (!ParseDuration(flags.duration, duration) || duration.ms <= 0)) {
    return UsageError(
        "demo", "--duration: expected a duration such as 90s or 5m, got '" + flags.duration + "'");
  }
  if (Result<void> listen = CheckListenAddress(flags.http_listen); !listen) {
    const std::string& invalid = listen.error().message();
    return UsageError("demo", "--http: " + invalid.substr(invalid.find(": ") + 2));
  }
  config.state.dir = "temporary";               // replaced by the temporary directory below
  config.kafka.bootstrap_servers = "embedded";  // replaced by the mock cluster's address below
  config.http.listen = flags.http_listen;
  if (std::vector<std::string> invalid = CheckRunConfig(config); !invalid.empty()) {
    return UsageError("demo", invalid);
  }
  TemporaryDirectory state_dir;
  if (Result<void> created = state_dir.Create("cxpulse-demo"); !created) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", created.error().message().c_str());
    return kExitFailure;
  }
  config.state.dir = state_dir.path();
  MockCluster cluster;
  if (Result<void> started = cluster.Start(); !started) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  const TopicNames& t = config.kafka.topics;
  for (const std::string* name : {&t.clicks, &t.calls, &t.chats, &t.surveys, &t.changelog}) {
    cluster.CreateTopic(*name, kDemoPartitions);
  }
  for (const std::string* name : {&t.signals, &t.alerts, &t.dead_letter}) {
    cluster.CreateTopic(*name, 1);
  }
  // cx.outreach is co-partitioned with cx.alerts (SPEC §7): one partition each.
  config.outreach.alerts_topic = t.alerts;
  cluster.CreateTopic(config.outreach.commands_topic, 1);
  config.kafka.bootstrap_servers = cluster.bootstraps();
  config.kafka.processing = ProcessingGuarantee::kAtLeastOnce;
  config.kafka.group_id = "cxpulse-demo";
  config.kafka.idle_watermark_after = Duration::Seconds(2);
  const std::string rep_token = DemoRepToken(config.http);
  config.outreach.reps = {RepConfig{kDemoRep, "", rep_token}};

  InstallStopSignalHandlers();
  const std::atomic<bool>& stop = StopRequested();
  TerminalView view(stdout);
  // One processing thread: the demo's input topics are small.
  ProcessorGroup processor(config, clock, 1);
  processor.AddObserver(&view);
  // The case service of `cxpulse outreach`, in-process on the same port (/cases).
  OutreachService outreach(config, clock);
  LiveServices services(config.http, processor, &outreach);
  if (Result<void> started = services.Start(); !started) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  std::printf(
      "cxpulse demo: embedded broker %s; %llu customers whose journeys start over 15 "
      "minutes (the first 5 in the past); at-least-once. Ctrl-C stops.\n"
      "Outreach page: http://%s/   metrics: http://%s/metrics\n"
      "Rep identity: rep '%s', bearer token %s (the page asks for it; curl -H "
      "'Authorization: Bearer %s' http://%s/cases)\n",
      cluster.bootstraps().c_str(), static_cast<unsigned long long>(flags.customers),
      flags.http_listen.c_str(), flags.http_listen.c_str(), kDemoRep, rep_token.c_str(),
      rep_token.c_str(), flags.http_listen.c_str());
  std::fflush(stdout);
  if (Result<void> started = processor.Start(); !started) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  if (Result<void> started = outreach.Start(); !started) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", started.error().message().c_str());
    return kExitFailure;
  }
  std::atomic<bool> done{false};
  std::thread traffic([&] { ProduceTraffic(flags, t, cluster, clock.Now(), done); });
  std::thread timer([&] {
    const MonotonicTime deadline = clock.Monotonic() + std::chrono::milliseconds(duration.ms);
    while (!stop.load() && !done.load()) {
      view.MaybePrintCounts(std::chrono::seconds(5));
      if ((duration.ms > 0 && clock.Monotonic() >= deadline) || outreach.Failed()) {
        RequestStop();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  Result<void> ran = processor.Run(stop);
  services.Stop();
  outreach.Stop();
  done = true;
  traffic.join();
  timer.join();
  view.PrintCounts();
  if (!ran) {
    std::fprintf(stderr, "cxpulse: demo: %s\n", ran.error().message().c_str());
    return kExitFailure;
  }
  if (outreach.Failed()) {
    std::fprintf(stderr, "cxpulse: demo: fatal Kafka client error in the outreach service\n");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cx
