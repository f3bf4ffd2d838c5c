#!/usr/bin/python3
"""Smoke test of the local test broker with librdkafka (Debian's python3-confluent-kafka).

Checks what cxpulse relies on: topic admin, plain produce/consume, transactions (commit and
abort seen correctly under read_committed), the consume-transform-produce pattern with offsets
sent to the transaction, and compacted topics.

Needs a running broker (tools/kafka/broker.sh start). Bootstrap: $KAFKA_BOOTSTRAP, else
127.0.0.1:$KAFKA_PORT (default 19092). Run with Debian's python: /usr/bin/python3.
Prints one line per check and a closing 'smoke: N passed, N failed'; exits 1 on any failure.
"""

import os
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

BOOTSTRAP = os.environ.get(
    "KAFKA_BOOTSTRAP", "127.0.0.1:" + os.environ.get("KAFKA_PORT", "19092"))
TIMEOUT_S = 30.0
RUN = uuid.uuid4().hex[:8]


def topic_name(suffix):
    return "smoke.%s.%s" % (RUN, suffix)


def create_topics(admin, specs):
    """specs: list of (name, partitions, config dict)."""
    futures = admin.create_topics(
        [NewTopic(n, num_partitions=p, replication_factor=1, config=c) for n, p, c in specs],
        operation_timeout=TIMEOUT_S)
    for f in futures.values():
        f.result(timeout=TIMEOUT_S)


def delete_topics(admin, names):
    for f in admin.delete_topics(names, operation_timeout=TIMEOUT_S).values():
        try:
            f.result(timeout=TIMEOUT_S)
        except KafkaException:
            pass


def consumer(group, isolation, extra=None):
    conf = {
        "bootstrap.servers": BOOTSTRAP,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": True,
        "isolation.level": isolation,
    }
    conf.update(extra or {})
    return Consumer(conf)


def read_all(topic, partitions, isolation):
    """Reads a topic from the start to its end; returns [(key, value)] in per-partition order."""
    c = consumer("smoke-read-" + uuid.uuid4().hex[:8], isolation)
    c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    at_end, out = set(), []
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while len(at_end) < partitions:
            if time.monotonic() > deadline:
                raise AssertionError("timed out reading %s (ended: %s)" % (topic, sorted(at_end)))
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(m.partition())
                    continue
                raise KafkaException(m.error())
            out.append((m.key().decode(), m.value().decode()))
    finally:
        c.close()
    return out


def producer(extra=None):
    conf = {"bootstrap.servers": BOOTSTRAP, "linger.ms": 5, "enable.idempotence": True}
    conf.update(extra or {})
    return Producer(conf)


def produce_all(p, topic, records):
    for k, v in records:
        p.produce(topic, key=k, value=v)
    remaining = p.flush(TIMEOUT_S)
    assert remaining == 0, "%d messages not delivered" % remaining


def check_plain(admin):
    t = topic_name("plain")
    create_topics(admin, [(t, 3, {})])
    sent = [("k%d" % i, "v%d" % i) for i in range(100)]
    produce_all(producer(), t, sent)
    got = read_all(t, 3, "read_uncommitted")
    assert sorted(got) == sorted(sent), "read %d of %d records" % (len(got), len(sent))


def check_transactions(admin):
    t = topic_name("txn")
    create_topics(admin, [(t, 2, {})])
    p = producer({"transactional.id": "smoke-txn-" + RUN})
    p.init_transactions(TIMEOUT_S)
    committed = [("c%d" % i, "committed-%d" % i) for i in range(20)]
    aborted = [("a%d" % i, "aborted-%d" % i) for i in range(10)]
    p.begin_transaction()
    produce_all(p, t, committed)
    p.commit_transaction(TIMEOUT_S)
    p.begin_transaction()
    produce_all(p, t, aborted)
    p.abort_transaction(TIMEOUT_S)

    got_committed = read_all(t, 2, "read_committed")
    assert sorted(got_committed) == sorted(committed), \
        "read_committed saw %d records, want the %d committed ones" % (
            len(got_committed), len(committed))
    got_uncommitted = read_all(t, 2, "read_uncommitted")
    assert sorted(got_uncommitted) == sorted(committed + aborted), \
        "read_uncommitted saw %d records, want %d" % (
            len(got_uncommitted), len(committed) + len(aborted))


