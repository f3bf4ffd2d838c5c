#!/usr/bin/python3
"""Soak: traffic produced at a steady rate for D seconds while faults are injected, one at a time:
kill -9 of processor a (restarted at once) every K seconds, broker restarts (stop/start of the
fixture broker), and a second instance b that joins the group (rebalance) and later leaves (a
takes its shards back from the changelog). Both run `kafka.processing: exactly_once` with
`kafka.idle_input_wait: 10s` and `kafka.max_merge_wait: 30s` (the strict merge, see
arrival_order_test.py), so the live output
must equal `cxpulse replay` of the same input even though it is read while still being produced.

Checks:
- input: the input topics hold the input file, each partition's records in file order (a record
  the producer sent twice across a broker restart is allowed and logged), and the producer got a
  delivery report without an error for every record. A record the topics lack although the
  producer reported it delivered (the test's producer or the broker lost it, not the processor)
  is logged with its place, and the outputs are then compared with a replay of the lines the
  topics hold (what the processors were given) instead of the whole file;
- output: alerts and signals equal replay's as multisets of whole lines (0 lost, 0 duplicated),
  dead letters equal replay's as a multiset of (error code, original bytes), each customer's
  alerts and signals in replay's order, sampled customer states equal replay's;
- lag: after each fault, the group commits every input partition's end offset as of the end of
  the fault within LAG_BOUND_S of the fault's start (recovery time logged), and all input at the
  end;
- RSS flat: /proc/<pid>/status VmRSS of every processor, sampled once a second; samples in the
  first WARMUP_S of each process start are dropped; per instance, the median over the last third
  of its remaining samples' time span must be at most RSS_GROWTH x (or RSS_SLACK_MIB above,
  whichever is more) the median over the first third (a leak moves the median; the burst after a
  broker restart, kept by glibc as a high-water mark, only the peak, which is logged), and the
  samples are kept in <work-dir>/rss-<instance>.csv. The memory bounds that data fills (state.cache_customers, memtables, block cache) are
  set small (SMALL_BOUNDS) so that they are full early: growth after that is a leak.

D = CXPULSE_SOAK_SECONDS (default 120), rate = CXPULSE_SOAK_RATE events/s (default 300),
K = CXPULSE_SOAK_KILL_EVERY (default 25 s); two broker restarts from D >= 300 s, else one."""
import collections
import json
import os
import random
import statistics
import threading
import time

import itlib

PARTITIONS = 4
SECONDS = float(os.environ.get("CXPULSE_SOAK_SECONDS", "120"))
RATE = float(os.environ.get("CXPULSE_SOAK_RATE", "300"))
KILL_EVERY = float(os.environ.get("CXPULSE_SOAK_KILL_EVERY", "25"))
EVENTS_PER_CUSTOMER = 11  # cxpulse generate's average (with struggling customers)
BROKER_DOWN_S = 5
LAG_BOUND_S = 180
WARMUP_S = 10
RSS_GROWTH = 1.3
# At ~25 MiB a process's bounded client buffers alone (a catch-up after a broker restart fills
# the fetch queues; glibc keeps the high-water mark) move RSS by ~8 MiB: growth is allowed up
# to RSS_GROWTH x or RSS_SLACK_MIB, whichever is more.
RSS_SLACK_MIB = 16
MIN_GAP_S = 5  # steady traffic between two faults, also when the schedule runs late
# The strict merge: wait for an input at its end (idle_input_wait) and for one still fetching
# (max_merge_wait) long enough that no fetch on a loaded 2-core machine outlasts it. With the
# default max_merge_wait of 2 s, a run at load average 37 merged some records out of order: the
# wait then ran once for all inputs (it runs per input now), and a fetch that outlasts its input's
# wait still lets the others overtake that input. With idle_input_wait 2 s, 3 runs of 3 at load
# average 15-23 (2026-12-02, before and after the per-input max_merge_wait) merged a few records
# out of order within the first seconds of production, before any fault; with 10 s, 3 of 3
# passed.
STRICT = {"processing": "exactly_once", "idle_input_wait": "10s", "max_merge_wait": "30s"}
# Every memory bound that data fills (customer cache, memtables, block cache) set small, so that
# they are full after the warm-up: whatever grows after that is not a cache filling up.
SMALL_BOUNDS = {"cache_customers": 256, "write_buffer_mb": 1, "block_cache_mb": 8}


