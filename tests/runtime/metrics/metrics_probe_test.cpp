#include "runtime/metrics/metrics_probe.h"

#include <algorithm>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/runtime/metrics/prometheus_sample.h"

namespace cx {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

Signal MakeSignal(SignalKind kind, std::string customer) {
  Signal s;
  s.kind = kind;
  s.customer_id = std::move(customer);
  return s;
}

// One turn with one signal.
void Emit(MetricsProbe& probe, const Signal& signal) {
  RecordTally turn;
  turn.AddSignal(signal);
  probe.OnRecordsProcessed(turn);
}

TEST(MetricsProbeTest, CountsPipelineEventsWithBoundedLabels) {
  LiveStatus status;
  MetricsProbe probe(&status);
  Event call;
  call.type = EventType::kCall;
  call.action = Action::kQueued;
  call.customer_id = "secret-customer-7";
  RecordTally records;
  records.AddRecord("t.calls", &call, microseconds(40));
  records.AddRecord("t.calls", &call, microseconds(40));
  records.AddRecord("t.clicks", nullptr, microseconds(5));
  probe.OnRecordsProcessed(records);
  probe.OnDeadLetter(DecodeError::kMissingField);
  probe.OnCommit(milliseconds(12), true);
  probe.OnCommit(milliseconds(30), false);
  probe.OnRebalance(3);
  status.ready = true;
  std::string text = probe.Serialize();
  EXPECT_EQ(Sample(text, "cxpulse_events_consumed_total{topic=\"t.calls\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_events_consumed_total{topic=\"t.clicks\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_events_total{type=\"call\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_events_total{type=\"click\"}"), 0);
  // Contacts count applied events only (RecordTally::AddApplied), not every record consumed.
  EXPECT_EQ(Sample(text, "cxpulse_contacts_total{channel=\"call\",reason=\"other\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_dead_letters_total{code=\"missing_field\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_dead_letters_total{code=\"invalid_json\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_processing_seconds_count"), 3);
  EXPECT_EQ(Sample(text, "cxpulse_commit_seconds_count"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_commits_total{result=\"committed\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_commits_total{result=\"aborted\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_assigned_shards"), 3);
  EXPECT_EQ(Sample(text, "cxpulse_ready"), 1);
  status.ready = false;
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_ready"), 0);
  EXPECT_EQ(text.find("secret-customer-7"), std::string::npos);
}

TEST(MetricsProbeTest, CountsMergeOvertakesFromTheStatus) {
  LiveStatus status;
  MetricsProbe probe(&status);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_merge_overtakes_total"), 0);
  status.merge_overtakes = 3;
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_merge_overtakes_total"), 3);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_merge_overtakes_total"), 3);
  status.merge_overtakes = 5;
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_merge_overtakes_total"), 5);
}

// A turn's processing times go into the histogram at once, each in the bucket Observe would
// pick (the first bound >= the time: a time on a bound counts in that bound's bucket).
TEST(MetricsProbeTest, ProcessingTimesOfATurnFillTheBucketsObserveWould) {
  MetricsProbe probe;
  RecordTally records;
  const std::vector<std::chrono::nanoseconds> times = {
      std::chrono::nanoseconds(500),
      std::chrono::nanoseconds(1000),
      std::chrono::nanoseconds(1001),
      microseconds(40),
      microseconds(40),
      milliseconds(1),
      milliseconds(30),  // past the last bound: +Inf only
  };
  for (std::chrono::nanoseconds time : times) records.AddRecord("t.calls", nullptr, time);
  probe.OnRecordsProcessed(records);
  records.Clear();
  records.AddRecord("t.calls", nullptr, microseconds(3));  // a second turn adds to the first
  probe.OnRecordsProcessed(records);
  std::vector<double> all_seconds;
  all_seconds.reserve(times.size() + 1);
  for (std::chrono::nanoseconds time : times) all_seconds.push_back(time.count() / 1e9);
  all_seconds.push_back(3e-6);
  const std::string text = probe.Serialize();
  std::regex bucket("cxpulse_processing_seconds_bucket\\{le=\"([^\"]+)\"\\} ([0-9.e+-]+)");
  int buckets = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), bucket), end; it != end; ++it) {
    const std::string le = (*it)[1];
    const double bound = le == "+Inf" ? 1e300 : std::stod(le);
    const auto expected = std::count_if(all_seconds.begin(), all_seconds.end(),
                                        [bound](double t) { return t <= bound; });
    EXPECT_EQ(std::stod((*it)[2]), static_cast<double>(expected)) << "le=" << le;
    ++buckets;
  }
  EXPECT_EQ(buckets, 13);
  EXPECT_EQ(Sample(text, "cxpulse_processing_seconds_count"), 8);
  double sum = 0;
  for (double t : all_seconds) sum += t;
  EXPECT_NEAR(Sample(text, "cxpulse_processing_seconds_sum"), sum, 1e-9);
  EXPECT_EQ(Sample(text, "cxpulse_events_consumed_total{topic=\"t.calls\"}"), 8);
}

