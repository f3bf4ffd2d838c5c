#include "runtime/metrics/metrics_probe.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "runtime/metrics/metric_names.h"

// jemalloc's control interface when the binary links jemalloc (CMakeLists.txt): a weak
// reference, so it is null where the process runs on glibc's malloc (tests, sanitizer builds).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace cx {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

namespace {

constexpr std::array<std::string_view, 4> kEventTypes = {"click", "call", "chat", "survey"};
constexpr std::array<SlaOutcome, 3> kOutcomes = {SlaOutcome::kAnswered, SlaOutcome::kAbandoned,
                                                 SlaOutcome::kBreached};
constexpr std::array<std::string_view, 2> kCommitResults = {"aborted", "committed"};

// The heap's bytes in use by the program and held by the allocator but free (resident).
struct HeapFigures {
  size_t in_use = 0;
  size_t held_free = 0;
};

// From jemalloc's statistics when it is the allocator (allocated; resident − allocated, which
// also counts its metadata), else from glibc's mallinfo2 (in use, mapped blocks included; free
// chunks in the arenas).
HeapFigures ReadHeap() {
  if (mallctl != nullptr) {
    uint64_t epoch = 1;
    size_t epoch_size = sizeof(epoch);
    size_t allocated = 0;
    size_t resident = 0;
    size_t allocated_size = sizeof(allocated);
    size_t resident_size = sizeof(resident);
    if (mallctl("epoch", &epoch, &epoch_size, &epoch, sizeof(epoch)) == 0 &&
        mallctl("stats.allocated", &allocated, &allocated_size, nullptr, 0) == 0 &&
        mallctl("stats.resident", &resident, &resident_size, nullptr, 0) == 0) {
      return {allocated, resident > allocated ? resident - allocated : 0};
    }
  }
  const struct mallinfo2 heap = mallinfo2();
  return {heap.uordblks + heap.hblkhd, heap.fordblks};
}

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

Family<Counter>& Counters(prometheus::Registry& r, const char* name, const char* help) {
  return BuildCounter().Name(name).Help(help).Register(r);
}
Family<Gauge>& Gauges(prometheus::Registry& r, const char* name, const char* help) {
  return BuildGauge().Name(name).Help(help).Register(r);
}
Family<Histogram>& Histograms(prometheus::Registry& r, const char* name, const char* help) {
  return BuildHistogram().Name(name).Help(help).Register(r);
}

}  // namespace

struct MetricsProbe::ShardSeries {
  Gauge* restore_records = nullptr;
  Gauge* restore_remaining = nullptr;
  Gauge* watermark_delay = nullptr;
  Gauge* pending_timers = nullptr;
  Gauge* cache_customers = nullptr;
  Gauge* cache_packed = nullptr;
  Gauge* cache_packing = nullptr;
  Gauge* live_sst = nullptr;
  Gauge* pending_compaction = nullptr;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t block_hits = 0;
  uint64_t block_misses = 0;
  uint64_t stall_micros = 0;
};

