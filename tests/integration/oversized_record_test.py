#!/usr/bin/python3
"""A 200 KiB record of control bytes among valid events, under exactly-once and at-least-once:
exactly one dead letter (too_large, a bounded prefix with the record's size and SHA-256) reaches
cx.deadletter, every valid event is processed (alerts and signals equal `cxpulse replay`'s), and
the processor never rolls back (before the fix: exactly-once lost the dead letter, which was
larger than Kafka accepts; at-least-once rolled back forever without moving its offset)."""
import hashlib
import json
import os

from confluent_kafka import Producer

import itlib

PARTITIONS = 2
CUSTOMERS = 400
BIG_SIZE = 200 * 1024


def produce_big_record(bootstrap, prefix, timestamp_ms, payload):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    producer.produce(prefix + "cx.clicks", value=payload, partition=0, timestamp=timestamp_ms)
    if producer.flush(60):
        raise RuntimeError("the 200 KiB record was not delivered")


def run_mode(args, checks, mode, halves, expected_alerts, expected_signals, payload):
    work = os.path.join(args.work_dir, mode)
    os.makedirs(work)
    prefix, group = itlib.fresh_topics(args.bootstrap, "oversized", PARTITIONS)
    first, second = halves
    itlib.produce(args.bootstrap, first, prefix)
    last_ts = max(t for t in map(itlib.event_ms, itlib.read_jsonl(first)) if t is not None)
    produce_big_record(args.bootstrap, prefix, last_ts, payload)
    itlib.produce(args.bootstrap, second, prefix)
    config = itlib.write_config(os.path.join(work, "live.yaml"), os.path.join(work, "state"),
                                args.bootstrap, group, prefix, "i1",
                                extra_kafka={"processing": mode.replace("-", "_")})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log")).start()
    try:
        processor.wait_assigned()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, [processor])
        # Read before the stop (the process's metrics go with it).
        aborted = processor.metric_sample("cxpulse_commits_total", result="aborted")
        dead_counted = processor.metric_sample("cxpulse_dead_letters_total", code="too_large")
    finally:
        code = processor.stop()
    checks.check(f"{mode}: processor stops cleanly", code == 0, f"exit {code}")
    checks.check(f"{mode}: no rollback (cxpulse_commits_total{{result=\"aborted\"}} is 0)",
                 aborted == 0, f"{aborted} aborted commit cycles")
    checks.check(f"{mode}: one too_large dead letter counted (cxpulse_dead_letters_total)",
                 dead_counted == 1, f"{dead_counted}")

    alerts, signals, dead = itlib.read_outputs(args.bootstrap, prefix, work)
    checks.check(f"{mode}: exactly one dead letter on the topic", len(dead) == 1,
                 f"{len(dead)} dead letters")
    if dead:
        letter = json.loads(dead[0])
        checks.check(f"{mode}: dead letter is too_large from cx.clicks",
                     letter.get("error") == "too_large" and
                     letter.get("source", {}).get("topic") == prefix + "cx.clicks",
                     dead[0][:300])
        checks.check(f"{mode}: dead letter keeps a bounded prefix, the size and the hash",
                     letter.get("original_truncated") is True and
                     letter.get("original_size") == BIG_SIZE and
                     letter.get("original_sha256") == hashlib.sha256(payload).hexdigest() and
                     letter.get("original", "").encode() == payload[:64 * 1024] and
                     len(dead[0]) < 1_000_000,
                     f"{len(dead[0])} bytes; " + json.dumps(
                         {k: v for k, v in letter.items() if not k.startswith("original")}))
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"{mode}: alerts == replay alerts ({len(alerts)})", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"{mode}: signals == replay signals ({len(signals)})", not diff, diff)


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, _, (expected_alerts, expected_signals, _) = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS)
    checks.check("replay produces alerts to compare", len(expected_alerts) > 10,
                 f"only {len(expected_alerts)}")
    first, second = os.path.join(work, "first.jsonl"), os.path.join(work, "second.jsonl")
    itlib.write_jsonl(first, lines[:len(lines) // 2])
    itlib.write_jsonl(second, lines[len(lines) // 2:])
    payload = bytes(i % 32 for i in range(BIG_SIZE))  # control bytes: 6 bytes each escaped
    for mode in ("exactly-once", "at-least-once"):
        run_mode(args, checks, mode, (first, second), expected_alerts, expected_signals, payload)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
