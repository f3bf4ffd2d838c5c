#!/usr/bin/python3
"""Writes the two Grafana dashboards (cx-operations.json, pipeline-health.json) from the panel
lists below, so every panel gets the same datasource, layout and field conventions.

usage: build_dashboards.py --write    rewrite both JSON files next to this script
       build_dashboards.py --check    exit 1 if a JSON file differs from what --write writes
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
WIDTH = 24


def target(expr, legend="", ref="A", fmt=None, instant=False):
    t = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    if fmt:
        t["format"] = fmt
    return t


def targets(*specs):
    """(expr, legend) pairs -> targets A, B, C, ..."""
    return [target(e, l, chr(ord("A") + i)) for i, (e, l) in enumerate(specs)]


def thresholds(*steps):
    """steps: (value or None, colour) ascending."""
    return {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in steps]}


def timeseries(title, description, tgts, unit, w=12, h=8, stack=False, minimum=None,
               maximum=None, th=None):
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
              "spanNulls": False, "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    if th:
        custom["thresholdsStyle"] = {"mode": "line"}
    defaults = {"unit": unit, "custom": custom, "color": {"mode": "palette-classic"}}
    if minimum is not None:
        defaults["min"] = minimum
    if maximum is not None:
        defaults["max"] = maximum
    if th:
        defaults["thresholds"] = th
    return {"type": "timeseries", "title": title, "description": description, "targets": tgts,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}},
            "_w": w, "_h": h}


def stat(title, description, tgts, unit, w=6, h=4, th=None, decimals=None):
    defaults = {"unit": unit, "color": {"mode": "thresholds"},
                "thresholds": th or thresholds((None, "green"))}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description, "targets": tgts,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
                        "orientation": "auto", "textMode": "auto"},
            "_w": w, "_h": h}


def distribution(title, description, metric, w=12, h=8):
    """Bar gauge of a histogram's buckets over the dashboard's time range."""
    expr = f"sum by (le) (increase({metric}_bucket[$__range]))"
    return {"type": "bargauge", "title": title, "description": description,
            "targets": [target(expr, "{{le}}", fmt="heatmap", instant=True)],
            "fieldConfig": {"defaults": {"unit": "short", "decimals": 0, "min": 0,
                                         "color": {"mode": "continuous-GrYlRd"},
                                         "thresholds": thresholds((None, "green"))},
                            "overrides": []},
            "options": {"displayMode": "gradient", "orientation": "vertical", "showUnfilled": True,
                        "valueMode": "color", "namePlacement": "auto", "sizing": "auto",
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
            "_w": w, "_h": h}


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_w": WIDTH, "_h": 1}


def layout(panels):
    """Assigns ids and gridPos left to right, wrapping at the dashboard width."""
    x = y = line_h = 0
    out = []
    for pid, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if x + w > WIDTH or p["type"] == "row":
            x, y, line_h = 0, y + line_h, 0
        p["id"] = pid
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        if p["type"] != "row":
            p["datasource"] = DS
        x += w
        line_h = max(line_h, h)
        out.append(p)
    return out


def dashboard(uid, title, description, tags, panels):
    return {
        "uid": uid, "title": title, "description": description, "tags": tags,
        "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1,
        "time": {"from": "now-6h", "to": "now"}, "refresh": "30s", "timezone": "",
        "fiscalYearStartMonth": 0, "liveNow": False, "links": [],
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": [{
            "name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "includeAll": False, "multi": False,
            "options": [], "refresh": 1, "regex": "", "skipUrlSync": False}]},
        "panels": layout(panels),
    }


PERCENT_80 = thresholds((None, "red"), (0.8, "green"))
RATE = "[$__rate_interval]"


def quantiles(metric_expr, by="", qs=(0.5, 0.9, 0.99)):
    """histogram_quantile targets over a `..._bucket` rate expression already summed by le."""
    label = "{{channel}} " if "channel" in by else ""
    return targets(*[(f"histogram_quantile({q}, sum by ({by}le) ({metric_expr}))",
                      f"{label}p{int(q * 100)}") for q in qs])


def reason_bars(title, description, expr, unit, w=8, h=8):
    """Horizontal bars of one instant value per reason over the dashboard's time range."""
    return {**stat(title, description, [target(expr, "{{reason}}", instant=True)], unit, w=w, h=h,
                   decimals=None if unit == "percentunit" else 0),
            "type": "bargauge",
            "options": {"displayMode": "basic", "orientation": "horizontal", "showUnfilled": True,
                        "valueMode": "color", "namePlacement": "auto", "sizing": "auto",
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "",
                                          "values": False}}}


