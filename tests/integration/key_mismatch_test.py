#!/usr/bin/python3
"""Records whose Kafka key is not their event's customer_id (issue 14, defect 5) go to the dead
letters with code key_mismatch and change nothing else.

Among valid traffic, three extra `answered` events are produced for a call that breached its
SLA in the reference replay, 1 s after the call started (so that, if applied, they would close
the call in time and remove its breach): one with a null key into the customer's own partition,
one with a null key into the other partition, one keyed by another customer. Expected: exactly
those three dead letters (key_mismatch, their original bytes), and alerts and signals equal to
the replay of the traffic without them (the breach stays). Before the fix the first one closed
the call in time (the breach alert went missing) and the second created state for the customer
in a shard that does not own it.
"""
import json
import os

from confluent_kafka import Producer

import itlib

PARTITIONS = 2
CUSTOMERS = 400


def breached_call(lines, alerts):
    """(index of the call's `queued` line, that event) of a call with an sla_breach alert."""
    breached = set()
    for alert in map(json.loads, alerts):
        if alert.get("kind") == "sla_breach" and alert.get("contact_id", "").startswith("call-"):
            breached.add((alert["customer_id"], alert["contact_id"]))
    for i, line in enumerate(lines):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if (isinstance(event, dict) and event.get("type") == "call" and
                event.get("action") in ("queued", "started") and
                (event.get("customer_id"), event.get("contact_id")) in breached):
            return i, event
    raise RuntimeError("the reference replay has no breached call")


def produce_mis_keyed(bootstrap, prefix, records):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for value, key, partition, ts in records:
        producer.produce(prefix + "cx.calls", value=value.encode(), key=key, partition=partition,
                         timestamp=ts)
    if producer.flush(60):
        raise RuntimeError("the mis-keyed records were not delivered")


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, _, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
    expected_alerts, expected_signals, _ = reference
    index, started = breached_call(lines, expected_alerts)
    customer = started["customer_id"]
    own = itlib.partition_of(customer, PARTITIONS)
    other_customer = next(c for c in itlib.customers_of(lines)
                          if c != customer and itlib.partition_of(c, PARTITIONS) != own)
    answer_ms = itlib.event_ms(lines[index]) + 1000
    itlib.log(f"call {started['contact_id']} breached in the replay; its customer is on "
              f"partition {own}")

    def answered(n):
        return json.dumps({"event_id": f"mis-keyed-{n}", "customer_id": customer,
                           "type": "call", "action": "answered",
                           "contact_id": started["contact_id"], "ts": itlib.iso(answer_ms)})

    mis_keyed = [(answered(1), None, own, answer_ms),
                 (answered(2), None, 1 - own, answer_ms),
                 (answered(3), other_customer.encode(), 1 - own, answer_ms)]

    # The traffic up to the call's start, the mis-keyed answers, then the rest: they arrive in
    # time order, where a correctly keyed answer would close the call.
    split = next((i for i in range(index + 1, len(lines))
                  if (itlib.event_ms(lines[i]) or 0) > answer_ms), len(lines))
    first, second = os.path.join(work, "first.jsonl"), os.path.join(work, "second.jsonl")
    itlib.write_jsonl(first, lines[:split])
    itlib.write_jsonl(second, lines[split:])
    prefix, group = itlib.fresh_topics(args.bootstrap, "keymismatch", PARTITIONS)
    itlib.produce(args.bootstrap, first, prefix)
    produce_mis_keyed(args.bootstrap, prefix, mis_keyed)
    itlib.produce(args.bootstrap, second, prefix)

    config = itlib.write_config(os.path.join(work, "live.yaml"), os.path.join(work, "state"),
                                args.bootstrap, group, prefix, "i1")
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
    checks.check("processor stops cleanly", codes == [0], f"exit {codes}")

    alerts, signals, dead = itlib.read_outputs(args.bootstrap, prefix, work)
    letters = [json.loads(d) for d in dead]
    checks.check("exactly the three mis-keyed records are dead letters", len(letters) == 3,
                 f"{len(letters)}: {dead[:4]}")
    checks.check("each is key_mismatch on customer_id",
                 all(d.get("error") == "key_mismatch" and d.get("field") == "customer_id"
                     for d in letters), json.dumps(letters)[:800])
    checks.check("each keeps its original bytes",
                 sorted(d.get("original", "") for d in letters) ==
                 sorted(value for value, _, _, _ in mis_keyed), json.dumps(letters)[:800])
    checks.check("the null-key ones say so",
                 sum("the record has no key" in d.get("message", "") for d in letters) == 2,
                 json.dumps(letters)[:800])
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"alerts == replay alerts ({len(alerts)}), the breach included", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"signals == replay signals ({len(signals)})", not diff, diff)
    breach = [a for a in alerts if json.loads(a).get("contact_id") == started["contact_id"] and
              json.loads(a).get("kind") == "sla_breach"]
    checks.check("the call still breached", len(breach) >= 1)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
