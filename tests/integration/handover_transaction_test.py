#!/usr/bin/python3
"""A shard handed over while its previous owner's last transaction is still open: the new owner
must restore every state that transaction commits before it resumes from the input offsets the
same transaction commits (exactly-once across a handover, DESIGN.md "State and exactly-once").

The previous owner is played by a transactional producer of this test. Customer c-handover
has two surveys, e1 (NPS 2) and e2 (CSAT 1). A processor applies e1 and stops: the changelog
holds the state after e1, the group's committed input offset is past e1. Then e2 is produced, and
the "previous owner" opens a transaction that carries what applying e2 writes: the changelog
record of the state after e1 and e2 (taken from a donor run of the same two events on topics of
its own) and the input offset past e2. While that transaction is open, a new processor with an
empty state dir takes the shard over; the transaction then commits.

Expected: the new owner's state of c-handover equals the donor's (both events applied). Before
the fix the restore stopped at the open transaction (the read_committed end of the changelog),
then resumed past e2 once the transaction committed its offsets: the state after e1 only, and e2
never applied.
"""
import json
import os
import time
import uuid

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

import itlib

PARTITIONS = 1
CUSTOMER = "c-handover"
OPEN_FOR_S = 8  # the transaction stays open this long after the new owner started


def survey(event_id, ts_ms, kind, score):
    return json.dumps({"event_id": event_id, "customer_id": CUSTOMER, "type": "survey",
                       "ts": itlib.iso(ts_ms), "channel": "web", "survey": kind, "score": score})


def changelog_records(bootstrap, topic):
    """[(key bytes, value bytes or None)] of the changelog partition 0, read_committed."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"it-{uuid.uuid4().hex}",
                         "isolation.level": "read_committed", "enable.partition.eof": True,
                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        out = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for msg in consumer.consume(100, 0.5):
                if msg.error() is None:
                    out.append((msg.key(), msg.value()))
                elif msg.error().code() == KafkaError._PARTITION_EOF:
                    return out
        raise TimeoutError(f"{topic}: no end of partition")
    finally:
        consumer.close()


def run_to_end(args, work, name, prefix, group, state_dir):
    config = itlib.write_config(os.path.join(work, f"{name}.yaml"), state_dir, args.bootstrap,
                                group, prefix, name, extra_kafka={"processing": "exactly_once"})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, f"{name}.log"))
    return itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    start_ms = int(time.time() * 1000) - 3_600_000
    first = os.path.join(work, "first.jsonl")
    both = os.path.join(work, "both.jsonl")
    second = os.path.join(work, "second.jsonl")
    e1 = survey("e1", start_ms, "nps", 2)
    e2 = survey("e2", start_ms + 60_000, "csat", 1)
    itlib.write_jsonl(first, [e1])
    itlib.write_jsonl(second, [e2])
    itlib.write_jsonl(both, [e1, e2])

    # The donor: both events applied by a processor of its own, for the state record e2 writes.
    donor_prefix, donor_group = itlib.fresh_topics(args.bootstrap, "handover-donor", PARTITIONS)
    itlib.produce(args.bootstrap, both, donor_prefix)
    donor_state = os.path.join(work, "donor-state")
    codes = run_to_end(args, work, "donor", donor_prefix, donor_group, donor_state)
    checks.check("the donor stops cleanly", codes == [0], f"exit {codes}")
    records = [(k, v) for k, v in changelog_records(args.bootstrap,
                                                    donor_prefix + "cxpulse-changelog")
               if k == CUSTOMER.encode()]
    checks.check("the donor's changelog holds the customer's state", bool(records),
                 f"{len(records)} records")
    after_both = records[-1][1]
    expected = itlib.state_json(args.cxpulse, donor_state, CUSTOMER)

    # The shard's first owner applies e1 and hands over cleanly.
    prefix, group = itlib.fresh_topics(args.bootstrap, "handover", PARTITIONS)
    itlib.produce(args.bootstrap, first, prefix)
    codes = run_to_end(args, work, "a", prefix, group, os.path.join(work, "a-state"))
    checks.check("the first owner stops cleanly", codes == [0], f"exit {codes}")
    itlib.produce(args.bootstrap, second, prefix)

    # The previous owner's last transaction: e2's state record and the offset past e2, open.
    owner = Producer({"bootstrap.servers": args.bootstrap,
                      "transactional.id": f"it-handover-{uuid.uuid4().hex}"})
    owner.init_transactions(30)
    owner.begin_transaction()
    owner.produce(prefix + "cxpulse-changelog", key=CUSTOMER.encode(), value=after_both,
                  partition=0)
    owner.flush(30)
    metadata_consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": group,
                                  "enable.auto.commit": False})
    owner.send_offsets_to_transaction([TopicPartition(prefix + "cx.surveys", 0, 2)],
                                      metadata_consumer.consumer_group_metadata(), 30)
    metadata_consumer.close()
    itlib.log("the previous owner's transaction is open (state after e2, offset past e2)")

    b_state = os.path.join(work, "b-state")
    config = itlib.write_config(os.path.join(work, "b.yaml"), b_state, args.bootstrap, group,
                                prefix, "b", extra_kafka={"processing": "exactly_once"})
    b = itlib.Processor(args.cxpulse, config, os.path.join(work, "b.log"))
    try:
        b.start()
        time.sleep(OPEN_FOR_S)
        owner.commit_transaction(30)
        itlib.log("the previous owner's transaction committed")
        b.wait_ready(90)
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, [b])
    finally:
        code = b.stop()
    checks.check("the new owner stops cleanly", code == 0, f"exit {code}")
    actual = itlib.state_json(args.cxpulse, b_state, CUSTOMER)
    checks.check("the new owner's state has both events (the committed transaction restored)",
                 actual == expected,
                 f"new owner {json.dumps(actual)[:600]}\n  donor {json.dumps(expected)[:600]}")


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
