#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "processors/rules_config.h"
#include "reasons/reason_labels.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/live_status.h"
#include "runtime/metrics/prometheus_fwd.h"

namespace cx {

// The Prometheus metrics of the live processor (names: dashboards/METRICS.md, all prefixed
// `cxpulse_`). The only code in cxpulse that includes prometheus-cpp.
//
// Observer calls come from the processing thread; Serialize() may run on any thread at the same
// time (prometheus-cpp's metrics are atomic and its families lock while series are added or
// removed, which happens only for a new topic, shard or partition). Per-event calls use
// pre-resolved series: no label strings are built on the hot path. Label sets are bounded:
// topics (at most kMaxTopics distinct, then "other"), event types, error codes, channels, alert
// kinds and severities, assigned partition numbers (at most kMaxLagSeries lag series), contact
// reasons (the configured list and "other": at most ReasonLabels::kMaxReasonLabels). No
// customer id is ever a label.
class MetricsProbe final : public LiveObserver {
 public:
  // `status` (may be null) feeds cxpulse_ready at each Serialize(); it must outlive the probe.
  // A customer counts in cxpulse_customers_at_risk from a risk score of `risk.alert_warning`
  // until it drops below `risk.alert_rearm` (the at_risk alert's levels). `reasons` is the
  // `reasons.known` list of the contact metrics (SPEC §9; must pass ValidateReasonList).
  explicit MetricsProbe(const LiveStatus* status = nullptr, const RiskRules& risk = RiskRules{},
                        std::vector<std::string> reasons = DefaultReasons());
  ~MetricsProbe() override;
  MetricsProbe(const MetricsProbe&) = delete;
  MetricsProbe& operator=(const MetricsProbe&) = delete;

  // Distinct topic labels kept for cxpulse_events_consumed_total (the four input topics).
  static constexpr size_t kMaxTopics = 8;
  // Distinct (topic, partition) series kept for cxpulse_consumer_lag_messages.
  static constexpr size_t kMaxLagSeries = 4096;

  // Every metric in the Prometheus text exposition format 0.0.4. Thread-safe.
  [[nodiscard]] std::string Serialize() const;

  // Counts records by topic and type, their processing times (one histogram update for all of
  // them), the contacts they opened by reason and channel, and what the signals emitted
  // meanwhile say (SLAs, first responses, repeats, effort and risk scores, customers at risk;
  // one update per histogram).
  void OnRecordsProcessed(const RecordTally& records) override;
  void OnDeadLetter(DecodeError error) override;
  void OnAlertCommitted(const Alert& alert, std::string_view alert_json,
                        std::chrono::nanoseconds event_to_alert) override;
  void OnCommit(std::chrono::nanoseconds duration, bool committed) override;
  void OnRebalance(int assigned_shards) override;
  void OnShardSnapshots(const std::vector<ShardSnapshot>& shards, EventTime wall_clock) override;
  void OnConsumerLag(const std::vector<PartitionLag>& lags) override;

 private:
  struct ShardSeries;
  struct TopicSeries {
    std::string name;
    prometheus::Counter* consumed = nullptr;
  };
  // One turn's observations of a histogram, added with one ObserveMultiple (prometheus-cpp's
  // Observe takes the histogram's mutex per value), each in the bucket Observe would pick: the
  // first bound >= the value.
  struct ObservationBatch {
    prometheus::Histogram* histogram = nullptr;
    std::vector<double> bounds;
    std::vector<double> increments;  // one per bound, then +Inf
    double sum = 0;
    bool empty = true;

    // Observations go to `to`, whose bucket bounds are `bucket_bounds`.
    void Attach(prometheus::Histogram& to, std::vector<double> bucket_bounds);
    void Add(double value);
    // Adds the observations to `histogram` and forgets them.
    void Apply();
  };
  // The signal metrics of one processing turn.
  void CountSignals(const RecordTally& records);
  prometheus::Counter& TopicCounter(std::string_view topic);
  ShardSeries& Shard(int partition);
  // Adds the growth of a cumulative per-shard count (which restarts at 0 when a shard's store
  // is reopened) to `counter`.
  static void AddGrowth(prometheus::Counter& counter, uint64_t& last, uint64_t now);

  const LiveStatus* status_;
  int at_risk_enter_;
  int at_risk_leave_;
  ReasonLabels reasons_;
  std::shared_ptr<prometheus::Registry> registry_;

