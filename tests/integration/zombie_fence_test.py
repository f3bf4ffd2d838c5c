#!/usr/bin/python3
"""A member that was paused past its session timeout (a zombie) must not commit what its idle
timers produce once it runs again: its shards belong to another member by then, which has
already published those deadlines. Exactly one `sla.breached` per chat may reach cx.signals
(read_committed).

Processors a and b (one group, static members, 6 s session timeout, `idle_watermark_after: 1s`)
share 4 partitions. Two unanswered chats per partition start now (wall-clock stamps, first-reply
target 20 s) and are committed by their owners. Then a is paused (SIGSTOP): b takes a's shards
over after the session timeout, restores them from the changelog and, once the deadline has
passed, publishes a breach for every chat. a is resumed after that: its idle shards hold timers
that are now due, so its first commit cycle fires them into a transaction. That transaction
consumed no input; before the fix it committed without any consumer offsets, so nothing tied it
to a's group generation and the broker took it: a second breach for each of a's chats (and a's
stale states as the changelog's latest). Now every exactly-once commit carries offsets (the last
committed ones when nothing was consumed), so the group coordinator fences it, and a member whose
assignment librdkafka reports lost does not commit at all.
"""
import datetime
import json
import os
import time
import uuid

from confluent_kafka import Producer

import itlib

PARTITIONS = 4
CHATS_PER_PARTITION = 2
TARGET_S = 20  # rules.sla.chat_first_reply_target
SETTLE_S = 12  # how long a runs after it is resumed before the outputs are read


def iso_now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def customers_per_partition(tag):
    """CHATS_PER_PARTITION customer ids whose key hashes (murmur2) to each partition."""
    found = {p: [] for p in range(PARTITIONS)}
    n = 0
    while any(len(ids) < CHATS_PER_PARTITION for ids in found.values()):
        customer = f"zombie-{tag}-{n}"
        n += 1
        ids = found[itlib.partition_of(customer, PARTITIONS)]
        if len(ids) < CHATS_PER_PARTITION:
            ids.append(customer)
    return [c for ids in found.values() for c in ids]


def wait_shards(processor, count, timeout):
    itlib.wait_for(f"{count} shard(s) assigned to {os.path.basename(processor.log_path)}",
                   lambda: processor.assigned_shards() == count, timeout, interval=0.25)


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    prefix, group = itlib.fresh_topics(args.bootstrap, "zombie", PARTITIONS)
    rules = {"sla": {"chat_first_reply_target": f"{TARGET_S}s"}}
    processors = {}
    for name in ("a", "b"):
        config = itlib.write_config(os.path.join(work, f"{name}.yaml"),
                                    os.path.join(work, f"state-{name}"), args.bootstrap, group,
                                    prefix, name, idle="1s", rules=rules,
                                    extra_kafka={"processing": "exactly_once"})
        processors[name] = itlib.Processor(args.cxpulse, config, os.path.join(work, f"{name}.log"))
    a, b = processors["a"], processors["b"]
    codes = {}
    paused = False
    try:
        a.start()
        b.start()
        wait_shards(a, PARTITIONS // 2, 90)
        wait_shards(b, PARTITIONS // 2, 90)
        itlib.log("a and b own two shards each")

        customers = customers_per_partition(uuid.uuid4().hex[:8])
        producer = Producer({"bootstrap.servers": args.bootstrap, "partitioner": "murmur2_random"})
        started = time.time()
        now = iso_now()
        for i, customer in enumerate(customers):
            for event in (
                    {"event_id": f"s{i}", "customer_id": customer, "type": "chat",
                     "action": "started", "ts": now, "contact_id": f"chat-{i}", "channel": "chat"},
                    {"event_id": f"m{i}", "customer_id": customer, "type": "chat",
                     "action": "message", "ts": now, "contact_id": f"chat-{i}",
                     "author": "customer", "channel": "chat"}):
                producer.produce(prefix + "cx.chats", json.dumps(event).encode(),
                                 customer.encode(), timestamp=int(started * 1000))
        producer.flush(30)
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 60, (a, b))
        itlib.log(f"{len(customers)} chats started and committed; "
                  f"deadline in {started + TARGET_S - time.time():.1f} s")

        a.pause()
        paused = True
        itlib.log("a paused (SIGSTOP)")
        wait_shards(b, PARTITIONS, 60)
        itlib.log("b owns every shard")
        deadline = started + TARGET_S
        # The breaches are due at the deadline; b's idle shards fire them within about a second.
        time.sleep(max(0.0, deadline + 4 - time.time()))
        a.resume()
        paused = False
        itlib.log(f"a resumed {time.time() - deadline:.1f} s after the deadline")
        time.sleep(SETTLE_S)
    finally:
        if paused:
            a.resume()
        for name, processor in processors.items():
            codes[name] = processor.stop()

    for name, code in codes.items():
        checks.check(f"{name} stops cleanly", code == 0, f"exit {code}")
    signals = [json.loads(s) for s in itlib.read_topic(args.bootstrap, prefix + "cx.signals")]
    itlib.write_jsonl(os.path.join(work, "live-signals.jsonl"), [json.dumps(s) for s in signals])
    breaches = {}
    for s in signals:
        if s.get("type") == "sla.breached":
            breaches[s.get("customer_id")] = breaches.get(s.get("customer_id"), 0) + 1
    doubled = {c: n for c, n in breaches.items() if n > 1}
    missing = [c for c in customers if c not in breaches]
    checks.check("every chat breached", not missing, f"no sla.breached for {len(missing)} chat(s)")
    checks.check("no chat breached twice (the paused member's commit was fenced)", not doubled,
                 f"{len(doubled)} chat(s) with more than one sla.breached: {doubled}")
    fenced = [line for line in a.log_text().splitlines()
              if "lost its partitions" in line or "transaction must be aborted" in line]
    itlib.log(f"a's log on its return: {fenced[:3]}")


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