class RssSampler(threading.Thread):
    """Samples VmRSS (KiB) of the running processors once a second: {name: [(t, kib)]}."""

    def __init__(self, processors):
        super().__init__(daemon=True)
        self.processors = processors
        self.samples = collections.defaultdict(list)
        self.started = {}  # pid -> monotonic time it was first seen
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(1.0):
            for name, p in self.processors.items():
                proc = p.proc
                if proc is None or proc.poll() is not None:
                    continue
                now = time.monotonic()
                first_seen = self.started.setdefault(proc.pid, now)
                try:
                    with open(f"/proc/{proc.pid}/status") as f:
                        kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                except (OSError, StopIteration):
                    continue
                if now - first_seen >= WARMUP_S:
                    self.samples[name].append((now, kib))

    def verdict(self, name, csv_path):
        """(ok, first-third median MiB, last-third median MiB, max MiB, samples); the samples are
        written to `csv_path` (seconds, KiB)."""
        samples = self.samples.get(name, [])
        with open(csv_path, "w") as f:
            f.writelines(f"{t - samples[0][0]:.1f},{k}\n" for t, k in samples)
        if len(samples) < 6:
            return False, 0, 0, 0, len(samples)
        t0, t1 = samples[0][0], samples[-1][0]
        third = (t1 - t0) / 3
        first = statistics.median(k for t, k in samples if t <= t0 + third) / 1024
        last = statistics.median(k for t, k in samples if t >= t1 - third) / 1024
        peak = max(k for _, k in samples) / 1024
        ok = last <= max(RSS_GROWTH * first, first + RSS_SLACK_MIB)
        return ok, first, last, peak, len(samples)


def schedule(rng):
    """[(seconds after the start, fault)], in time order."""
    faults = [(KILL_EVERY * n + rng.uniform(-KILL_EVERY / 5, KILL_EVERY / 5), "kill")
              for n in range(1, int(SECONDS / KILL_EVERY))]
    faults += [(0.25 * SECONDS, "join"), (0.7 * SECONDS, "leave")]
    faults += [(f * SECONDS, "broker") for f in ((0.4, 0.85) if SECONDS >= 300 else (0.5,))]
    return sorted(faults)


def caught_up_to(progress, ends):
    """True when the group's committed offset of every input partition is at least `ends`'."""
    try:
        read = progress.read()
    except itlib.KafkaException:
        return False
    return all(read[tp][0] >= end for tp, end in ends.items())


def end_offsets(progress):
    def read():
        try:
            return {tp: high for tp, (_, high) in progress.read().items()}
        except itlib.KafkaException:
            return None
    return itlib.wait_for("the input end offsets", read, 60, interval=0.5)


# Records merged past a lagging input (cxpulse_merge_overtakes_total), summed over the processes
# of each instance: read before each kill -9 and stop, so at least these many (those of a killed
# process's last moments are missed). Logged at the end: when live and replay differ, it says
# whether the merge gave way.
OVERTAKES = collections.Counter()


def note_overtakes(name, processor):
    if processor.alive():
        OVERTAKES[name] += int(processor.metric("cxpulse_merge_overtakes_total") or 0)