Event OpenedContact(EventType type, Action action, std::string_view reason) {
  Event e;
  e.type = type;
  e.action = action;
  e.customer_id = "secret-customer-9";
  e.contact_id = "k-1";
  e.reason = reason;
  return e;
}

TEST(MetricsProbeTest, ContactsAndRepeatsByConfiguredReason) {
  MetricsProbe probe(nullptr, RiskRules{}, {"billing", "delivery"});
  RecordTally records;
  records.AddApplied(OpenedContact(EventType::kCall, Action::kQueued, "billing"));
  records.AddApplied(OpenedContact(EventType::kCall, Action::kQueued, "billing"));
  records.AddApplied(OpenedContact(EventType::kChat, Action::kStarted, "delivery"));
  records.AddApplied(OpenedContact(EventType::kChat, Action::kStarted, "refund"));
  records.AddApplied(OpenedContact(EventType::kCall, Action::kQueued, ""));
  // Not contacts: a chat message, an ended call.
  records.AddApplied(OpenedContact(EventType::kChat, Action::kMessage, "billing"));
  records.AddApplied(OpenedContact(EventType::kCall, Action::kEnded, "billing"));
  probe.OnRecordsProcessed(records);
  Signal repeat = MakeSignal(SignalKind::kContactRepeat, "secret-customer-9");
  repeat.channel = "chat";
  repeat.reason = "delivery";
  Emit(probe, repeat);
  repeat.reason = "login";  // not in this list
  Emit(probe, repeat);
  repeat.channel = "email";  // not a contact channel: ignored
  Emit(probe, repeat);

  std::string text = probe.Serialize();
  auto contacts = [&](const char* channel, const char* reason) {
    return Sample(text, std::string("cxpulse_contacts_total{channel=\"") + channel +
                            "\",reason=\"" + reason + "\"}");
  };
  EXPECT_EQ(contacts("call", "billing"), 2);
  EXPECT_EQ(contacts("chat", "billing"), 0);
  EXPECT_EQ(contacts("chat", "delivery"), 1);
  EXPECT_EQ(contacts("chat", "other"), 1);
  EXPECT_EQ(contacts("call", "other"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_repeat_contacts_total{channel=\"chat\",reason=\"delivery\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_repeat_contacts_total{channel=\"chat\",reason=\"other\"}"), 1);
  EXPECT_EQ(text.find("refund"), std::string::npos);
  EXPECT_EQ(text.find("login"), std::string::npos);
  EXPECT_EQ(text.find("secret-customer-9"), std::string::npos);
  // Every (reason, channel) series exists from the start: 3 reasons x 2 channels.
  std::regex series("cxpulse_contacts_total\\{channel=\"[a-z]+\",reason=\"[a-z]+\"\\} ");
  EXPECT_EQ(
      std::distance(std::sregex_iterator(text.begin(), text.end(), series), std::sregex_iterator()),
      6);
}

TEST(MetricsProbeTest, ReasonLabelsAreBounded) {
  std::vector<std::string> many;
  many.reserve(200);
  for (int i = 0; i < 200; ++i) many.push_back("r" + std::to_string(i));
  MetricsProbe probe(nullptr, RiskRules{}, many);
  RecordTally records;
  for (int i = 0; i < 200; ++i) {
    std::string reason = "r" + std::to_string(i);
    records.AddApplied(OpenedContact(EventType::kCall, Action::kQueued, reason));
  }
  probe.OnRecordsProcessed(records);
  std::string text = probe.Serialize();
  std::regex series("cxpulse_contacts_total\\{channel=\"call\",reason=\"([a-z0-9]+)\"\\} ");
  std::set<std::string> reasons;
  for (std::sregex_iterator it(text.begin(), text.end(), series), end; it != end; ++it) {
    reasons.insert((*it)[1]);
  }
  EXPECT_EQ(reasons.size(), ReasonLabels::kMaxReasonLabels);
  EXPECT_EQ(Sample(text, "cxpulse_contacts_total{channel=\"call\",reason=\"other\"}"),
            200 - static_cast<double>(ReasonLabels::kMaxReasonLabels - 1));
}

TEST(MetricsProbeTest, TopicLabelsAreCapped) {
  MetricsProbe probe;
  RecordTally records;
  for (int i = 0; i < 50; ++i) {
    records.AddRecord("topic-" + std::to_string(i), nullptr, microseconds(1));
  }
  probe.OnRecordsProcessed(records);
  std::string text = probe.Serialize();
  std::regex series("cxpulse_events_consumed_total\\{topic=\"([^\"]+)\"\\}");
  std::set<std::string> topics;
  for (std::sregex_iterator it(text.begin(), text.end(), series), end; it != end; ++it) {
    topics.insert((*it)[1]);
  }
  EXPECT_EQ(topics.size(), MetricsProbe::kMaxTopics + 1);
  EXPECT_EQ(Sample(text, "cxpulse_events_consumed_total{topic=\"other\"}"),
            50 - static_cast<double>(MetricsProbe::kMaxTopics));
}

TEST(MetricsProbeTest, CustomerExperienceFromSignalsAndAlerts) {
  MetricsProbe probe;
  Signal met = MakeSignal(SignalKind::kSlaMet, "cust-a");
  met.channel = "chat";
  met.sla = SlaKind::kChatFirstReply;
  met.elapsed_ms = 42'000;
  Emit(probe, met);
  Signal breached = MakeSignal(SignalKind::kSlaBreached, "cust-a");
  breached.channel = "call";
  breached.sla = SlaKind::kCallAnswer;
  breached.elapsed_ms = 20'000;
  breached.outcome = SlaOutcome::kBreached;
  Emit(probe, breached);  // counted; still waiting, so not a final length
  Signal ended = breached;
  ended.kind = SignalKind::kSlaEnded;
  ended.elapsed_ms = 93'000;
  ended.outcome = SlaOutcome::kAbandoned;
  Emit(probe, ended);  // the real length of the breached wait
  Signal next_reply = met;
  next_reply.sla = SlaKind::kChatNextReply;
  Emit(probe, next_reply);  // counted as met, not a first response
  Signal repeat = MakeSignal(SignalKind::kContactRepeat, "cust-a");
  repeat.channel = "call";
  repeat.reason = "billing";
  Emit(probe, repeat);
  Signal effort = MakeSignal(SignalKind::kEffortUpdated, "cust-a");
  effort.score = 75;
  Emit(probe, effort);

  Alert alert;
  alert.customer_id = "cust-a";
  alert.kind = AlertKind::kAtRisk;
  alert.severity = Severity::kCritical;
  probe.OnAlertCommitted(alert, "{}", milliseconds(250));

  std::string text = probe.Serialize();
  EXPECT_EQ(Sample(text, "cxpulse_sla_met_total{channel=\"chat\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_sla_breached_total{channel=\"call\"}"), 1);
  EXPECT_EQ(
      Sample(text, "cxpulse_first_response_seconds_count{channel=\"chat\",outcome=\"answered\"}"),
      1);
  EXPECT_EQ(
      Sample(text, "cxpulse_first_response_seconds_sum{channel=\"chat\",outcome=\"answered\"}"),
      42);
  EXPECT_EQ(
      Sample(text, "cxpulse_first_response_seconds_count{channel=\"call\",outcome=\"breached\"}"),
      0);
  EXPECT_EQ(Sample(text,
                   "cxpulse_first_response_seconds_bucket{channel=\"call\",outcome=\"abandoned\","
                   "le=\"90\"}"),
            0);
  EXPECT_EQ(Sample(text,
                   "cxpulse_first_response_seconds_bucket{channel=\"call\",outcome=\"abandoned\","
                   "le=\"120\"}"),
            1);
  EXPECT_EQ(Sample(text, "cxpulse_repeat_contacts_total{channel=\"call\",reason=\"billing\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_effort_score_bucket{le=\"70\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_effort_score_bucket{le=\"80\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_alerts_total{kind=\"at_risk\",severity=\"critical\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_alerts_total{kind=\"at_risk\",severity=\"warning\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_event_to_alert_seconds_sum"), 0.25);
  EXPECT_EQ(text.find("cust-a"), std::string::npos);
}

// A turn's signals go into the histograms at once, each in the bucket Observe would pick (a
// value on a bound counts in that bound's bucket), and in the order emitted for the customers at
// risk: one turn gives what one turn per signal gives.
TEST(MetricsProbeTest, SignalsOfATurnCountAsOneTurnEach) {
  std::vector<Signal> signals;
  for (int64_t elapsed_ms : {4'000, 5'000, 5'001, 90'000, 2'000'000}) {
    Signal met = MakeSignal(SignalKind::kSlaMet, "c-1");
    met.channel = "call";
    met.sla = SlaKind::kCallAnswer;
    met.elapsed_ms = elapsed_ms;
    signals.push_back(met);
    Signal ended = met;
    ended.kind = SignalKind::kSlaEnded;
    ended.channel = "chat";
    ended.sla = SlaKind::kChatFirstReply;
    ended.outcome = SlaOutcome::kAbandoned;
    signals.push_back(ended);
  }
  Signal breached = MakeSignal(SignalKind::kSlaBreached, "c-1");
  breached.channel = "chat";
  breached.sla = SlaKind::kChatFirstReply;
  breached.outcome = SlaOutcome::kBreached;
  signals.push_back(breached);
  for (int score : {0, 10, 11, 70, 100}) {
    Signal effort = MakeSignal(SignalKind::kEffortUpdated, "c-1");
    effort.score = score;
    signals.push_back(effort);
  }
  // c-2 enters and leaves within the turn; c-3 enters; c-4 stays below.
  for (auto [customer, score] : std::vector<std::pair<const char*, int>>{
           {"c-2", 70}, {"c-3", 60}, {"c-2", 30}, {"c-4", 59}}) {
    Signal risk = MakeSignal(SignalKind::kRiskUpdated, customer);
    risk.score = score;
    signals.push_back(risk);
  }
  Signal repeat = MakeSignal(SignalKind::kContactRepeat, "c-1");
  repeat.channel = "call";
  repeat.reason = "billing";
  signals.push_back(repeat);
  signals.push_back(repeat);

  MetricsProbe one_turn;
  RecordTally turn;
  for (const Signal& signal : signals) turn.AddSignal(signal);
  EXPECT_EQ(turn.signals().size(), signals.size() - 2);  // the repeats are counted by reason
  one_turn.OnRecordsProcessed(turn);
  MetricsProbe turn_each;
  for (const Signal& signal : signals) Emit(turn_each, signal);

  const std::string text = one_turn.Serialize();
  std::regex signal_series(
      "(cxpulse_(first_response_seconds|effort_score|risk_score|sla_met|sla_breached|"
      "repeat_contacts|customers_at_risk)[^ ]*) ([0-9.e+-]+)");
  int series = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), signal_series), end; it != end; ++it) {
    EXPECT_EQ(std::stod((*it)[3]), Sample(turn_each.Serialize(), (*it)[1])) << (*it)[1];
    ++series;
  }
  EXPECT_GT(series, 50);
  // Bounds as Observe treats them: 5 s on the 5 s bound, 70 on the 70 bound.
  EXPECT_EQ(Sample(text,
                   "cxpulse_first_response_seconds_bucket{channel=\"call\",outcome=\"answered\","
                   "le=\"5\"}"),
            2);
  EXPECT_EQ(Sample(text,
                   "cxpulse_first_response_seconds_bucket{channel=\"chat\",outcome=\"abandoned\","
                   "le=\"90\"}"),
            4);
  EXPECT_EQ(
      Sample(text, "cxpulse_first_response_seconds_count{channel=\"chat\",outcome=\"abandoned\"}"),
      5);
  EXPECT_EQ(Sample(text, "cxpulse_effort_score_bucket{le=\"10\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_effort_score_bucket{le=\"70\"}"), 4);
  EXPECT_EQ(Sample(text, "cxpulse_effort_score_sum"), 191);
  EXPECT_EQ(Sample(text, "cxpulse_sla_met_total{channel=\"call\"}"), 5);
  EXPECT_EQ(Sample(text, "cxpulse_sla_breached_total{channel=\"chat\"}"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_repeat_contacts_total{channel=\"call\",reason=\"billing\"}"), 2);
  EXPECT_EQ(Sample(text, "cxpulse_customers_at_risk"), 1);
  EXPECT_EQ(Sample(text, "cxpulse_risk_score_count"), 4);
}

