#!/usr/bin/python3
"""Produces a JSON Lines file of cxpulse events to the four input topics, in file order.

Each line goes to the topic of its `type` (click -> cx.clicks, ...) keyed by `customer_id`, with
the Java client's partitioner (murmur2) so all of a customer's events share a partition number.
Lines that are not JSON objects with a known type go to cx.clicks without a key. The record
timestamp is the event's `ts` (the previous line's for lines without a usable one), as a
producer emitting events as they happen would set it: cxpulse merges its input topics by it.

usage: produce_jsonl.py BOOTSTRAP FILE [--topic-prefix P] [--rate N] [--transactional] [--debug CONTEXTS]

  --topic-prefix P   topics are P + "cx.clicks", ... (per-test topics)
  --rate N           at most N records per second (traffic that keeps arriving)
  --transactional    all records in one transaction (read_committed readers see all or none)
  --debug CONTEXTS   librdkafka's debug contexts (e.g. eos,msg), logged to stderr
"""
import argparse
import datetime
import json
import re
import sys
import time
import uuid

from confluent_kafka import Producer

TOPICS = {"click": "cx.clicks", "call": "cx.calls", "chat": "cx.chats", "survey": "cx.surveys"}


# RFC 3339 with a time offset, as cxpulse's decoder accepts it. Python's fromisoformat also takes
# looser forms ("2026-10-05 09:00:00", naive times); a line the processor rejects must not set a
# record timestamp that would steer the merge of the input topics.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def event_millis(ts):
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    if isinstance(ts, str) and RFC3339.match(ts):
        try:
            return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None
    return None


def route(line, prefix=""):
    """(topic, key, event time in ms or None) of one line."""
    try:
        event = json.loads(line)
    except ValueError:
        return prefix + "cx.clicks", None, None
    if not isinstance(event, dict):
        return prefix + "cx.clicks", None, None
    topic = prefix + TOPICS.get(event.get("type"), "cx.clicks")
    key = event.get("customer_id")
    return topic, key.encode() if isinstance(key, str) else None, event_millis(event.get("ts"))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bootstrap")
    parser.add_argument("file")
    parser.add_argument("--topic-prefix", default="")
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--transactional", action="store_true")
    parser.add_argument("--debug", default="")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    failures = []

    def on_delivery(err, _msg):
        if err is not None:
            failures.append(err)

    conf = {"bootstrap.servers": args.bootstrap, "partitioner": "murmur2_random",
            "linger.ms": 20, "enable.idempotence": True, "on_delivery": on_delivery}
    if args.transactional:
        conf["transactional.id"] = "produce-jsonl-" + uuid.uuid4().hex
    if args.debug:
        conf["debug"] = args.debug
    producer = Producer(conf)
    if args.transactional:
        producer.init_transactions(60)
        producer.begin_transaction()
    count = 0
    last_ts = 0
    started = time.monotonic()
    with open(args.file, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            topic, key, ts = route(line, args.topic_prefix)
            if ts is not None and 0 < ts < time.time() * 1000 + 3_600_000:
                last_ts = ts
            while True:
                try:
                    producer.produce(topic, value=line, key=key, timestamp=last_ts)
                    break
                except BufferError:
                    producer.poll(0.1)
            count += 1
            if args.rate > 0:
                ahead = count / args.rate - (time.monotonic() - started)
                if ahead > 0.005:
                    producer.poll(ahead)
            elif count % 10000 == 0:
                producer.poll(0)
    if args.transactional:
        producer.commit_transaction(120)
    remaining = producer.flush(120)
    if remaining:
        sys.exit(f"produce_jsonl: {remaining} records not delivered")
    if failures:
        sys.exit(f"produce_jsonl: {len(failures)} records failed delivery; the first: {failures[0]}")
    print(f"produce_jsonl: {count} records")


if __name__ == "__main__":
    main()