def inject(fault, args, a, b):
    """Injects one fault and waits until the instances are back (the backlog is not yet done)."""
    if fault == "kill":
        note_overtakes("a", a)
        a.kill9()
        a.start()
        a.wait_ready(120)
    elif fault == "broker":
        itlib.broker(args, "stop")
        time.sleep(BROKER_DOWN_S)  # the outage itself, not a wait for a condition
        itlib.broker(args, "start")
    elif fault == "join":
        b.start()
        itlib.wait_for("a and b to own 2 shards each", lambda: (
            a.assigned_shards() == 2 and b.assigned_shards() == 2), 120)
    elif fault == "leave":
        exited_before = not b.alive()
        note_overtakes("b", b)
        code = b.stop()
        if code != 0:
            when = "had already exited" if exited_before else "did not stop cleanly"
            raise RuntimeError(f"instance b {when}: {b.exit_summary()}")
        itlib.wait_for("a to own all 4 shards", lambda: a.assigned_shards() == 4, 120)


def by_customer(lines):
    out = collections.defaultdict(list)
    for line in lines:
        out[json.loads(line).get("customer_id")].append(line)
    return out


def order_differences(actual, expected):
    """Customers whose lines (alerts or signals) come in another order than in `expected`."""
    a, e = by_customer(actual), by_customer(expected)
    return [c for c in e if a.get(c) != e[c]]


def dead_letter_keys(lines):
    return collections.Counter((json.loads(line)["error"], json.loads(line)["original"])
                               for line in lines)