TEST(MetricsProbeTest, CustomersAtRiskFollowHysteresis) {
  MetricsProbe probe;
  auto risk = [&](const char* customer, int score) {
    Signal s = MakeSignal(SignalKind::kRiskUpdated, customer);
    s.score = score;
    Emit(probe, s);
  };
  risk("a", 65);
  risk("b", 80);
  risk("c", 55);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 2);
  risk("a", 45);  // still above the re-arm level
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 2);
  risk("a", 35);
  risk("b", 85);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 1);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_risk_score_count"), 6);
}

TEST(MetricsProbeTest, CustomersAtRiskFollowTheConfiguredAlertLevels) {
  RiskRules rules;
  rules.alert_warning = 80;
  rules.alert_rearm = 50;
  MetricsProbe probe(nullptr, rules);
  auto risk = [&](const char* customer, int score) {
    Signal s = MakeSignal(SignalKind::kRiskUpdated, customer);
    s.score = score;
    Emit(probe, s);
  };
  risk("a", 70);  // at risk with the default 60, not with 80
  risk("b", 85);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 1);
  risk("b", 55);  // above the re-arm level
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 1);
  risk("b", 45);
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customers_at_risk"), 0);
}

TEST(MetricsProbeTest, ShardGaugesCountersAndLag) {
  MetricsProbe probe;
  ShardSnapshot s;
  s.partition = 2;
  s.watermark = EventTime::FromMillis(100'000);
  s.pending_timers = 7;
  s.cached_customers = 11;
  s.packed_customers = 4;
  s.packing = false;
  s.cache_hits = 100;
  s.cache_misses = 10;
  s.restore_done = 30;
  s.restore_total = 50;
  s.store.live_sst_bytes = 4096;
  s.store.block_cache_hits = 5;
  s.store.write_stall_micros = 1'500'000;
  probe.OnShardSnapshots({s}, EventTime::FromMillis(112'500));
  s.cache_hits = 130;
  s.restore_done = 50;
  probe.OnShardSnapshots({s}, EventTime::FromMillis(113'000));
  probe.OnConsumerLag({{"t.clicks", 2, 17}, {"t.calls", 2, -1}});
  std::string text = probe.Serialize();
  EXPECT_EQ(Sample(text, "cxpulse_watermark_delay_seconds{shard=\"2\"}"), 13);
  EXPECT_EQ(Sample(text, "cxpulse_pending_timers{shard=\"2\"}"), 7);
  EXPECT_EQ(Sample(text, "cxpulse_customer_cache_customers{shard=\"2\"}"), 11);
  EXPECT_EQ(Sample(text, "cxpulse_customer_cache_packed_customers{shard=\"2\"}"), 4);
  EXPECT_EQ(Sample(text, "cxpulse_customer_cache_packing{shard=\"2\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_restore_records{shard=\"2\"}"), 50);
  EXPECT_EQ(Sample(text, "cxpulse_restore_remaining_records{shard=\"2\"}"), 0);
  EXPECT_EQ(Sample(text, "cxpulse_rocksdb_live_sst_bytes{shard=\"2\"}"), 4096);
  EXPECT_EQ(Sample(text, "cxpulse_customer_cache_hits_total"), 130);
  EXPECT_EQ(Sample(text, "cxpulse_customer_cache_misses_total"), 10);
  EXPECT_EQ(Sample(text, "cxpulse_rocksdb_block_cache_hits_total"), 5);
  EXPECT_EQ(Sample(text, "cxpulse_rocksdb_write_stall_seconds_total"), 1.5);
  EXPECT_EQ(Sample(text, "cxpulse_consumer_lag_messages{partition=\"2\",topic=\"t.clicks\"}"), 17);
  EXPECT_EQ(text.find("topic=\"t.calls\",partition"), std::string::npos);
  EXPECT_EQ(Sample(text, "cxpulse_consumer_lag_messages{partition=\"2\",topic=\"t.calls\"}"), -1);

  // The shard is revoked: its series go; a reopened store's counts restart from zero.
  probe.OnShardSnapshots({}, EventTime::FromMillis(114'000));
  text = probe.Serialize();
  EXPECT_EQ(Sample(text, "cxpulse_pending_timers{shard=\"2\"}"), -1);
  s.cache_hits = 4;
  probe.OnShardSnapshots({s}, EventTime::FromMillis(115'000));
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_customer_cache_hits_total"), 134);
}

TEST(MetricsProbeTest, FetchQueuesCountLibrdkafkasQueuesAndTheShardsRecords) {
  MetricsProbe probe;
  std::vector<ShardSnapshot> shards(2);
  shards[0].partition = 0;
  shards[0].input_queue_bytes = 1000;
  shards[1].partition = 1;
  shards[1].input_queue_bytes = 2000;
  probe.OnShardSnapshots(shards, EventTime::FromMillis(1000));
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_memory_bytes{part=\"kafka_fetch_queues\"}"), 3000);
  PartitionLag queued{"t.clicks", 0, 3};
  queued.queued_bytes = 4096;
  probe.OnConsumerLag({queued});
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_memory_bytes{part=\"kafka_fetch_queues\"}"), 7096);
  // The next snapshot replaces the shards' figures; librdkafka's stay until it reports again.
  shards.pop_back();
  probe.OnShardSnapshots(shards, EventTime::FromMillis(2000));
  EXPECT_EQ(Sample(probe.Serialize(), "cxpulse_memory_bytes{part=\"kafka_fetch_queues\"}"), 5096);
}

TEST(MetricsProbeTest, MemoryByPartCountsASharedBlockCacheOnce) {
  MetricsProbe probe;
  std::vector<ShardSnapshot> shards(2);
  for (int i = 0; i < 2; ++i) {
    shards[i].partition = i;
    shards[i].cache_bytes = 1000;
    shards[i].store.memtable_bytes = 300;
    shards[i].store.table_readers_bytes = 20;
    shards[i].store.block_cache_shared = true;
    shards[i].store.block_cache_usage_bytes = 5000;  // the one cache, memtables' share included
  }
  probe.OnShardSnapshots(shards, EventTime::FromMillis(1000));
  PartitionLag queued{"t.clicks", 0, 3};
  queued.queued_bytes = 4096;
  probe.OnConsumerLag({queued});
  queued.partition = 1;
  probe.OnConsumerLag({queued});
  const std::string text = probe.Serialize();
  EXPECT_EQ(Sample(text, "cxpulse_memory_bytes{part=\"customer_cache\"}"), 2000);
  EXPECT_EQ(Sample(text, "cxpulse_memory_bytes{part=\"rocksdb_memtables\"}"), 600);
  EXPECT_EQ(Sample(text, "cxpulse_memory_bytes{part=\"rocksdb_table_readers\"}"), 40);
  EXPECT_EQ(Sample(text, "cxpulse_memory_bytes{part=\"rocksdb_block_cache\"}"), 4400);
  EXPECT_EQ(Sample(text, "cxpulse_memory_bytes{part=\"kafka_fetch_queues\"}"), 8192);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // glibc's mallinfo2; under ASan or TSan their allocator replaces glibc's, which reports 0.
  EXPECT_GT(Sample(text, "cxpulse_memory_bytes{part=\"heap_in_use\"}"), 0);
#endif
}

TEST(MetricsProbeTest, ExposesEveryContractName) {
  MetricsProbe probe;
  // Per-shard and per-partition families have series only once a shard is assigned.
  ShardSnapshot shard;
  shard.partition = 0;
  probe.OnShardSnapshots({shard}, EventTime::FromMillis(1000));
  probe.OnConsumerLag({{"t.clicks", 0, 3}});
  std::string text = probe.Serialize();
  for (const char* name : {"cxpulse_events_consumed_total",
                           "cxpulse_events_total",
                           "cxpulse_dead_letters_total",
                           "cxpulse_processing_seconds",
                           "cxpulse_event_to_alert_seconds",
                           "cxpulse_consumer_lag_messages",
                           "cxpulse_commit_seconds",
                           "cxpulse_commits_total",
                           "cxpulse_assigned_shards",
                           "cxpulse_restore_records",
                           "cxpulse_restore_remaining_records",
                           "cxpulse_watermark_delay_seconds",
                           "cxpulse_pending_timers",
                           "cxpulse_customer_cache_customers",
                           "cxpulse_customer_cache_packed_customers",
                           "cxpulse_customer_cache_packing",
                           "cxpulse_customer_cache_hits_total",
                           "cxpulse_customer_cache_misses_total",
                           "cxpulse_rocksdb_live_sst_bytes",
                           "cxpulse_rocksdb_block_cache_hits_total",
                           "cxpulse_rocksdb_block_cache_misses_total",
                           "cxpulse_rocksdb_pending_compaction_bytes",
                           "cxpulse_rocksdb_write_stall_seconds_total",
                           "cxpulse_ready",
                           "cxpulse_first_response_seconds",
                           "cxpulse_sla_met_total",
                           "cxpulse_sla_breached_total",
                           "cxpulse_contacts_total",
                           "cxpulse_repeat_contacts_total",
                           "cxpulse_effort_score",
                           "cxpulse_risk_score",
                           "cxpulse_alerts_total",
                           "cxpulse_customers_at_risk"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace cx