def contact_reasons_panels():
    """The "Contact reasons" row (SPEC §9): top reasons, repeats per reason, their trend."""
    contacts = "sum by (reason) (increase(cxpulse_contacts_total[$__range]))"
    repeats = "sum by (reason) (increase(cxpulse_repeat_contacts_total[$__range]))"
    return [
        row("Contact reasons"),
        reason_bars("Top contact reasons in range", "Contacts (calls queued, chats started) "
                    "per reason within the dashboard's time range, the ten most frequent. "
                    "Reasons are the configured reasons.known list; anything else is other.",
                    f"topk(10, {contacts})", "short"),
        reason_bars("Repeat contacts per reason in range", "Contacts per reason that came within "
                    "the repeat window of the customer's previous contact (contact.repeat "
                    "signals), within the dashboard's time range.", f"topk(10, {repeats})",
                    "short"),
        reason_bars("Repeat share per reason in range", "Share of each reason's contacts that "
                    "were repeats within the dashboard's time range: a high share means the "
                    "first contact did not settle it.", f"{repeats} / ({contacts} > 0)",
                    "percentunit"),
        timeseries("Contacts per hour by reason", "Contacts about each reason over the last "
                   "hour (recording rule cxpulse:contacts_by_reason:increase1h), the trend "
                   "CxContactReasonSpike compares with the same hour of the previous 7 days.",
                   targets(("sum by (reason) (cxpulse:contacts_by_reason:increase1h)",
                            "{{reason}}")), "short", stack=True, minimum=0),
        timeseries("Repeat share by reason", "Share of each reason's contacts over the last "
                   "hour that were repeats (recording rule "
                   "cxpulse:repeat_contact_by_reason:ratio_rate1h).",
                   targets(("avg by (reason) (cxpulse:repeat_contact_by_reason:ratio_rate1h)",
                            "{{reason}}")), "percentunit", minimum=0),
    ]