MetricsProbe::MetricsProbe(const LiveStatus* status, const RiskRules& risk,
                           std::vector<std::string> reasons)
    : status_(status),
      at_risk_enter_(risk.alert_warning),
      at_risk_leave_(risk.alert_rearm),
      reasons_(std::move(reasons)),
      registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  consumed_family_ = &Counters(r, metric::kEventsConsumedTotal, "Input records consumed");
  auto& types = Counters(r, metric::kEventsTotal, "Decoded input events by type");
  for (size_t i = 0; i < kEventTypes.size(); ++i) {
    events_by_type_[i] = &types.Add({{"type", std::string(kEventTypes[i])}});
  }
  auto& dead = Counters(r, metric::kDeadLettersTotal, "Rejected input records by error code");
  for (int i = 1; i < kDecodeErrorCount; ++i) {
    dead_letters_[i] = &dead.Add({{"code", std::string(ToString(static_cast<DecodeError>(i)))}});
  }
  const Histogram::BucketBoundaries processing_bounds{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5,
                                                      1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3,   0.025};
  processing_ = &Histograms(r, metric::kProcessingSeconds, "Processing time per input record")
                     .Add({}, processing_bounds);
  for (double bound : processing_bounds) {
    processing_bounds_ns_.push_back(std::llround(bound * 1e9));
  }
  processing_increments_.resize(processing_bounds.size() + 1);
  event_to_alert_ =
      &Histograms(r, metric::kEventToAlertSeconds,
                  "Wall time from consuming the triggering record to the alert's commit")
           .Add({}, Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                10, 30});
  commit_ = &Histograms(r, metric::kCommitSeconds, "Duration of one commit cycle")
                 .Add({}, Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25, 0.5, 1, 2.5, 10});
  auto& commits = Counters(r, metric::kCommitsTotal, "Commit cycles by result");
  for (size_t i = 0; i < kCommitResults.size(); ++i) {
    commits_[i] = &commits.Add({{"result", std::string(kCommitResults[i])}});
  }
  assigned_shards_ = &Gauges(r, metric::kAssignedShards, "Partitions assigned").Add({});
  ready_ = &Gauges(r, metric::kReady, "1 when assigned shards are restored and consuming").Add({});
  merge_overtakes_ = &Counters(r, metric::kMergeOvertakesTotal,
                               "Input records merged ahead of an input still fetching, after "
                               "kafka.max_merge_wait: their order may differ from a replay's")
                          .Add({});
  cache_hits_ = &Counters(r, metric::kCustomerCacheHitsTotal, "Customer cache hits").Add({});
  cache_misses_ = &Counters(r, metric::kCustomerCacheMissesTotal, "Customer cache misses").Add({});
  block_cache_hits_ =
      &Counters(r, metric::kRocksdbBlockCacheHitsTotal, "RocksDB block cache hits").Add({});
  block_cache_misses_ =
      &Counters(r, metric::kRocksdbBlockCacheMissesTotal, "RocksDB block cache misses").Add({});
  write_stall_seconds_ =
      &Counters(r, metric::kRocksdbWriteStallSecondsTotal, "Time RocksDB delayed or stopped writes")
           .Add({});

  auto& first_response =
      Histograms(r, metric::kFirstResponseSeconds,
                 "Call answer and chat first reply waits at their real length, by outcome");
  auto& met = Counters(r, metric::kSlaMetTotal, "Responses within the SLA target");
  auto& breached = Counters(r, metric::kSlaBreachedTotal, "SLA breaches");
  auto& contacts = Counters(r, metric::kContactsTotal,
                            "Contacts (call queued, chat started) by reason and channel");
  auto& repeats =
      Counters(r, metric::kRepeatContactsTotal, "Repeat contacts by reason and channel");
  contacts_.resize(reasons_.size());
  repeat_contacts_.resize(reasons_.size());
  for (size_t reason = 0; reason < reasons_.size(); ++reason) {
    for (size_t i = 0; i < kContactChannelCount; ++i) {
      prometheus::Labels labels{{"reason", std::string(reasons_.Name(reason))},
                                {"channel", std::string(ToString(static_cast<ContactChannel>(i)))}};
      contacts_[reason][i] = &contacts.Add(labels);
      repeat_contacts_[reason][i] = &repeats.Add(labels);
    }
  }
  for (size_t i = 0; i < kContactChannelCount; ++i) {
    prometheus::Labels labels{{"channel", std::string(ToString(static_cast<ContactChannel>(i)))}};
    for (size_t o = 0; o < kOutcomes.size(); ++o) {
      prometheus::Labels with_outcome = labels;
      with_outcome.emplace("outcome", std::string(ToString(kOutcomes[o])));
      const Histogram::BucketBoundaries bounds{5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800};
      first_response_[i][o].Attach(first_response.Add(with_outcome, bounds), bounds);
    }
    sla_met_[i] = &met.Add(labels);
    sla_breached_[i] = &breached.Add(labels);
  }
  Histogram::BucketBoundaries score_buckets{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  effort_score_.Attach(Histograms(r, metric::kEffortScore, "Scores in effort.updated signals")
                           .Add({}, score_buckets),
                       score_buckets);
  risk_score_.Attach(
      Histograms(r, metric::kRiskScore, "Scores in risk.updated signals").Add({}, score_buckets),
      score_buckets);
  auto& alerts = Counters(r, metric::kAlertsTotal, "Committed alerts by kind and severity");
  for (int k = 0; k < kAlertKindCount; ++k) {
    for (int s = 0; s < 2; ++s) {
      alerts_[k][s] = &alerts.Add({{"kind", std::string(ToString(static_cast<AlertKind>(k)))},
                                   {"severity", std::string(ToString(static_cast<Severity>(s)))}});
    }
  }
  customers_at_risk_ = &Gauges(r, metric::kCustomersAtRisk,
                               "Customers whose risk score rose to the at_risk alert level "
                               "(rules.risk.alert_warning) and not yet below its re-arm level")
                            .Add({});

  restore_records_family_ =
      &Gauges(r, metric::kRestoreRecords, "Changelog records restored in the shard's last restore");
  restore_remaining_family_ = &Gauges(r, metric::kRestoreRemainingRecords,
                                      "Changelog records still to restore (0 when done)");
  watermark_delay_family_ =
      &Gauges(r, metric::kWatermarkDelaySeconds, "Wall clock minus the shard's watermark");
  pending_timers_family_ = &Gauges(r, metric::kPendingTimers, "Timers waiting in the shard");
  cache_customers_family_ =
      &Gauges(r, metric::kCustomerCacheCustomers, "Customers in the shard's cache");
  cache_packed_family_ = &Gauges(r, metric::kCustomerCachePackedCustomers,
                                 "Of the customers in the shard's cache, those kept encoded "
                                 "(packed) to stay within state.memory_mb");
  cache_packing_family_ =
      &Gauges(r, metric::kCustomerCachePacking,
              "1 while the shard's cache packs the customers over state.memory_mb, 0 while "
              "they leave memory instead (fewer than 1 in 4 packed ones came back in time)");
  live_sst_family_ = &Gauges(r, metric::kRocksdbLiveSstBytes, "Live SST bytes of the shard");
  pending_compaction_family_ = &Gauges(r, metric::kRocksdbPendingCompactionBytes,
                                       "Bytes RocksDB estimates compaction has to rewrite");
  lag_family_ = &Gauges(r, metric::kConsumerLagMessages, "Consumer lag per input partition");
  auto& memory =
      Gauges(r, metric::kMemoryBytes,
             "Memory of the process by part: the customer cache (estimated), RocksDB "
             "memtables, table readers and "
             "block cache (all shards), input records fetched and not processed yet "
             "(librdkafka's queues and the shards'), malloc's heap in use and held free");
  constexpr std::array<const char*, kMemoryParts> kParts = {"customer_cache",
                                                            "rocksdb_memtables",
                                                            "rocksdb_table_readers",
                                                            "rocksdb_block_cache",
                                                            "kafka_fetch_queues",
                                                            "heap_in_use",
                                                            "heap_free"};
  for (size_t i = 0; i < kMemoryParts; ++i) memory_[i] = &memory.Add({{"part", kParts[i]}});
  other_topic_ = &consumed_family_->Add({{"topic", "other"}});
  topics_.reserve(kMaxTopics);
}

