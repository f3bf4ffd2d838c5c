#!/usr/bin/python3
"""A live run of generated traffic (with duplicates and invalid lines) gives exactly the alerts,
signals and dead-letter count of `cxpulse replay` of the same events, and the same customer
states; its contact-reason metrics say what `cxpulse reasons` says of the same file."""
import collections
import json
import os
import re
import subprocess

import itlib

PARTITIONS = 4
CUSTOMERS = 3000


def reason_counts(metrics_text, name):
    """{reason: value summed over channels} of counter `name` in a /metrics body."""
    counts = collections.Counter()
    for line in metrics_text.splitlines():
        m = re.match(name + r'\{(.*)\} (\S+)$', line)
        if m:
            reason = re.search(r'reason="([^"]*)"', m.group(1)).group(1)
            counts[reason] += float(m.group(2))
    return {r: int(v) for r, v in counts.items() if v > 0}


def check_reason_metrics(checks, args, input_path, metrics_text):
    report = json.loads(itlib.run([args.cxpulse, "-q", "reasons", "--input", input_path,
                                   "--format", "json"]))
    contacts = {r["reason"]: r["contacts"] for r in report["reasons"] if r["contacts"] > 0}
    repeats = {r["reason"]: r["repeats"] for r in report["reasons"] if r["repeats"] > 0}
    checks.check("cxpulse reasons finds contacts and repeats", bool(contacts and repeats),
                 f"{report}")
    live_contacts = reason_counts(metrics_text, "cxpulse_contacts_total")
    live_repeats = reason_counts(metrics_text, "cxpulse_repeat_contacts_total")
    checks.check("live cxpulse_contacts_total by reason == cxpulse reasons", live_contacts == contacts,
                 f"live {live_contacts} vs file {contacts}")
    checks.check("live cxpulse_repeat_contacts_total by reason == cxpulse reasons",
                 live_repeats == repeats, f"live {live_repeats} vs file {repeats}")


def check_heap_metrics(checks, args, metrics_text):
    """The heap parts of cxpulse_memory_bytes come from the allocator the binary runs on: with
    jemalloc linked (the default build) from its statistics, which glibc's mallinfo2 (the
    fallback) would report as almost nothing in use."""
    values = {}
    for line in metrics_text.splitlines():
        m = re.match(r'cxpulse_memory_bytes\{part="(heap_in_use|heap_free)"\} (\S+)$', line)
        if m:
            values[m.group(1)] = float(m.group(2))
    checks.check("/metrics has the heap parts", set(values) == {"heap_in_use", "heap_free"},
                 f"{values}")
    linked = subprocess.run(["ldd", args.cxpulse], capture_output=True, text=True).stdout
    if "libjemalloc" in linked:
        checks.check("jemalloc binary: heap_in_use holds the state (>= 8 MiB)",
                     values.get("heap_in_use", 0) >= 8 << 20, f"{values}")


def raw_items(array_text):
    """The items of a JSON array, each as its own text (byte for byte)."""
    decoder = json.JSONDecoder()
    items, at = [], 1
    while array_text[at] != "]":
        _, end = decoder.raw_decode(array_text, at)
        items.append(array_text[at:end])
        at = end + 1 if array_text[end] == "," else end
    return items


def check_alert_feed(checks, feed_text, expected_alerts):
    """/alerts holds the newest committed alerts (500 by default) byte for byte as the alerts
    topic has them: each one of the replay's lines, none twice."""
    feed = raw_items(feed_text)
    expected = set(expected_alerts)
    checks.check("/alerts holds the newest 500 alerts", len(feed) == min(500, len(expected_alerts)),
                 f"{len(feed)} of {len(expected_alerts)}")
    strangers = [a for a in feed if a not in expected]
    checks.check("every alert of /alerts is byte for byte one of the topic's (replay's)",
                 not strangers, f"{len(strangers)} not, e.g. {strangers[:1]}")
    checks.check("no alert twice in /alerts", len(set(feed)) == len(feed), "")


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02, invalid_ratio=0.005)
    expected_alerts, expected_signals, _ = reference
    expected_dead = len(itlib.read_jsonl(os.path.join(work, "replay", "dead.jsonl")))
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals, {expected_dead} dead letters")
    checks.check("replay produces alerts to compare", len(expected_alerts) > 100,
                 f"only {len(expected_alerts)}")

    prefix, group = itlib.fresh_topics(args.bootstrap, "replay", PARTITIONS)
    itlib.produce(args.bootstrap, input_path, prefix)
    state_dir = os.path.join(work, "live-state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, "i1", extra_kafka={"idle_input_wait": "1s"})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    try:
        processor.start()
        processor.wait_ready()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [processor])
        metrics_text = processor.http_get("/metrics")[1]
        feed_status, feed_text = processor.http_get("/alerts")
    finally:
        codes = [processor.stop()]
    checks.check("processor stops cleanly on SIGTERM", codes == [0], f"exit {codes}")
    check_reason_metrics(checks, args, input_path, metrics_text)
    check_heap_metrics(checks, args, metrics_text)
    checks.check("/alerts answers", feed_status == 200, f"status {feed_status}")
    if feed_status == 200:
        check_alert_feed(checks, feed_text, expected_alerts)
    itlib.check_equals_replay(checks, args, prefix, reference, lines=lines,
                              state_dirs=[state_dir], expected_dead=expected_dead)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
