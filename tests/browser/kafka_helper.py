#!/usr/bin/python3
"""Kafka side of the browser tests (tests/browser/*_test.mjs).

  kafka_helper.py create BOOTSTRAP PREFIX
      creates PREFIX.clicks/.calls/.chats/.surveys (2 partitions) and PREFIX.signals/.alerts/
      .deadletter (1 partition); fails if they cannot be created.
  kafka_helper.py produce BOOTSTRAP PREFIX FILE
      produces the JSON Lines of FILE to PREFIX.<type>s keyed by customer_id (murmur2, like the
      Java client), record timestamp = the event's ts.
  kafka_helper.py delete BOOTSTRAP PREFIX
      deletes every topic starting with PREFIX.
  kafka_helper.py create-outreach BOOTSTRAP PREFIX
      creates PREFIX.alerts and PREFIX.outreach (2 partitions each: co-partitioned, SPEC §7).
  kafka_helper.py produce-alerts BOOTSTRAP TOPIC FILE
      produces the alerts (JSON Lines) of FILE to TOPIC keyed by customer_id, record timestamp
      = the alert's ts.
"""
import datetime
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

INPUTS = {"click": "clicks", "call": "calls", "chat": "chats", "survey": "surveys"}
OUTPUTS = ("signals", "alerts", "deadletter")


def create(bootstrap, prefix):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [NewTopic(f"{prefix}.{name}", 2, 1) for name in INPUTS.values()]
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


def create_outreach(bootstrap, prefix):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [NewTopic(f"{prefix}.{name}", 2, 1) for name in ("alerts", "outreach")]
    for future in admin.create_topics(topics, operation_timeout=30).values():
        future.result()
    print(f"kafka_helper: created {prefix}.alerts and {prefix}.outreach")


def timestamp_ms(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def produce_alerts(bootstrap, topic, path):
    producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                         "enable.idempotence": True})
    count = 0
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            alert = json.loads(line)
            producer.produce(topic, value=line, key=alert["customer_id"].encode(),
                             timestamp=timestamp_ms(alert["ts"]))
            count += 1
    if producer.flush(30):
        sys.exit("kafka_helper: alerts not delivered")
    print(f"kafka_helper: produced {count} alerts")


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
    command, bootstrap, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "create":
        create(bootstrap, prefix)
    elif command == "delete":
        delete(bootstrap, prefix)
    elif command == "create-outreach":
        create_outreach(bootstrap, prefix)
    elif command == "produce-alerts":
        produce_alerts(bootstrap, prefix, sys.argv[4])
    elif command == "produce":
        produce(bootstrap, prefix, sys.argv[4])
    else:
        sys.exit(f"kafka_helper: unknown command {command}")


if __name__ == "__main__":
    main()
