#!/usr/bin/python3
"""The bad-input campaign through the broker (issue 14, "The campaign"; SPEC §2): a corpus of
hostile records is produced to every input topic in the middle of valid generated traffic, under
`processing: exactly_once` and then `at_least_once`. Expected, in each mode:
- every hostile record is exactly one dead letter on cx.deadletter, with the error code SPEC §2 /
  schemas/README.md gives it, its source (topic, partition) and its original bytes (or, for the
  one too large to keep, their size and SHA-256); nothing else is a dead letter;
- cxpulse_dead_letters_total{code} counts each code exactly;
- the valid traffic's alerts and signals equal `cxpulse replay` of the valid part alone;
- one process from start to end (no crash, no restart) that stops cleanly with exit 0, and no
  rollback.

The corpus: every invalid example of schemas/examples/invalid (its code is its file name's first
part; each to the topic of its `type`) plus records made here: invalid UTF-8, a BOM, control
bytes, binary, a NUL inside a string, truncated JSON, nesting 200 deep (also inside an unknown
field), a score of 10^30, a number of 1e400, a 25-digit epoch, an epoch before 1970, duplicate
`customer_id`, wrong types, `{}`, `null`, an empty record, a null value (tombstone), 2 h and
year-9999 timestamps, one byte over 64 KiB; and valid events under a null or an empty key on
each input topic (key_mismatch). The hostile records carry the keys of real customers of the
traffic, so one applied by mistake changes their alerts. Covered elsewhere, not repeated here:
a 200 KiB record (oversized_record), a null or foreign key on a breached call (key_mismatch).
The valid part also holds edge cases that must be processed: an event of exactly 64 KiB,
nesting 30 deep in an unknown field, non-ASCII text, and surveys stamped in 1971 (far behind
the watermark) by customers of their own.
"""
import base64
import datetime
import hashlib
import json
import os
import random

from confluent_kafka import Producer

import itlib
from itlib import log

PARTITIONS = 2
CUSTOMERS = 400
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "schemas", "examples", "invalid")
TOPIC_OF_TYPE = {"click": "cx.clicks", "call": "cx.calls", "chat": "cx.chats",
                 "survey": "cx.surveys"}
MAX_EVENT = 64 * 1024


def survey(customer, n, **fields):
    event = {"event_id": f"hostile-{n}", "customer_id": customer, "type": "survey",
             "survey": "nps", "score": 2, "ts": "2026-10-05T09:00:00Z"}
    event.update(fields)
    return json.dumps(event, separators=(",", ":"))


def padded(event_json, size):
    """`event_json` with an unknown field "pad" that makes it exactly `size` bytes."""
    base = event_json[:-1] + ',"pad":""}'
    return base[:-2] + "x" * (size - len(base)) + '"}'


def in_hours(hours):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def made_here(customer):
    """[(name, topic, value bytes or None, code)] of the records made by this test."""
    out = []

    def add(name, value, code, topic="cx.surveys"):
        out.append((name, topic, value.encode() if isinstance(value, str) else value, code))

    add("invalid_utf8", survey(customer, 1).encode().replace(b'"nps"', b'"n\xff\xfeps"'),
        "invalid_json")
    add("bom", b"\xef\xbb\xbf" + survey(customer, 2).encode(), "invalid_json")
    add("control_bytes", bytes(b for b in range(32) if b not in (10, 13)) * 4, "invalid_json",
        "cx.clicks")
    binary = random.Random(7).randbytes(300).replace(b"\n", b"\x00").replace(b"\r", b"\x01")
    add("binary", b"\xff\xd8\xff\xe0" + binary, "invalid_json", "cx.calls")
    add("nul_in_string", survey(customer, 3).encode().replace(b'"nps"', b'"n\x00ps"'),
        "invalid_json")
    add("truncated", survey(customer, 4)[:40], "invalid_json", "cx.chats")
    add("nesting_200", '{"a":' * 200 + "1" + "}" * 200, "invalid_json", "cx.clicks")
    add("nesting_100_in_unknown_field",
        survey(customer, 5)[:-1] + ',"x":' + "[" * 100 + "]" * 100 + "}", "invalid_json")
    add("huge_score", survey(customer, 6, score=10 ** 30), "score_out_of_range")
    add("number_1e400", survey(customer, 7)[:-1] + ',"x":1e400}', "invalid_json")
    add("epoch_25_digits", survey(customer, 8, ts=10 ** 25), "bad_timestamp")
    add("epoch_before_1970", survey(customer, 9, ts=-1), "bad_timestamp")
    add("duplicate_customer_id",
        survey(customer, 10)[:-1] + f',"customer_id":"{customer}"}}', "duplicate_field")
    add("score_list", survey(customer, 11, score=[2]), "wrong_type")
    add("ts_bool", survey(customer, 12, ts=True), "wrong_type")
    add("empty_object", "{}", "missing_field", "cx.calls")
    add("json_null", "null", "not_an_object", "cx.chats")
    add("empty_record", b"", "invalid_json", "cx.clicks")
    add("null_value", None, "invalid_json", "cx.chats")
    add("future_2h", survey(customer, 13, ts=in_hours(2)), "future_timestamp")
    add("future_9999", survey(customer, 14, ts="9999-12-31T23:59:59Z"), "future_timestamp")
    add("one_byte_over_64k", padded(survey(customer, 15), MAX_EVENT + 1), "too_large")
    return out