def cx_operations():
    panels = [
        row("Service level"),
        stat("Service level now", "Share of first responses within target over the last 5 minutes "
             "per channel (calls answered, chats' first agent reply). Red under the 80 % goal.",
             targets(("cxpulse:service_level:ratio_rate5m", "{{channel}}")), "percentunit",
             w=8, th=PERCENT_80, decimals=1),
        stat("SLA breaches in range", "Contacts that missed their first-response target "
             "(unanswered or answered late) within the dashboard's time range, per channel.",
             targets((f"sum by (channel) (increase(cxpulse_sla_breached_total[$__range]))",
                      "{{channel}}")), "short", w=8,
             th=thresholds((None, "green"), (1, "orange")), decimals=0),
        stat("Customers at risk", "Customers whose risk score rose to at least 60 and has not "
             "fallen back below 40 since (approximation: decay without events is not seen).",
             targets(("sum(cxpulse_customers_at_risk)", "at risk")), "short", w=8,
             th=thresholds((None, "green"), (1, "orange")), decimals=0),
        timeseries("Service level per channel", "Share of first responses within target (5-minute "
                   "rate, recording rule cxpulse:service_level:ratio_rate5m). The alert "
                   "CxpulseServiceLevelLow fires after 30 minutes under the 80 % line.",
                   targets(("cxpulse:service_level:ratio_rate5m", "{{channel}}")), "percentunit",
                   minimum=0, maximum=1, th=PERCENT_80),
        timeseries("SLA breaches per minute", "Breached first-response targets per minute by "
                   "channel (recording rule cxpulse:sla_breached:rate5m).",
                   targets(("sum by (channel) (cxpulse:sla_breached:rate5m) * 60", "{{channel}}")),
                   "short", minimum=0),
        row("First response"),
        timeseries("Call answer time", "Percentiles of how long callers waited for an answer, "
                   "every wait at its real length: answered (in time or late), abandoned, or "
                   "closed unanswered after the breach (5-minute rate of the "
                   "cxpulse_first_response_seconds histogram, all outcomes).",
                   quantiles('cxpulse:first_response_seconds_bucket:rate5m{channel="call"}'), "s",
                   minimum=0),
        timeseries("Chat first reply time", "Percentiles of the time from chat start (or first "
                   "customer message) to the first agent reply, every wait at its real length "
                   "(answered, abandoned, or closed unanswered after the breach).",
                   quantiles('cxpulse:first_response_seconds_bucket:rate5m{channel="chat"}'), "s",
                   minimum=0),
        row("Contacts"),
        timeseries("Repeat-contact rate", "Share of contacts that came within the repeat window "
                   "of the customer's previous contact, over the last hour (recording rule "
                   "cxpulse:repeat_contact:ratio_rate1h).",
                   targets(("cxpulse:repeat_contact:ratio_rate1h", "{{channel}}")), "percentunit",
                   minimum=0),
        timeseries("Contacts per minute", "Calls queued and chats started per minute.",
                   targets((f"sum by (channel) (rate(cxpulse_contacts_total{RATE})) * 60",
                            "{{channel}}"),
                           (f"sum by (channel) (rate(cxpulse_repeat_contacts_total{RATE})) * 60",
                            "{{channel}} repeats")), "short", minimum=0),
        row("Effort and risk"),
        distribution("Effort score distribution", "Scores carried by effort.updated signals in "
                     "the dashboard's time range, by histogram bucket (upper bound le; 70 = "
                     "high_effort warning, 90 = critical).", "cxpulse_effort_score"),
        distribution("Risk score distribution", "Scores carried by risk.updated signals in the "
                     "dashboard's time range, by histogram bucket (upper bound le; 60 = at_risk "
                     "warning, 80 = critical).", "cxpulse_risk_score"),
        timeseries("Effort and risk score percentiles", "Median and 90th percentile of the "
                   "scores in effort.updated and risk.updated signals.",
                   targets(*[(f"histogram_quantile({q}, sum by (le) (rate(cxpulse_{m}_score_bucket"
                              f"{RATE})))", f"{m} p{int(q * 100)}")
                             for m in ("effort", "risk") for q in (0.5, 0.9)]),
                   "short", minimum=0, maximum=100),
        timeseries("Customers at risk", "Customers counted as at risk over time (risk score "
                   "crossed 60 and not yet back below 40).",
                   targets(("sum(cxpulse_customers_at_risk)", "at risk")), "short", minimum=0),
        row("Alerts"),
        timeseries("Alerts per minute by kind", "Committed alerts per minute by kind "
                   "(recording rule cxpulse:alerts:rate5m), stacked.",
                   targets(("sum by (kind) (cxpulse:alerts:rate5m) * 60", "{{kind}}")), "short",
                   stack=True, minimum=0),
        {**stat("Alerts in range by kind and severity", "Alerts committed within the "
                "dashboard's time range by kind and severity.",
                targets(("sum by (kind, severity) (increase(cxpulse_alerts_total[$__range]))",
                         "{{kind}} {{severity}}")), "short", w=12, h=8, decimals=0),
         "type": "bargauge",
         "options": {"displayMode": "basic", "orientation": "horizontal", "showUnfilled": True,
                     "valueMode": "color", "namePlacement": "auto", "sizing": "auto",
                     "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}},
        *contact_reasons_panels(),
    ]
    panels += outreach_row()
    return dashboard("cxpulse-cx-operations", "cxpulse / CX operations",
                     "Customer experience signals of cxpulse: service level, breaches, first "
                     "response, repeat contacts, effort and risk, alerts, outreach cases.",
                     ["cxpulse", "cx"], panels)


def pipeline_health():
    panels = [
        row("Instances"),
        stat("Instances up", "Scrape targets of the cxpulse-metrics job that answer.",
             targets(('sum(up{job="cxpulse-metrics"})', "up")), "short", w=6,
             th=thresholds((None, "red"), (1, "green")), decimals=0),
        stat("Instances ready", "Instances whose /readyz is 1 (assigned shards restored and "
             "consuming).", targets(("sum(cxpulse_ready)", "ready")), "short", w=6,
             th=thresholds((None, "red"), (1, "green")), decimals=0),
        stat("Assigned shards", "Input partitions assigned across all instances.",
             targets(("sum(cxpulse_assigned_shards)", "shards")), "short", w=6, decimals=0),
        stat("Consumer lag", "Input records not yet consumed, all topics.",
             targets(("sum(cxpulse:consumer_lag_messages:sum)", "lag")), "short", w=6,
             th=thresholds((None, "green"), (10000, "orange")), decimals=0),
        row("Throughput"),
        timeseries("Input records per second", "Records consumed per input topic.",
                   targets((f"sum by (topic) (rate(cxpulse_events_consumed_total{RATE}))",
                            "{{topic}}")), "ops", stack=True, minimum=0),
        timeseries("Decoded events per second", "Input records that decoded to an event, by "
                   "event type.",
                   targets((f"sum by (type) (rate(cxpulse_events_total{RATE}))", "{{type}}")),
                   "ops", stack=True, minimum=0),
        row("Lag and latency"),
        timeseries("Consumer lag by topic", "Records behind the end of each input topic, from "
                   "librdkafka statistics (recording rule cxpulse:consumer_lag_messages:sum). "
                   "CxpulseConsumerLagGrowing fires above 10000 and growing for 15 minutes.",
                   targets(("cxpulse:consumer_lag_messages:sum", "{{topic}}")), "short",
                   minimum=0, th=thresholds((None, "green"), (10000, "red"))),
        timeseries("Watermark delay by shard", "Wall clock minus each shard's event-time "
                   "watermark: how far behind real time deadlines (SLA timers) fire.",
                   targets(("max by (shard) (cxpulse_watermark_delay_seconds)", "shard {{shard}}")),
                   "s"),
        timeseries("Processing time per record", "Percentiles of per-record processing time "
                   "(decode, rules, state) over 5 minutes.",
                   quantiles("cxpulse:processing_seconds_bucket:rate5m", qs=(0.5, 0.99)), "s",
                   minimum=0),
        timeseries("Event to alert latency", "Percentiles of wall time from consuming the "
                   "triggering record to the alert's transaction commit.",
                   quantiles("cxpulse:event_to_alert_seconds_bucket:rate5m"), "s", minimum=0),
        row("Dead letters and merge order"),
        timeseries("Dead letters per second by code", "Input records rejected to the dead-letter "
                   "topic, by decode error code.",
                   targets((f"sum by (code) (rate(cxpulse_dead_letters_total{RATE}))", "{{code}}")),
                   "ops", stack=True, minimum=0, w=8),
        timeseries("Dead-letter share of input", "Dead letters / input records over 5 minutes "
                   "(recording rule cxpulse:dead_letters:ratio_rate5m). CxpulseDeadLetterSpike "
                   "fires above 1 % when three times the hourly average.",
                   targets(("cxpulse:dead_letters:ratio_rate5m", "dead letters")), "percentunit",
                   minimum=0, th=thresholds((None, "green"), (0.01, "red")), w=8),
        timeseries("Records merged past a lagging input", "Input records merged ahead of an "
                   "input topic still fetching behind them, once kafka.max_merge_wait expired: "
                   "their order (and so deadlines near them) may differ from a replay's. Zero "
                   "in normal operation; above zero, an input's fetches fall behind.",
                   targets((f"sum(rate(cxpulse_merge_overtakes_total{RATE}))", "overtakes")),
                   "ops", minimum=0, w=8),
        row("Commits and restores"),
        timeseries("Commits per second by result", "Commit cycles (transactions or offset "
                   "commits) that committed or were aborted.",
                   targets((f"sum by (result) (rate(cxpulse_commits_total{RATE}))", "{{result}}")),
                   "ops", minimum=0),
        timeseries("Commit duration", "Percentiles of the duration of one commit cycle.",
                   quantiles(f"rate(cxpulse_commit_seconds_bucket{RATE})", qs=(0.5, 0.99)), "s",
                   minimum=0),
        timeseries("Changelog restore", "Changelog records restored in each shard's last restore, "
                   "and records still to restore (0 once done).",
                   targets(("sum by (shard) (cxpulse_restore_records)", "shard {{shard}} restored"),
                           ("sum by (shard) (cxpulse_restore_remaining_records)",
                            "shard {{shard}} remaining")), "short", minimum=0),
        timeseries("Pending timers by shard", "Deadline timers (SLA, sessions) waiting per shard.",
                   targets(("sum by (shard) (cxpulse_pending_timers)", "shard {{shard}}")), "short",
                   minimum=0),
        row("State and RocksDB"),
        timeseries("Customer cache", "Customer states held in memory per shard, and of them "
                   "those kept packed (encoded) to stay within state.memory_mb.",
                   targets(("sum by (shard) (cxpulse_customer_cache_customers)", "shard {{shard}}"),
                           ("sum by (shard) (cxpulse_customer_cache_packed_customers)",
                            "shard {{shard}} packed")),
                   "short", minimum=0, w=8),
        timeseries("Customer cache hit ratio", "Share of customer lookups served from the "
                   "in-memory cache instead of RocksDB.",
                   targets((f"sum(rate(cxpulse_customer_cache_hits_total{RATE})) / "
                            f"(sum(rate(cxpulse_customer_cache_hits_total{RATE})) + "
                            f"sum(rate(cxpulse_customer_cache_misses_total{RATE})))", "hit ratio")),
                   "percentunit", minimum=0, maximum=1, w=8),
        timeseries("RocksDB block cache", "Block cache hits and misses per second (reads that "
                   "missed the customer cache and the memtables).",
                   targets((f"sum(rate(cxpulse_rocksdb_block_cache_hits_total{RATE}))", "hits"),
                           (f"sum(rate(cxpulse_rocksdb_block_cache_misses_total{RATE}))",
                            "misses")), "ops", minimum=0, w=8),
        timeseries("Customer cache packing", "1 while a shard's cache packs the customers "
                   "over state.memory_mb; 0 while they leave memory instead, because fewer than "
                   "1 in 4 packed customers came back before they would have left anyway.",
                   targets(("max by (shard) (cxpulse_customer_cache_packing)", "shard {{shard}}")),
                   "short", minimum=0, maximum=1, w=6),
        timeseries("RocksDB live SST size by shard", "Bytes of live SST files per shard store.",
                   targets(("sum by (shard) (cxpulse_rocksdb_live_sst_bytes)", "shard {{shard}}")),
                   "bytes", minimum=0, w=6),
        timeseries("RocksDB pending compaction", "Estimated bytes compaction still has to "
                   "rewrite per shard; sustained growth leads to write stalls.",
                   targets(("sum by (shard) (cxpulse_rocksdb_pending_compaction_bytes)",
                            "shard {{shard}}")), "bytes", minimum=0, w=6),
        timeseries("RocksDB write stalls", "Share of time writes were stalled by RocksDB "
                   "(stall seconds per second, all shards).",
                   targets((f"sum(rate(cxpulse_rocksdb_write_stall_seconds_total{RATE}))",
                            "stalled")), "percentunit", minimum=0, w=6),
        row("Notifiers"),
        timeseries("Notifications per second by destination", "Delivered (2xx), retried and "
                   "dead-lettered notifications of cxpulse outreach per destination.",
                   targets((f"sum by (destination) (rate(cxpulse_notify_delivered_total{RATE}))",
                            "{{destination}} delivered"),
                           (f"sum by (destination) (rate(cxpulse_notify_retries_total{RATE}))",
                            "{{destination}} retried")), "ops", minimum=0, w=8),
        timeseries("Notify dead letters by cause", "Notifications written to "
                   "cx.notify.deadletter: rejected (4xx), gave_up (give-up time passed), "
                   "backlog_full; and dead letters the broker refused (retried).",
                   targets((f"sum by (destination, cause) "
                            f"(rate(cxpulse_notify_deadletters_total{RATE}))",
                            "{{destination}} {{cause}}"),
                           (f"sum(rate(cxpulse_notify_deadletter_write_failures_total{RATE}))",
                            "write failures")), "ops", minimum=0, w=8),
        timeseries("Notifications held", "Notifications queued, in flight or waiting to retry, "
                   "per destination; growth means an endpoint fails or is slow.",
                   targets(("sum by (destination) (cxpulse_notify_pending)", "{{destination}}")),
                   "short", minimum=0, w=8),
        timeseries("Notify attempt latency p99", "99th percentile of one HTTP attempt per "
                   "destination (connect, TLS, request, response).",
                   targets((f"histogram_quantile(0.99, sum by (destination, le) "
                            f"(rate(cxpulse_notify_attempt_seconds_bucket{RATE})))",
                            "{{destination}}")), "s", minimum=0, w=8),
        timeseries("Notify delivery latency p99", "99th percentile from queueing a notification "
                   "to its delivery, retries included, per destination.",
                   targets((f"histogram_quantile(0.99, sum by (destination, le) "
                            f"(rate(cxpulse_notify_delivery_seconds_bucket{RATE})))",
                            "{{destination}}")), "s", minimum=0, w=8),
        timeseries("Alerts routed by destination", "Alerts read by the notifiers per second, by "
                   "the destination the routes chose (cases included).",
                   targets((f"sum by (destination) (rate(cxpulse_notify_routed_total{RATE}))",
                            "{{destination}}")), "ops", stack=True, minimum=0, w=8),
    ]
    panels += outreach_service_row()
    return dashboard("cxpulse-pipeline-health", "cxpulse / Pipeline health",
                     "Throughput, lag, latency, dead letters, commits, restores and RocksDB of "
                     "the cxpulse live processors; the outreach service's reading and commands; its notifiers.", ["cxpulse", "pipeline"], panels)


# --- Outreach (SPEC §7): the case queue of `cxpulse outreach`. Every instance folds the same
# queue, so gauges and fold-side counters are taken with max over instances, never summed;
# command answers (each instance answers its own requests) are summed.
OUTREACH_WAIT = thresholds((None, "green"), (600, "orange"), (900, "red"))  # escalate_after 15m


def outreach_quantiles(metric, qs=(0.5, 0.9)):
    return targets(*[(f"histogram_quantile({q}, max by (severity, le) (rate({metric}_bucket"
                      f"{RATE})))", f"{{{{severity}}}} p{int(q * 100)}") for q in qs])


def outreach_row():
    """The "Outreach" row of cx-operations: is anyone picking up the critical cases?"""
    return [
        row("Outreach"),
        stat("Critical cases unclaimed", "Open critical cases nobody has claimed (all queues). "
             "Each should be claimed within 15 minutes (outreach.escalate_after).",
             targets(('sum(max by (queue) (cxpulse_outreach_open_cases{severity="critical"}))',
                      "critical open")), "short", w=6,
             th=thresholds((None, "green"), (1, "orange")), decimals=0),
        stat("Longest critical wait", "How long the oldest open critical case has waited "
             "unclaimed. Orange at 10 minutes, red at 15 (the case escalates); the alert "
             "CxpulseCriticalCasesUnclaimed fires once it stays over 15 minutes for 5 more.",
             targets(('max(cxpulse_outreach_oldest_unclaimed_seconds{severity="critical"})',
                      "critical")), "s", w=6, th=OUTREACH_WAIT),
        stat("Escalations in range", "Critical cases that stayed unclaimed past "
             "outreach.escalate_after within the dashboard's time range.",
             targets(("max(increase(cxpulse_outreach_escalations_total[$__range]))",
                      "escalated")), "short", w=6,
             th=thresholds((None, "green"), (1, "red")), decimals=0),
        stat("Cases by status", "Cases held by the outreach service now, by status (resolved "
             "ones are kept for outreach.resolved_retention).",
             targets(("sum by (status) (max by (status, severity) (cxpulse_outreach_cases))",
                      "{{status}}")), "short", w=6, decimals=0),
        timeseries("Open cases by severity and queue", "Unclaimed open cases per queue and "
                   "severity, stacked (a lapsed claim or a snooze that woke counts as open).",
                   targets(("max by (severity, queue) (cxpulse_outreach_open_cases)",
                            "{{severity}} {{queue}}")), "short", stack=True, minimum=0),
        timeseries("Longest unclaimed wait", "Per severity, how long the oldest open case has "
                   "waited unclaimed (since it opened, was released, lapsed or woke).",
                   targets(("max by (severity) (cxpulse_outreach_oldest_unclaimed_seconds)",
                            "{{severity}}")), "s", minimum=0, th=OUTREACH_WAIT),
        timeseries("Time to claim", "Median and 90th percentile of the time from a case "
                   "opening to its first claim, by severity (claims in the last minutes).",
                   outreach_quantiles("cxpulse_outreach_time_to_claim_seconds"), "s", minimum=0),
        timeseries("Time to resolve", "Median and 90th percentile of the time from a case "
                   "opening to its resolve, by severity.",
                   outreach_quantiles("cxpulse_outreach_time_to_resolve_seconds"), "s",
                   minimum=0),
        {**stat("Outcomes in range", "Cases resolved within the dashboard's time range, by "
                "outcome (reached, no_answer, resolved, not_needed).",
                targets(("max by (outcome) (increase(cxpulse_outreach_outcomes_total"
                         "[$__range]))", "{{outcome}}")), "short", w=12, h=8, decimals=0),
         "type": "bargauge",
         "options": {"displayMode": "basic", "orientation": "horizontal", "showUnfilled": True,
                     "valueMode": "color", "namePlacement": "auto", "sizing": "auto",
                     "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}},
        timeseries("Escalations per hour", "Critical cases escalated over the last hour "
                   "(unclaimed past outreach.escalate_after).",
                   targets(("max(increase(cxpulse_outreach_escalations_total[1h]))",
                            "escalations")), "short", minimum=0),
    ]


def outreach_service_row():
    """The "Outreach service" row of pipeline-health: reading, commands, round trips."""
    return [
        row("Outreach service"),
        stat("Outreach instances ready", "`cxpulse outreach` instances that read both logs to "
             "their end offsets of start-up (/readyz).",
             targets(("sum(cxpulse_outreach_ready)", "ready")), "short", w=6,
             th=thresholds((None, "red"), (1, "green")), decimals=0),
        stat("Queue rebuild time", "Longest time an instance took at start to read cx.alerts "
             "and cx.outreach to their end (the queue rebuild).",
             targets(("max(cxpulse_outreach_rebuild_seconds)", "rebuild")), "s", w=6),
        timeseries("Outreach records read", "Records read from cx.alerts and cx.outreach per "
                   "second (per instance: each reads everything), and those skipped as "
                   "undecodable.",
                   targets((f"max by (log) (rate(cxpulse_outreach_records_total{RATE}))",
                            "{{log}}"),
                           (f"max by (log) (rate(cxpulse_outreach_bad_records_total{RATE}))",
                            "{{log}} bad")), "ops", minimum=0, w=12, h=4),
        timeseries("Rep commands by verdict", "Rep commands folded per minute by command and "
                   "verdict (conflict: someone else owns the case).",
                   targets((f"max by (command, verdict) (rate(cxpulse_outreach_commands_total"
                            f"{RATE})) * 60", "{{command}} {{verdict}}")), "short", minimum=0,
                   w=8),
        timeseries("Command round trip", "Percentiles of a command request from arrival to its "
                   "answer, once the command was read back from cx.outreach.",
                   targets(*[(f"histogram_quantile({q}, sum by (le) (rate("
                              f"cxpulse_outreach_command_round_trip_seconds_bucket{RATE})))",
                              f"p{int(q * 100)}") for q in (0.5, 0.99)]), "s", minimum=0, w=8),
        timeseries("Command answers by status", "Command requests answered per minute by HTTP "
                   "status (409 conflict, 503 not read back in time), all instances.",
                   targets((f"sum by (status) (rate(cxpulse_outreach_command_answers_total"
                            f"{RATE})) * 60", "{{status}}")), "short", minimum=0, w=8),
    ]


def render(board):
    return json.dumps(board, indent=2) + "\n"


def main():
    boards = {"cx-operations.json": cx_operations(), "pipeline-health.json": pipeline_health()}
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("--write", "--check"):
        sys.exit(__doc__)
    stale = []
    for name, board in boards.items():
        path = HERE / name
        text = render(board)
        if mode == "--write":
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            stale.append(name)
    if stale:
        sys.exit(f"build_dashboards.py: {', '.join(stale)} not up to date; run "
                 "/usr/bin/python3 dashboards/grafana/build_dashboards.py --write")


if __name__ == "__main__":
    main()
