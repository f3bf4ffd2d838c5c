#pragma once

// Every metric cxpulse exports, named once (the contract with dashboards/: dashboards/METRICS.md,
// checked by tests/prometheus/check_dashboards.py). All are prefixed `cxpulse_`.
namespace cx::metric {

inline constexpr char kAlertsTotal[] = "cxpulse_alerts_total";
inline constexpr char kAssignedShards[] = "cxpulse_assigned_shards";
inline constexpr char kCommitSeconds[] = "cxpulse_commit_seconds";
inline constexpr char kCommitsTotal[] = "cxpulse_commits_total";
inline constexpr char kConsumerLagMessages[] = "cxpulse_consumer_lag_messages";
inline constexpr char kContactsTotal[] = "cxpulse_contacts_total";
inline constexpr char kCustomerCacheCustomers[] = "cxpulse_customer_cache_customers";
inline constexpr char kCustomerCachePackedCustomers[] = "cxpulse_customer_cache_packed_customers";
inline constexpr char kCustomerCachePacking[] = "cxpulse_customer_cache_packing";
inline constexpr char kCustomerCacheHitsTotal[] = "cxpulse_customer_cache_hits_total";
inline constexpr char kCustomerCacheMissesTotal[] = "cxpulse_customer_cache_misses_total";
inline constexpr char kCustomersAtRisk[] = "cxpulse_customers_at_risk";
inline constexpr char kDeadLettersTotal[] = "cxpulse_dead_letters_total";
inline constexpr char kEffortScore[] = "cxpulse_effort_score";
inline constexpr char kEventToAlertSeconds[] = "cxpulse_event_to_alert_seconds";
inline constexpr char kEventsConsumedTotal[] = "cxpulse_events_consumed_total";
inline constexpr char kEventsTotal[] = "cxpulse_events_total";
inline constexpr char kFirstResponseSeconds[] = "cxpulse_first_response_seconds";
// Not on a dashboard (so not in dashboards/METRICS.md): the memory breakdown of a process, by
// part (docs/operations.md, "Memory").
inline constexpr char kMemoryBytes[] = "cxpulse_memory_bytes";
inline constexpr char kMergeOvertakesTotal[] = "cxpulse_merge_overtakes_total";
inline constexpr char kPendingTimers[] = "cxpulse_pending_timers";
inline constexpr char kProcessingSeconds[] = "cxpulse_processing_seconds";
inline constexpr char kReady[] = "cxpulse_ready";
inline constexpr char kRepeatContactsTotal[] = "cxpulse_repeat_contacts_total";
inline constexpr char kRestoreRecords[] = "cxpulse_restore_records";
inline constexpr char kRestoreRemainingRecords[] = "cxpulse_restore_remaining_records";
inline constexpr char kRiskScore[] = "cxpulse_risk_score";
inline constexpr char kRocksdbBlockCacheHitsTotal[] = "cxpulse_rocksdb_block_cache_hits_total";
inline constexpr char kRocksdbBlockCacheMissesTotal[] = "cxpulse_rocksdb_block_cache_misses_total";
inline constexpr char kRocksdbLiveSstBytes[] = "cxpulse_rocksdb_live_sst_bytes";
inline constexpr char kRocksdbPendingCompactionBytes[] = "cxpulse_rocksdb_pending_compaction_bytes";
inline constexpr char kRocksdbWriteStallSecondsTotal[] =
    "cxpulse_rocksdb_write_stall_seconds_total";
inline constexpr char kSlaBreachedTotal[] = "cxpulse_sla_breached_total";
inline constexpr char kSlaMetTotal[] = "cxpulse_sla_met_total";
inline constexpr char kWatermarkDelaySeconds[] = "cxpulse_watermark_delay_seconds";

// `cxpulse outreach` (runtime/metrics/outreach_metrics.h).
inline constexpr char kOutreachBadRecordsTotal[] = "cxpulse_outreach_bad_records_total";
inline constexpr char kOutreachCases[] = "cxpulse_outreach_cases";
inline constexpr char kOutreachCommandAnswersTotal[] = "cxpulse_outreach_command_answers_total";
inline constexpr char kOutreachCommandRoundTripSeconds[] =
    "cxpulse_outreach_command_round_trip_seconds";
inline constexpr char kOutreachCommandsTotal[] = "cxpulse_outreach_commands_total";
inline constexpr char kOutreachEscalationsTotal[] = "cxpulse_outreach_escalations_total";
inline constexpr char kOutreachOldestUnclaimedSeconds[] =
    "cxpulse_outreach_oldest_unclaimed_seconds";
inline constexpr char kOutreachOpenCases[] = "cxpulse_outreach_open_cases";
inline constexpr char kOutreachOutcomesTotal[] = "cxpulse_outreach_outcomes_total";
inline constexpr char kOutreachReady[] = "cxpulse_outreach_ready";
inline constexpr char kOutreachRebuildSeconds[] = "cxpulse_outreach_rebuild_seconds";
inline constexpr char kOutreachRecordsTotal[] = "cxpulse_outreach_records_total";
inline constexpr char kOutreachTimeToClaimSeconds[] = "cxpulse_outreach_time_to_claim_seconds";
inline constexpr char kOutreachTimeToResolveSeconds[] = "cxpulse_outreach_time_to_resolve_seconds";

// The notifiers (runtime/metrics/notify_metrics.h).
inline constexpr char kNotifyAttemptSeconds[] = "cxpulse_notify_attempt_seconds";
inline constexpr char kNotifyDeadletterWriteFailuresTotal[] =
    "cxpulse_notify_deadletter_write_failures_total";
inline constexpr char kNotifyDeadlettersTotal[] = "cxpulse_notify_deadletters_total";
inline constexpr char kNotifyDeliveredTotal[] = "cxpulse_notify_delivered_total";
inline constexpr char kNotifyDeliverySeconds[] = "cxpulse_notify_delivery_seconds";
inline constexpr char kNotifyPending[] = "cxpulse_notify_pending";
inline constexpr char kNotifyRetriesTotal[] = "cxpulse_notify_retries_total";
inline constexpr char kNotifyRoutedTotal[] = "cxpulse_notify_routed_total";

}  // namespace cx::metric