def examples():
    """[(name, topic, value, code)] of schemas/examples/invalid."""
    out = []
    for name in sorted(os.listdir(EXAMPLES)):
        with open(os.path.join(EXAMPLES, name), "rb") as f:
            value = f.read().rstrip(b"\n")
        try:
            topic = TOPIC_OF_TYPE.get(json.loads(value).get("type"), "cx.clicks")
        except (ValueError, AttributeError, TypeError):
            topic = "cx.clicks"
        out.append((name, topic, value, name.split(".")[0]))
    return out


def hostile_corpus(lines, partitions):
    """[(name, topic, key, partition, value, code)]: the corpus, each record under the key of a
    real customer of `lines` (round robin); then valid events (by real customers) under a null
    and an empty key on every input topic, into the customer's own partition."""
    customers = sorted(itlib.customers_of(lines))
    records = []
    for i, (name, topic, value, code) in enumerate(made_here(customers[0]) + examples()):
        key = customers[(7 * i) % len(customers)]
        records.append((name, topic, key.encode(), itlib.partition_of(key, partitions), value,
                        code))
    valid_by_topic = {}
    for line in lines:
        event = json.loads(line)
        valid_by_topic.setdefault(TOPIC_OF_TYPE[event["type"]], event)
    for topic, event in sorted(valid_by_topic.items()):
        own = itlib.partition_of(event["customer_id"], partitions)
        for key_name, key in (("null_key", None), ("empty_key", b"")):
            mis_keyed = dict(event, event_id=f"{key_name}-{topic}")
            records.append((f"{key_name}.{topic}", topic, key, own,
                            json.dumps(mis_keyed).encode(), "key_mismatch"))
    return records


def edge_cases(lines):
    """Valid events that must be processed (appended to the valid part, so replay has them):
    an event of exactly 64 KiB, nesting 30 deep in an unknown field, non-ASCII text, and low NPS
    answers stamped in 1971 by customers of their own (far behind every watermark)."""
    last_ms = max(itlib.event_ms(line) for line in lines)
    ts = itlib.iso(last_ms)
    out = [padded(survey("edge-64k", "edge-64k", ts=ts), MAX_EVENT),
           survey("edge-nested", "edge-nested", ts=ts)[:-1] + ',"x":' + "[" * 30 + "]" * 30 + "}",
           survey("edge-ünïcødé-客户", "edge-unicode", ts=ts,
                  comment="naïve café ☕ \u2028 ok")]
    out += [survey(f"edge-ancient-{n}", f"edge-ancient-{n}", ts=f"1971-0{n}-01T00:00:00Z")
            for n in range(1, 4)]
    assert len(out[0].encode()) == MAX_EVENT
    return out


def produce_records(bootstrap, prefix, records, timestamp_ms):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "message.max.bytes": 1_000_000})
    for _, topic, key, partition, value, _ in records:
        producer.produce(prefix + topic, value=value, key=key, partition=partition,
                         timestamp=timestamp_ms)
    if producer.flush(60):
        raise RuntimeError("the hostile records were not all delivered")


def original_digest(letter):
    """SHA-256 (hex) of the bytes a dead letter stands for, or None when it holds none."""
    if letter.get("original_truncated"):
        return letter.get("original_sha256")
    if "original" in letter:
        return hashlib.sha256(letter["original"].encode()).hexdigest()
    if "original_base64" in letter:
        return hashlib.sha256(base64.b64decode(letter["original_base64"])).hexdigest()
    return hashlib.sha256(b"").hexdigest()  # a record without bytes (a null value)