MetricsProbe::~MetricsProbe() = default;

std::string MetricsProbe::Serialize() const {
  if (status_ != nullptr) {
    ready_->Set(status_->ready.load(std::memory_order_relaxed) ? 1 : 0);
    const uint64_t overtakes = status_->merge_overtakes.load(std::memory_order_relaxed);
    const uint64_t seen = merge_overtakes_seen_.exchange(overtakes, std::memory_order_relaxed);
    if (overtakes > seen) {
      merge_overtakes_->Increment(static_cast<double>(overtakes - seen));
    }
  }
  // mallinfo2 walks every free chunk of every arena under the arena's lock, stalling the
  // processing thread's malloc meanwhile: a drain scraped every 100 ms spent 8.8 % of its CPU
  // in it (bench/RESULTS.md, "Consumer prefetch"). So the heap's parts are read at the first
  // scrape and then at most once per kHeapRefreshNs (5 s).
  constexpr int64_t kHeapRefreshNs = 5'000'000'000;
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
  int64_t read_at = heap_read_at_ns_.load(std::memory_order_relaxed);
  if ((read_at == INT64_MIN || now_ns - read_at >= kHeapRefreshNs) &&
      heap_read_at_ns_.compare_exchange_strong(read_at, now_ns, std::memory_order_relaxed)) {
    const HeapFigures heap = ReadHeap();
    memory_[kHeapInUse]->Set(static_cast<double>(heap.in_use));
    memory_[kHeapFree]->Set(static_cast<double>(heap.held_free));
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

Counter& MetricsProbe::TopicCounter(std::string_view topic) {
  for (TopicSeries& series : topics_) {
    if (series.name == topic) return *series.consumed;
  }
  if (topics_.size() >= kMaxTopics) return *other_topic_;
  TopicSeries& series = topics_.emplace_back();
  series.name = std::string(topic);
  series.consumed = &consumed_family_->Add({{"topic", series.name}});
  return *series.consumed;
}

void MetricsProbe::OnRecordsProcessed(const RecordTally& records) {
  for (const RecordTally::TopicCount& topic : records.topics()) {
    if (topic.records > 0) TopicCounter(topic.topic).Increment(static_cast<double>(topic.records));
  }
  for (size_t type = 0; type < events_by_type_.size(); ++type) {
    const uint64_t decoded = records.decoded()[type];
    if (decoded > 0) events_by_type_[type]->Increment(static_cast<double>(decoded));
  }
  // The buckets as prometheus-cpp's Observe picks them (the first bound >= the value), one
  // update for the turn.
  std::fill(processing_increments_.begin(), processing_increments_.end(), 0.0);
  int64_t total_ns = 0;
  for (std::chrono::nanoseconds time : records.processing_times()) {
    const auto bucket =
        std::lower_bound(processing_bounds_ns_.begin(), processing_bounds_ns_.end(), time.count()) -
        processing_bounds_ns_.begin();
    processing_increments_[static_cast<size_t>(bucket)] += 1.0;
    total_ns += time.count();
  }
  processing_->ObserveMultiple(processing_increments_, static_cast<double>(total_ns) / 1e9);
  for (const RecordTally::ContactCount& count : records.contacts()) {
    contacts_[reasons_.Index(count.reason)][static_cast<size_t>(count.channel)]->Increment(
        static_cast<double>(count.contacts));
  }
  CountSignals(records);
}

void MetricsProbe::CountSignals(const RecordTally& records) {
  for (const RecordTally::ContactCount& count : records.repeats()) {
    repeat_contacts_[reasons_.Index(count.reason)][static_cast<size_t>(count.channel)]->Increment(
        static_cast<double>(count.contacts));
  }
  std::array<uint64_t, kContactChannelCount> met{};
  std::array<uint64_t, kContactChannelCount> breached{};
  bool risk_updated = false;
  for (const RecordTally::SignalFigures& signal : records.signals()) {
    switch (signal.kind) {
      case SignalKind::kSlaMet:
      case SignalKind::kSlaBreached:
      case SignalKind::kSlaEnded: {
        if (!signal.channel) break;
        const auto channel = static_cast<size_t>(*signal.channel);
        if (signal.kind == SignalKind::kSlaMet) ++met[channel];
        if (signal.kind == SignalKind::kSlaBreached) ++breached[channel];
        // Each wait is observed once, when its length is final: sla.met (answered in time) or
        // sla.ended (answered late, abandoned, or closed unanswered after the breach). A breach
        // only says the customer was still waiting at the deadline.
        const bool final_length = signal.kind != SignalKind::kSlaBreached;
        const auto outcome = static_cast<size_t>(signal.outcome);
        if (final_length && outcome < kOutcomes.size() &&
            (signal.sla == SlaKind::kCallAnswer || signal.sla == SlaKind::kChatFirstReply)) {
          first_response_[channel][outcome].Add(static_cast<double>(signal.elapsed_ms) / 1000.0);
        }
        break;
      }
      case SignalKind::kEffortUpdated:
        effort_score_.Add(signal.score);
        break;
      case SignalKind::kRiskUpdated:
        risk_score_.Add(signal.score);
        if (signal.score >= at_risk_enter_) {
          at_risk_.insert(signal.customer_hash);
        } else if (signal.score < at_risk_leave_) {
          at_risk_.erase(signal.customer_hash);
        }
        risk_updated = true;
        break;
      case SignalKind::kContactRepeat:
        break;  // counted by reason in repeats()
    }
  }
  for (size_t channel = 0; channel < kContactChannelCount; ++channel) {
    if (met[channel] > 0) sla_met_[channel]->Increment(static_cast<double>(met[channel]));
    if (breached[channel] > 0) {
      sla_breached_[channel]->Increment(static_cast<double>(breached[channel]));
    }
    for (ObservationBatch& batch : first_response_[channel]) batch.Apply();
  }
  effort_score_.Apply();
  risk_score_.Apply();
  if (risk_updated) customers_at_risk_->Set(static_cast<double>(at_risk_.size()));
}

void MetricsProbe::ObservationBatch::Attach(prometheus::Histogram& to,
                                            std::vector<double> bucket_bounds) {
  histogram = &to;
  bounds = std::move(bucket_bounds);
  increments.assign(bounds.size() + 1, 0.0);
}

void MetricsProbe::ObservationBatch::Add(double value) {
  const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  increments[static_cast<size_t>(bucket)] += 1.0;
  sum += value;
  empty = false;
}

void MetricsProbe::ObservationBatch::Apply() {
  if (empty) return;
  histogram->ObserveMultiple(increments, sum);
  std::fill(increments.begin(), increments.end(), 0.0);
  sum = 0;
  empty = true;
}

void MetricsProbe::OnDeadLetter(DecodeError error) {
  auto index = static_cast<size_t>(error);
  if (index > 0 && index < dead_letters_.size()) dead_letters_[index]->Increment();
}

void MetricsProbe::OnAlertCommitted(const Alert& alert, std::string_view,
                                    std::chrono::nanoseconds event_to_alert) {
  auto kind = static_cast<size_t>(alert.kind);
  auto severity = static_cast<size_t>(alert.severity);
  if (kind < alerts_.size() && severity < 2) alerts_[kind][severity]->Increment();
  event_to_alert_->Observe(Seconds(event_to_alert));
}

void MetricsProbe::OnCommit(std::chrono::nanoseconds duration, bool committed) {
  commit_->Observe(Seconds(duration));
  commits_[committed ? 1 : 0]->Increment();
}

void MetricsProbe::OnRebalance(int assigned_shards) { assigned_shards_->Set(assigned_shards); }

MetricsProbe::ShardSeries& MetricsProbe::Shard(int partition) {
  auto it = shards_.find(partition);
  if (it != shards_.end()) return *it->second;
  auto series = std::make_unique<ShardSeries>();
  prometheus::Labels labels{{"shard", std::to_string(partition)}};
  series->restore_records = &restore_records_family_->Add(labels);
  series->restore_remaining = &restore_remaining_family_->Add(labels);
  series->watermark_delay = &watermark_delay_family_->Add(labels);
  series->pending_timers = &pending_timers_family_->Add(labels);
  series->cache_customers = &cache_customers_family_->Add(labels);
  series->cache_packed = &cache_packed_family_->Add(labels);
  series->cache_packing = &cache_packing_family_->Add(labels);
  series->live_sst = &live_sst_family_->Add(labels);
  series->pending_compaction = &pending_compaction_family_->Add(labels);
  return *shards_.emplace(partition, std::move(series)).first->second;
}

void MetricsProbe::AddGrowth(Counter& counter, uint64_t& last, uint64_t now) {
  counter.Increment(static_cast<double>(now >= last ? now - last : now));
  last = now;
}

void MetricsProbe::OnShardSnapshots(const std::vector<ShardSnapshot>& shards,
                                    EventTime wall_clock) {
  for (auto it = shards_.begin(); it != shards_.end();) {
    bool assigned = std::any_of(shards.begin(), shards.end(),
                                [&](const ShardSnapshot& s) { return s.partition == it->first; });
    if (assigned) {
      ++it;
      continue;
    }
    ShardSeries& gone = *it->second;
    restore_records_family_->Remove(gone.restore_records);
    restore_remaining_family_->Remove(gone.restore_remaining);
    watermark_delay_family_->Remove(gone.watermark_delay);
    pending_timers_family_->Remove(gone.pending_timers);
    cache_customers_family_->Remove(gone.cache_customers);
    cache_packed_family_->Remove(gone.cache_packed);
    cache_packing_family_->Remove(gone.cache_packing);
    live_sst_family_->Remove(gone.live_sst);
    pending_compaction_family_->Remove(gone.pending_compaction);
    it = shards_.erase(it);
  }
  uint64_t customers = 0;
  uint64_t memtables = 0;
  uint64_t table_readers = 0;
  uint64_t block_cache = 0;
  uint64_t shared_cache = 0;  // one cache for every store: counted once
  input_queue_bytes_ = 0;
  for (const ShardSnapshot& s : shards) {
    customers += s.cache_bytes;
    input_queue_bytes_ += s.input_queue_bytes;
    memtables += s.store.memtable_bytes;
    table_readers += s.store.table_readers_bytes;
    if (s.store.block_cache_shared) {
      shared_cache = std::max(shared_cache, s.store.block_cache_usage_bytes);
    } else {
      block_cache += s.store.block_cache_usage_bytes;
    }
  }
  // A shared cache holds the memtables' reservations too: blocks are the rest.
  block_cache += shared_cache > memtables ? shared_cache - memtables : 0;
  memory_[kCustomerCache]->Set(static_cast<double>(customers));
  memory_[kMemtables]->Set(static_cast<double>(memtables));
  memory_[kTableReaders]->Set(static_cast<double>(table_readers));
  memory_[kBlockCache]->Set(static_cast<double>(block_cache));
  SetFetchQueues();
  for (const ShardSnapshot& s : shards) {
    ShardSeries& series = Shard(s.partition);
    series.restore_records->Set(static_cast<double>(s.restore_done));
    series.restore_remaining->Set(
        static_cast<double>(std::max<int64_t>(0, s.restore_total - s.restore_done)));
    double delay_ms = s.watermark.ms > 0 ? static_cast<double>(wall_clock.ms - s.watermark.ms) : 0;
    series.watermark_delay->Set(delay_ms / 1000.0);
    series.pending_timers->Set(static_cast<double>(s.pending_timers));
    series.cache_customers->Set(static_cast<double>(s.cached_customers));
    series.cache_packed->Set(static_cast<double>(s.packed_customers));
    series.cache_packing->Set(s.packing ? 1 : 0);
    series.live_sst->Set(static_cast<double>(s.store.live_sst_bytes));
    series.pending_compaction->Set(static_cast<double>(s.store.pending_compaction_bytes));
    AddGrowth(*cache_hits_, series.cache_hits, s.cache_hits);
    AddGrowth(*cache_misses_, series.cache_misses, s.cache_misses);
    AddGrowth(*block_cache_hits_, series.block_hits, s.store.block_cache_hits);
    AddGrowth(*block_cache_misses_, series.block_misses, s.store.block_cache_misses);
    uint64_t stall_before = series.stall_micros;
    uint64_t stall_now = s.store.write_stall_micros;
    uint64_t stall_growth = stall_now >= stall_before ? stall_now - stall_before : stall_now;
    write_stall_seconds_->Increment(static_cast<double>(stall_growth) / 1e6);
    series.stall_micros = stall_now;
  }
}

void MetricsProbe::OnConsumerLag(const std::vector<PartitionLag>& lags) {
  for (const PartitionLag& lag : lags) {
    if (lag.lag < 0) continue;
    auto key = std::make_pair(lag.topic, lag.partition);
    auto it = lags_.find(key);
    if (it == lags_.end()) {
      if (lags_.size() >= kMaxLagSeries) continue;
      Gauge& gauge =
          lag_family_->Add({{"topic", lag.topic}, {"partition", std::to_string(lag.partition)}});
      it = lags_.emplace(key, &gauge).first;
    }
    it->second->Set(static_cast<double>(lag.lag));
    queued_bytes_[key] = lag.queued_bytes;
  }
  SetFetchQueues();
}

void MetricsProbe::SetFetchQueues() {
  uint64_t queued = input_queue_bytes_;
  for (const auto& [key, bytes] : queued_bytes_)
    queued += static_cast<uint64_t>(std::max<int64_t>(bytes, 0));
  memory_[kFetchQueues]->Set(static_cast<double>(queued));
}

}  // namespace cx
