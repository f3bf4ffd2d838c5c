#!/usr/bin/python3
"""Two instances in one consumer group, one killed (kill -9) while working: the other takes over
its partitions after the session timeout, restores their state from the changelog, and the
combined output is exactly that of an uninterrupted run (`cxpulse replay` of the same events).

Both instances process the first part of the input; the rest arrives while both are stopped (a
rolling deploy); both restart and b is killed 0-20 ms after its first commit of that backlog,
while it works through its share of it."""
import os
import random
import time

import itlib

PARTITIONS = 4
CUSTOMERS = 20000


def main(checks):
    args = itlib.parse_args()
    rng = random.Random(args.seed)
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02)
    expected_alerts, expected_signals, _ = reference
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals")

    prefix, group = itlib.fresh_topics(args.bootstrap, "failover", PARTITIONS)
    survivor_state, victim_state = os.path.join(work, "a-state"), os.path.join(work, "b-state")
    survivor = itlib.Processor(args.cxpulse, itlib.write_config(
        os.path.join(work, "a.yaml"), survivor_state, args.bootstrap, group, prefix, "a"),
        os.path.join(work, "a.log"))
    victim = itlib.Processor(args.cxpulse, itlib.write_config(
        os.path.join(work, "b.yaml"), victim_state, args.bootstrap, group, prefix, "b"),
        os.path.join(work, "b.log"))
    cut = len(lines) // 5
    part1, part2 = os.path.join(work, "part-1.jsonl"), os.path.join(work, "part-2.jsonl")
    itlib.write_jsonl(part1, lines[:cut])
    itlib.write_jsonl(part2, lines[cut:])
    try:
        # b starts first and processes part 1 alone until a joins, so b's shards (2 and 3: the
        # range assignor orders members by id, "a-…" before "b-…") were never a's: a has to
        # restore them from the changelog when it takes them over.
        itlib.produce(args.bootstrap, part1, prefix)
        victim.start()
        victim.wait_assigned()
        survivor.start()
        itlib.wait_for("both instances to own 2 shards", lambda: (
            survivor.assigned_shards() == 2 and victim.assigned_shards() == 2), 90)
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, [survivor, victim])
        itlib.log("part 1 processed by both instances (2 shards each); restarting both")
        # The rest arrives while both are stopped (a rolling deploy), so all of it is in Kafka
        # before either reads any of it: see README.md, "Arrival order".
        for p in (survivor, victim):
            code = p.stop()
            if code != 0:
                raise RuntimeError(f"an instance did not stop cleanly: {code}")
        itlib.produce(args.bootstrap, part2, prefix)
        progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
        survivor.start()
        victim.start()
        itlib.wait_for("both instances to own 2 shards again", lambda: (
            survivor.assigned_shards() == 2 and victim.assigned_shards() == 2), 90,
            interval=0.005)
        # b is killed while it works through its share: right after its first commit of part 2
        # on its shards (2 and 3), plus a random 0-20 ms. The next commit, the rest of its
        # share, comes hundreds of ms later: b's share is large (CUSTOMERS), and b processes
        # ahead while a commit is in flight, so its second commit is a big one.
        def committed_on_victim():
            return sum(max(tp.offset, 0) for tp in progress.consumer.committed(progress.tps, 10)
                       if tp.partition >= PARTITIONS // 2)
        before = [v for (_, partition), v in progress.read().items()
                  if partition >= PARTITIONS // 2]
        started_at = sum(c for c, _ in before)
        share = sum(h for _, h in before) - started_at
        itlib.wait_for("instance b to commit part of its backlog",
                       lambda: committed_on_victim() > started_at, 60, interval=0.001)
        time.sleep(rng.uniform(0, 0.02))
        victim.kill9()
        read = progress.read()
        progress.close()
        committed = sum(c for (_, partition), (c, _) in read.items()
                        if partition >= PARTITIONS // 2)
        itlib.log(f"killed instance b: {committed - started_at} of its {share} events of part 2 "
                  "committed before")
        checks.check("instance b was killed before its whole share was committed",
                     committed < started_at + share)
        killed_at = time.monotonic()
        itlib.wait_for("instance a to take over all 4 shards",
                       lambda: survivor.assigned_shards() == 4 or not survivor.alive(), 120)
        itlib.log(f"instance a owns all shards {time.monotonic() - killed_at:.1f} s after the kill")
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [survivor])
        # Per shard, the changelog records of its last restore: the takeover's. The per-shard
        # series are refreshed once a second, so a fast catch-up can be read before they show
        # the two shards taken over: wait until all four are there.
        itlib.wait_for("instance a to report all 4 shards' restores", lambda: (
            len(survivor.metric_values("cxpulse_restore_records")) == PARTITIONS), 30)
        restored = [int(v) for v in survivor.metric_values("cxpulse_restore_records")]
    finally:
        if victim.alive():
            victim.kill9()
        code = survivor.stop()
    checks.check("instance a stops cleanly", code == 0, f"exit {code}")
    checks.check(f"instance a restored b's shards from the changelog on takeover ({restored} "
                 "records per shard)", sum(restored) > 0)

    # a owns every partition at the end, so every customer's state must be in a's store.
    itlib.check_equals_replay(checks, args, prefix, reference, "the uninterrupted run",
                              lines=lines, state_dirs=[survivor_state])


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