def run_mode(args, checks, mode, halves, records, reference):
    work = os.path.join(args.work_dir, mode)
    os.makedirs(work)
    prefix, group = itlib.fresh_topics(args.bootstrap, "badinput", PARTITIONS)
    first, second = halves
    itlib.produce(args.bootstrap, first, prefix)
    split_ms = max(t for t in map(itlib.event_ms, itlib.read_jsonl(first)) if t is not None)
    produce_records(args.bootstrap, prefix, records, split_ms)
    itlib.produce(args.bootstrap, second, prefix)
    config = itlib.write_config(os.path.join(work, "live.yaml"), os.path.join(work, "state"),
                                args.bootstrap, group, prefix, "i1",
                                extra_kafka={"processing": mode.replace("-", "_")})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log")).start()
    expected_codes = {}
    for record in records:
        expected_codes[record[5]] = expected_codes.get(record[5], 0) + 1
    try:
        processor.wait_ready()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 180, [processor])

        def counted():
            got = {}
            status, body = processor.http_get("/metrics")
            for line in body.splitlines() if status == 200 else []:
                if line.startswith("cxpulse_dead_letters_total{"):
                    code = line.split('code="', 1)[1].split('"', 1)[0]
                    got[code] = got.get(code, 0) + int(float(line.rsplit(" ", 1)[1]))
            got = {c: n for c, n in got.items() if n}
            return got if got == expected_codes else None
        try:  # the per-shard series refresh once a second
            itlib.wait_for("cxpulse_dead_letters_total to count every code", counted, 20)
            checks.check(f"{mode}: cxpulse_dead_letters_total counts every code", True)
        except TimeoutError:
            checks.check(f"{mode}: cxpulse_dead_letters_total counts every code", False,
                         f"expected {expected_codes}")
        checks.check(f"{mode}: one process throughout (no crash, no restart)",
                     processor.alive() and processor.starts == 1)
    finally:
        code = processor.stop()
    checks.check(f"{mode}: processor stops cleanly", code == 0, f"exit {code}")
    rollbacks = processor.log_text().count("rolling back uncommitted work")
    checks.check(f"{mode}: no rollback", rollbacks == 0, f"{rollbacks} rollbacks")

    alerts, signals, dead = itlib.read_outputs(args.bootstrap, prefix, work)
    letters = [json.loads(d) for d in dead]
    checks.check(f"{mode}: one dead letter per hostile record ({len(letters)} of {len(records)})",
                 len(letters) == len(records))
    expected = {}
    for name, topic, _, partition, value, code in records:
        digest = hashlib.sha256(value or b"").hexdigest()
        expected.setdefault((digest, prefix + topic, partition), []).append((name, code))
    wrong = []
    for letter in letters:
        source = letter.get("source", {})
        where = (original_digest(letter), source.get("topic"), source.get("partition"))
        candidates = expected.get(where, [])
        match = next((c for c in candidates if c[1] == letter.get("error")), None)
        if match is None:
            wrong.append(f"{letter.get('error')} at {where[1:]}: "
                         f"{json.dumps(letter)[:300]} (expected {candidates})")
        else:
            candidates.remove(match)
    missing = [f"{name} ({code})" for c in expected.values() for name, code in c]
    checks.check(f"{mode}: each dead letter has its record's code, source and original bytes",
                 not wrong, "\n  ".join(wrong[:8]))
    checks.check(f"{mode}: no hostile record missing from the dead letters", not missing,
                 ", ".join(missing[:20]))
    expected_alerts, expected_signals, _ = reference
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"{mode}: alerts == replay of the valid part ({len(alerts)})", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"{mode}: signals == replay of the valid part ({len(signals)})", not diff, diff)
    edge = {json.loads(a)["customer_id"] for a in alerts} & {
        "edge-64k", "edge-nested", "edge-ünïcødé-客户", "edge-ancient-1"}
    checks.check(f"{mode}: the valid edge cases were processed (their low-NPS alerts)",
                 len(edge) == 4, sorted(edge))


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines = itlib.generate(args.cxpulse, os.path.join(work, "generated.jsonl"), CUSTOMERS,
                           args.seed)
    half = len(lines) // 2
    valid = lines[:half] + lines[half:] + edge_cases(lines)
    valid += itlib.tail_events(valid, PARTITIONS)
    halves = (os.path.join(work, "first.jsonl"), os.path.join(work, "second.jsonl"))
    itlib.write_jsonl(halves[0], valid[:half])
    itlib.write_jsonl(halves[1], valid[half:])
    input_path = os.path.join(work, "valid.jsonl")
    itlib.write_jsonl(input_path, valid)
    reference = itlib.replay(args.cxpulse, input_path, os.path.join(work, "replay"))
    records = hostile_corpus(lines, PARTITIONS)
    log(f"{len(valid)} valid events (replay: {len(reference[0])} alerts), {len(records)} hostile "
        f"records in {len({r[5] for r in records})} codes")
    with open(os.path.join(work, "hostile.txt"), "w") as f:
        for name, topic, key, partition, value, code in records:
            f.write(f"{code}\t{topic}/{partition}\t{name}\t{len(value or b'')} bytes\n")
    for mode in ("exactly-once", "at-least-once"):
        run_mode(args, checks, mode, halves, records, reference)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
