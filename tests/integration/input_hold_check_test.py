#!/usr/bin/python3
"""itlib.check_inputs_hold without a broker: the input topics' contents are given here instead of
read, so that each case of the check is shown to pass or fail as its docstring says. A line the
topics lack is returned (the soak then compares the outputs with a replay of the lines held);
a reordered or unknown record fails the check."""
import collections
import json
import sys

import itlib
import produce_jsonl

PREFIX = "it.hold."
PARTITIONS = 4


def event(customer, n, kind="call"):
    return json.dumps({"event_id": f"e-{customer}-{n}", "customer_id": customer, "type": kind,
                       "ts": f"2026-10-05T08:00:{n:02d}.000Z"}, separators=(",", ":"))


LINES = ([event(f"c-{c}", n) for n in range(6) for c in range(5)] +
         [event(f"c-{c}", n, "click") for n in range(3) for c in range(3)] +
         ["not json", "not json", "{}"])


def routed(lines):
    """{topic: [(partition, key, line)]} as produce_jsonl writes `lines` (keyless: partition 0)."""
    topics = collections.defaultdict(list)
    for line in lines:
        topic, key, _ = produce_jsonl.route(line.encode(), PREFIX)
        partition = 0 if key is None else (itlib.murmur2(key) & 0x7FFFFFFF) % PARTITIONS
        topics[topic].append((partition, key, line))
    return topics


class Checks:
    def __init__(self):
        self.results = []

    def check(self, name, ok, detail=""):
        self.results.append((ok, name, detail))


def run(topics):
    """check_inputs_hold over `topics` ({topic: [(partition, key, line)]}, in offset order):
    (passed, lost indexes)."""
    def read_topic(_bootstrap, topic, _timeout, with_positions=False):
        assert with_positions
        offsets = collections.Counter()
        for partition, key, line in topics.get(topic, []):
            yield partition, offsets[partition], key, line
            offsets[partition] += 1

    itlib.read_topic = read_topic
    checks = Checks()
    lost = itlib.check_inputs_hold(checks, "unused:0", PREFIX, LINES, PARTITIONS)
    (ok, _, _), = checks.results
    return ok, lost


def without(topics, line):
    return {t: [r for r in records if r[2] != line] for t, records in topics.items()}


def main():
    failures = []

    def expect(what, got, want):
        print(("PASS " if got == want else "FAIL ") + f"{what}: {got}, expected {want}")
        if got != want:
            failures.append(what)

    whole = routed(LINES)
    expect("every line held", run(whole), (True, []))

    middle = LINES.index(event("c-1", 3))
    expect("a line missing mid-partition is lost, not a failure",
           run(without(whole, LINES[middle])), (True, [middle]))

    last = LINES.index(event("c-4", 5))
    expect("a partition's last line missing is lost",
           run(without(whole, LINES[last])), (True, [last]))

    keyless = LINES.index("{}")
    expect("a keyless line missing is lost", run(without(whole, "{}")), (True, [keyless]))

    calls = PREFIX + "cx.calls"
    repeated = dict(whole)
    repeated[calls] = whole[calls] + [r for r in whole[calls] if r[2] == LINES[middle]]
    expect("a record written twice is allowed", run(repeated), (True, []))

    # The missing line written after a later one of its partition: reordered, not lost.
    moved = without(whole, LINES[middle])
    moved[calls] = moved[calls] + [r for r in whole[calls] if r[2] == LINES[middle]]
    expect("a record written after a later one fails", run(moved)[0], False)

    unknown = dict(whole)
    unknown[calls] = whole[calls] + [(0, b"c-0", event("c-0", 99))]
    expect("a record not in the file fails", run(unknown)[0], False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