  prometheus::Family<prometheus::Counter>* consumed_family_;
  std::vector<TopicSeries> topics_;
  prometheus::Counter* other_topic_ = nullptr;
  std::array<prometheus::Counter*, 4> events_by_type_{};
  std::array<prometheus::Counter*, kDecodeErrorCount> dead_letters_{};
  prometheus::Histogram* processing_ = nullptr;
  std::vector<int64_t> processing_bounds_ns_;  // processing_'s bucket boundaries
  std::vector<double> processing_increments_;  // OnRecordsProcessed's buffer: one per bucket
  prometheus::Histogram* event_to_alert_ = nullptr;
  prometheus::Histogram* commit_ = nullptr;
  std::array<prometheus::Counter*, 2> commits_{};  // aborted, committed
  prometheus::Gauge* assigned_shards_ = nullptr;
  prometheus::Gauge* ready_ = nullptr;
  prometheus::Counter* merge_overtakes_ = nullptr;
  // status_->merge_overtakes as of the last Serialize (its growth is added then).
  mutable std::atomic<uint64_t> merge_overtakes_seen_{0};
  prometheus::Counter* cache_hits_ = nullptr;
  prometheus::Counter* cache_misses_ = nullptr;
  prometheus::Counter* block_cache_hits_ = nullptr;
  prometheus::Counter* block_cache_misses_ = nullptr;
  prometheus::Counter* write_stall_seconds_ = nullptr;
  // Sets cxpulse_memory_bytes{part="kafka_fetch_queues"} from queued_bytes_ and
  // input_queue_bytes_.
  void SetFetchQueues();
  // cxpulse_memory_bytes{part}: the parts below, then the heap's (set at Serialize).
  enum MemoryPart : size_t {
    kCustomerCache,
    kMemtables,
    kTableReaders,
    kBlockCache,
    kFetchQueues,
    kHeapInUse,
    kHeapFree,
    kMemoryParts
  };
  std::array<prometheus::Gauge*, kMemoryParts> memory_{};
  // When Serialize last read the heap's figures (steady clock, ns; INT64_MIN: never).
  mutable std::atomic<int64_t> heap_read_at_ns_{INT64_MIN};
  // fetchq_size of every input partition last reported, and the bytes of the records the shards
  // took from those queues (last snapshot), summed into kFetchQueues by SetFetchQueues.
  std::map<std::pair<std::string, int32_t>, int64_t> queued_bytes_;
  uint64_t input_queue_bytes_ = 0;

  // By ContactChannel, then by SlaOutcome (answered, abandoned, breached).
  std::array<std::array<ObservationBatch, 3>, kContactChannelCount> first_response_{};
  std::array<prometheus::Counter*, kContactChannelCount> sla_met_{};
  std::array<prometheus::Counter*, kContactChannelCount> sla_breached_{};
  // By reason label index (reasons_), then by ContactChannel.
  using ChannelCounters = std::array<prometheus::Counter*, kContactChannelCount>;
  std::vector<ChannelCounters> contacts_;
  std::vector<ChannelCounters> repeat_contacts_;
  ObservationBatch effort_score_;
  ObservationBatch risk_score_;
  std::array<std::array<prometheus::Counter*, 2>, kAlertKindCount> alerts_{};
  prometheus::Gauge* customers_at_risk_ = nullptr;
  // Hashes of the customers counted in cxpulse_customers_at_risk (no ids kept).
  std::unordered_set<uint64_t> at_risk_;

  // Per-shard and per-partition series (created on first sight, removed when unassigned).
  prometheus::Family<prometheus::Gauge>* restore_records_family_;
  prometheus::Family<prometheus::Gauge>* restore_remaining_family_;
  prometheus::Family<prometheus::Gauge>* watermark_delay_family_;
  prometheus::Family<prometheus::Gauge>* pending_timers_family_;
  prometheus::Family<prometheus::Gauge>* cache_customers_family_;
  prometheus::Family<prometheus::Gauge>* cache_packed_family_;
  prometheus::Family<prometheus::Gauge>* cache_packing_family_;
  prometheus::Family<prometheus::Gauge>* live_sst_family_;
  prometheus::Family<prometheus::Gauge>* pending_compaction_family_;
  prometheus::Family<prometheus::Gauge>* lag_family_;
  std::map<int, std::unique_ptr<ShardSeries>> shards_;
  std::map<std::pair<std::string, int32_t>, prometheus::Gauge*> lags_;
};

}  // namespace cx