def check_consume_transform_produce(admin):
    """The EOS pattern: consume input, produce output and send the offsets in one transaction."""
    t_in, t_out = topic_name("in"), topic_name("out")
    create_topics(admin, [(t_in, 2, {}), (t_out, 2, {})])
    inputs = [("cust-%d" % (i % 7), str(i)) for i in range(40)]
    produce_all(producer(), t_in, inputs)

    group = "smoke-eos-" + RUN
    c = consumer(group, "read_committed", {"enable.partition.eof": False})
    c.subscribe([t_in])
    p = producer({"transactional.id": "smoke-eos-" + RUN})
    p.init_transactions(TIMEOUT_S)
    seen = 0
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while seen < len(inputs):
            assert time.monotonic() < deadline, "consumed only %d of %d" % (seen, len(inputs))
            batch = c.consume(num_messages=100, timeout=0.5)
            batch = [m for m in batch if m.error() is None]
            if not batch:
                continue
            p.begin_transaction()
            for m in batch:
                p.produce(t_out, key=m.key(), value=b"x" + m.value())
            p.send_offsets_to_transaction(c.position(c.assignment()),
                                          c.consumer_group_metadata(), TIMEOUT_S)
            p.commit_transaction(TIMEOUT_S)
            seen += len(batch)
    finally:
        c.close()

    got = read_all(t_out, 2, "read_committed")
    want = [(k, "x" + v) for k, v in inputs]
    assert sorted(got) == sorted(want), "output has %d records, want %d" % (len(got), len(want))
    check = consumer(group, "read_committed")
    try:
        offsets = check.committed([TopicPartition(t_in, p, 0) for p in range(2)], TIMEOUT_S)
    finally:
        check.close()
    assert sum(o.offset for o in offsets) == len(inputs), \
        "committed offsets %s do not cover %d inputs" % (
            [(o.partition, o.offset) for o in offsets], len(inputs))


def check_compacted(admin):
    t = topic_name("changelog")
    create_topics(admin, [(t, 1, {"cleanup.policy": "compact"})])
    configs = admin.describe_configs([ConfigResource("topic", t)])
    for f in configs.values():
        policy = f.result(timeout=TIMEOUT_S)["cleanup.policy"].value
        assert policy == "compact", "cleanup.policy is %s" % policy
    produce_all(producer(), t, [("cust-1", "v1"), ("cust-1", "v2"), ("cust-2", "v1")])
    got = read_all(t, 1, "read_committed")
    assert got[-1] == ("cust-2", "v1") and len(got) == 3, "read %s" % got


def check_no_auto_create(admin):
    """A producer asks for auto-creation by default; the broker must refuse it."""
    t = topic_name("absent")
    errors = []
    p = producer({"message.timeout.ms": 3000, "allow.auto.create.topics": True})
    p.produce(t, key="k", value="v", on_delivery=lambda err, _msg: errors.append(err))
    p.flush(TIMEOUT_S)
    assert len(errors) == 1 and errors[0] is not None, "delivery to %s did not fail" % t
    assert t not in admin.list_topics(timeout=TIMEOUT_S).topics, "topic was auto-created"


def main():
    sys.stdout.reconfigure(line_buffering=True)
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    md = admin.list_topics(timeout=TIMEOUT_S)
    print("smoke: broker %s, %d broker(s)" % (BOOTSTRAP, len(md.brokers)))
    checks = [check_plain, check_transactions, check_consume_transform_produce,
              check_compacted, check_no_auto_create]
    passed = failed = 0
    for check in checks:
        started = time.monotonic()
        try:
            check(admin)
            passed += 1
            print("PASS %s (%.1fs)" % (check.__name__, time.monotonic() - started))
        except Exception as e:  # noqa: BLE001 - report every failure and go on
            failed += 1
            print("FAIL %s: %s: %s" % (check.__name__, type(e).__name__, e))
    delete_topics(admin, [t for t in admin.list_topics(timeout=TIMEOUT_S).topics
                          if t.startswith("smoke.%s." % RUN)])
    print("smoke: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
