#!/usr/bin/python3
"""Kafka side of the browser tests (tests/browser/*_test.mjs).

  kafka_helper.py create BOOTSTRAP PREFIX
      creates the processor's inputs PREFIX.clicks/.calls/.chats/.surveys (2 partitions), its
      outputs PREFIX.signals/.deadletter (1 partition) and PREFIX.alerts, and the outreach
      service's PREFIX.outreach (2 partitions each: co-partitioned with the alerts, SPEC §7);
      fails if they cannot be created.
  kafka_helper.py produce BOOTSTRAP PREFIX FILE
      produces the JSON Lines of FILE to PREFIX.<type>s keyed by customer_id (murmur2, like the
      Java client), record timestamp = the event's ts.
  kafka_helper.py delete BOOTSTRAP PREFIX
      deletes every topic starting with PREFIX.
  kafka_helper.py tail-events PARTITIONS TS
      prints one harmless page_view per input partition at TS (RFC 3339), each of a customer
      whose key hashes to that partition: they move every partition's watermark to TS
      (tests/integration/itlib.py, tail_events).
"""
import datetime
import json
import os
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import itlib  # noqa: E402  (the integration tests' partitioner and tail events)

INPUTS = {"click": "clicks", "call": "calls", "chat": "chats", "survey": "surveys"}
OUTPUTS = ("signals", "deadletter")
CASE_LOGS = ("alerts", "outreach")


def create(bootstrap, prefix):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [NewTopic(f"{prefix}.{name}", 2, 1) for name in (*INPUTS.values(), *CASE_LOGS)]
    topics += [NewTopic(f"{prefix}.{name}", 1, 1) for name in OUTPUTS]
    for name, future in admin.create_topics(topics, operation_timeout=30).items():
        future.result()
    print(f"kafka_helper: created {len(topics)} topics under {prefix}")


def delete(bootstrap, prefix):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    if names:
        for future in admin.delete_topics(names, operation_timeout=30).values():
            try:
                future.result()
            except Exception as err:  # a topic already gone is fine
                print(f"kafka_helper: delete: {err}", file=sys.stderr)


def timestamp_ms(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def tail_events(partitions, ts):
    latest = timestamp_ms(ts)
    for line in itlib.tail_events([json.dumps({"ts": latest})], partitions, gap_ms=0):
        event = json.loads(line)
        event["event_id"] += f"-{latest}"  # a later tail is a new event, not a duplicate
        print(json.dumps(event))


def produce(bootstrap, prefix, path):
    producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                         "enable.idempotence": True})
    count = 0
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            topic = f"{prefix}.{INPUTS[event['type']]}"
            ts = timestamp_ms(event["ts"])
            producer.produce(topic, value=line, key=event["customer_id"].encode(), timestamp=ts)
            count += 1
    if producer.flush(30):
        sys.exit("kafka_helper: records not delivered")
    print(f"kafka_helper: produced {count} records")


def main():
    command, bootstrap, prefix = sys.argv[1], sys.argv[2], sys.argv[3]  # tail-events: see above
    if command == "create":
        create(bootstrap, prefix)
    elif command == "delete":
        delete(bootstrap, prefix)
    elif command == "tail-events":
        tail_events(int(sys.argv[2]), sys.argv[3])
    elif command == "produce":
        produce(bootstrap, prefix, sys.argv[4])
    else:
        sys.exit(f"kafka_helper: unknown command {command}")


if __name__ == "__main__":
    main()