def main(checks):
    args = itlib.parse_args()
    rng = random.Random(args.seed)
    work = args.work_dir
    customers = max(200, int(RATE * SECONDS / EVENTS_PER_CUSTOMER))
    lines, input_path, reference = itlib.prepare_input(
        args, customers, PARTITIONS, duplicate_ratio=0.02, invalid_ratio=0.005)
    expected_alerts, expected_signals, _ = reference
    expected_dead = itlib.read_jsonl(os.path.join(work, "replay", "dead.jsonl"))
    rate = len(lines) / SECONDS
    faults = schedule(rng)
    itlib.log(f"soak {SECONDS:.0f} s: {len(lines)} events at {rate:.0f}/s; replay: "
              f"{len(expected_alerts)} alerts, {len(expected_signals)} signals, "
              f"{len(expected_dead)} dead letters; faults {[(round(t), f) for t, f in faults]}")

    prefix, group = itlib.fresh_topics(args.bootstrap, "soak", PARTITIONS)
    a_state = os.path.join(work, "a-state")
    a, b = (itlib.Processor(args.cxpulse, itlib.write_config(
        os.path.join(work, f"{n}.yaml"), state, args.bootstrap, group, prefix, n,
        extra_kafka=STRICT, extra_state=SMALL_BOUNDS), os.path.join(work, f"{n}.log"))
        for n, state in (("a", a_state), ("b", os.path.join(work, "b-state"))))
    sampler = RssSampler({"a": a, "b": b})
    progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
    recoveries = collections.defaultdict(list)
    producer = None
    try:
        a.start()
        a.wait_ready()
        sampler.start()
        # librdkafka's delivery of each batch (MsgId = the record's place in its partition)
        # and the idempotent producer's states: what happened to a record the topics lack.
        producer_log = os.path.join(work, "producer-librdkafka.txt")
        producer = itlib.produce_async(args.bootstrap, input_path, prefix, rate,
                                       log_path=producer_log, debug="eos,msg")
        started = time.monotonic()
        not_before = started
        for at, fault in faults:
            time.sleep(max(0.0, started + at - time.monotonic(), not_before - time.monotonic()))
            fault_start = time.monotonic()
            inject(fault, args, a, b)
            ends = end_offsets(progress)
            itlib.wait_for(f"the group to commit the input up to the end of the {fault}",
                           lambda: caught_up_to(progress, ends), LAG_BOUND_S, interval=0.25)
            recovery = time.monotonic() - fault_start
            recoveries[fault].append(recovery)
            not_before = time.monotonic() + MIN_GAP_S
            itlib.log(f"{fault} at {fault_start - started:.0f} s: lag back to 0 after "
                      f"{recovery:.1f} s (bound {LAG_BOUND_S} s)")
        out, _ = producer.communicate(timeout=SECONDS + 600)
        with open(producer_log, errors="replace") as f:
            err = f.read()[-1000:]
        checks.check("the producer delivered every event", producer.returncode == 0,
                     f"exit {producer.returncode}: {err}")
        itlib.log(f"producer done after {time.monotonic() - started:.0f} s: {out.strip()}")
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 300, [a])
    finally:
        sampler.done.set()
        if producer is not None and producer.poll() is None:
            producer.kill()
        progress.close()
        note_overtakes("a", a)
        note_overtakes("b", b)
        codes = [p.stop() for p in (a, b)]
    checks.check("the processors stop cleanly", codes[0] == 0 and codes[1] in (0, None),
                 f"exit codes {codes}")
    kills = len(recoveries["kill"])
    checks.check(f"every fault injected ({kills} kill -9, {len(recoveries['broker'])} broker "
                 "restarts, b joined and left)", sum(map(len, recoveries.values())) == len(faults))
    itlib.log("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    for fault, times in sorted(recoveries.items()):
        itlib.log(f"lag recovery after {fault}: " + ", ".join(f"{t:.1f}" for t in times) + " s")
    itlib.log("records merged past a lagging input (cxpulse_merge_overtakes_total, at least): "
              f"a {OVERTAKES['a']}, b {OVERTAKES['b']}")
    for name in ("a", "b"):
        ok, first, last, peak, n = sampler.verdict(name, os.path.join(work, f"rss-{name}.csv"))
        checks.check(f"RSS of {name} flat: median {first:.0f} MiB in the first third, {last:.0f} "
                     f"MiB in the last, peak {peak:.0f} MiB ({n} samples, bound x{RSS_GROWTH} or "
                     f"+{RSS_SLACK_MIB} MiB)", ok)

    lost = itlib.check_inputs_hold(checks, args.bootstrap, prefix, lines, PARTITIONS)
    if lost:
        # What the processors were given is the input the topics hold: replay that instead.
        lost_indexes = set(lost)
        held = [line for i, line in enumerate(lines) if i not in lost_indexes]
        held_path = os.path.join(work, "input-held.jsonl")
        itlib.write_jsonl(held_path, held)
        reference = itlib.replay(args.cxpulse, held_path, os.path.join(work, "replay-held"))
        expected_alerts, expected_signals, _ = reference
        expected_dead = itlib.read_jsonl(os.path.join(work, "replay-held", "dead.jsonl"))
        lines = held
    alerts, signals, dead = itlib.check_equals_replay(
        checks, args, prefix, reference,
        "the uninterrupted replay" + (" of the input held" if lost else ""), lines=lines,
        state_dirs=[a_state])
    checks.check(f"dead letters == replay's (error code and original bytes, {len(dead)})",
                 dead_letter_keys(dead) == dead_letter_keys(expected_dead),
                 itlib.multiset_diff([json.dumps(k) for k in dead_letter_keys(dead).elements()],
                                     [json.dumps(k) for k in
                                      dead_letter_keys(expected_dead).elements()]))
    for what, actual, expected in (("alerts", alerts, expected_alerts),
                                   ("signals", signals, expected_signals)):
        diffs = order_differences(actual, expected)
        checks.check(f"each customer's {what} in replay's order", not diffs,
                     f"{len(diffs)} customers differ, e.g. {diffs[:3]}")
    if checks.failed:
        for name, p in (("a", a), ("b", b)):
            print_warnings(name, p)


def print_warnings(name, processor, limit=40):
    """The processor's own warnings (rollbacks, rewinds, waits; not librdkafka's) over all its
    starts, for a failed run whose work dir is gone by the time anyone looks (CI)."""
    try:
        text = processor.log_text()
    except OSError:
        return
    lines = [line for line in text.splitlines()
             if " librdkafka " not in line and not line.startswith("%") and
             (" warning " in line or " error " in line or "waits for" in line or
              "still open by" in line or
              "===== start" in line)]
    itlib.log(f"instance {name}: its warnings ({len(lines)}, the last {limit}):\n  " +
              "\n  ".join(lines[-limit:]))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
