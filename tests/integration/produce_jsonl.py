#!/usr/bin/python3
"""Produces a JSON Lines file of cxpulse events to the four input topics, in file order.

Each line goes to the topic of its `type` (click -> cx.clicks, ...) keyed by `customer_id`, with
the Java client's partitioner (murmur2) so all of a customer's events share a partition number.
Lines that are not JSON objects with a known type go to cx.clicks without a key. The record
timestamp is the event's `ts` (the previous line's for lines without a usable one), as a
producer emitting events as they happen would set it: cxpulse merges its input topics by it.

usage: produce_jsonl.py BOOTSTRAP FILE [--transactional]
"""
import datetime
import json
import sys
import time

from confluent_kafka import Producer

TOPICS = {"click": "cx.clicks", "call": "cx.calls", "chat": "cx.chats", "survey": "cx.surveys"}


def event_millis(ts):
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    if isinstance(ts, str):
        try:
            return int(datetime.datetime.fromisoformat(ts).timestamp() * 1000)
        except ValueError:
            return None
    return None


def route(line):
    """(topic, key, event time in ms or None) of one line."""
    try:
        event = json.loads(line)
    except ValueError:
        return "cx.clicks", None, None
    if not isinstance(event, dict):
        return "cx.clicks", None, None
    topic = TOPICS.get(event.get("type"), "cx.clicks")
    key = event.get("customer_id")
    return topic, key.encode() if isinstance(key, str) else None, event_millis(event.get("ts"))


def main():
    bootstrap, path = sys.argv[1], sys.argv[2]
    producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                         "linger.ms": 20, "enable.idempotence": True})
    count = 0
    last_ts = 0
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            topic, key, ts = route(line)
            if ts is not None and 0 < ts < time.time() * 1000 + 3_600_000:
                last_ts = ts
            while True:
                try:
                    producer.produce(topic, value=line, key=key, timestamp=last_ts)
                    break
                except BufferError:
                    producer.poll(0.1)
            count += 1
            if count % 10000 == 0:
                producer.poll(0)
    remaining = producer.flush(60)
    if remaining:
        sys.exit(f"produce_jsonl: {remaining} records not delivered")
    print(f"produce_jsonl: {count} records")


if __name__ == "__main__":
    main()
