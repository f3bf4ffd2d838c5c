#!/usr/bin/python3
"""kill -9 of the processor at random points, several times in one run, then a restart: the final
alerts and signals (read_committed) and the customer states equal those of an uninterrupted run
(`cxpulse replay` of the same events) — no alert lost or duplicated, no event counted twice.

The input arrives in chunks while the processor is down; each restart is killed while it works
through its backlog, before or just after its first commit (once at a random time after the
start: connecting, restoring or processing)."""
import os
import random
import time

import itlib

PARTITIONS = 4
CUSTOMERS = 4000
KILLS = 5


def main(checks):
    args = itlib.parse_args()
    rng = random.Random(args.seed)
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02)
    expected_alerts, expected_signals, _ = reference
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals")

    prefix, group = itlib.fresh_topics(args.bootstrap, "crash", PARTITIONS)
    state_dir = os.path.join(work, "live-state")
    # No early commit of alerts once caught up (kafka.alert_commit_wait, default 20 ms): a run
    # that has worked through its chunk keeps its transaction open for the commit interval, so
    # an early kill below still lands before its commit.
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, "i1", extra_kafka={"alert_commit_wait": "0ms"})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))

    # The events arrive in chunks while the processor is down (traffic goes on during a
    # crash); each restart finds a chunk (plus what is left of earlier ones) waiting and is killed
    # while it works through the backlog: within 50 ms of its first processed record (all of its
    # work uncommitted) or just after its first commit (part committed), alternately, and once
    # at a random time after the start (connecting, restoring or processing).
    # All of a chunk is in Kafka before the processor reads any of it, so its merge of the four
    # topics sees the same order as replay; see README.md in this folder.
    step = len(lines) // (KILLS + 1)
    bounds = [step * (k + 1) + rng.randrange(-step // 5, step // 5) for k in range(KILLS)]
    chunks = [lines[a:b] for a, b in zip([0] + bounds, bounds + [len(lines)])]
    random_time_kill = rng.randrange(1, KILLS)
    progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
    mid_stream = after_commit = 0
    try:
        for i, chunk in enumerate(chunks):
            path = os.path.join(work, f"chunk-{i}.jsonl")
            itlib.write_jsonl(path, chunk)
            itlib.produce(args.bootstrap, path, prefix)
            committed_before = progress.committed()
            processor.start()
            if i == len(chunks) - 1:
                break
            if i == random_time_kill:
                time.sleep(rng.uniform(0.1, 2.0))
                phase = "at a random time after start"
            else:
                if i % 2 == 0:
                    # Early: within 50 ms of this run's first processed record, before its first
                    # commit (a transaction stays open for commit_interval, 100 ms). Not after
                    # /readyz: with two processing threads the first one takes every partition and
                    # can work through the whole chunk, and commit it when the second joins,
                    # before the process reports ready (CI under ASan, 2026-12-04: 1 of 5 kills
                    # landed with work uncommitted, twice).
                    itlib.wait_for("the run's first processed record",
                                   lambda: not processor.alive() or
                                   sum(processor.metric_values("cxpulse_events_consumed_total")) > 0,
                                   120, interval=0.002)
                    time.sleep(rng.uniform(0, 0.05))
                    phase = "while catching up"
                else:
                    itlib.wait_for("the processor's assignment (/readyz)",
                                   lambda: not processor.alive() or processor.ready(), 120,
                                   interval=0.002)
                    # Just after this run's first commit: part or all of the chunk committed,
                    # the next transaction open.
                    itlib.wait_for("the run's first commit",
                                   lambda: not processor.alive() or
                                   progress.committed() > committed_before, 120, interval=0.005)
                    time.sleep(rng.uniform(0, 0.05))
                    phase = "just after its first commit"
                    after_commit += 1
            if not processor.alive():
                raise RuntimeError(processor.exit_summary())
            # Read just before the kill: afterwards the killed transaction's offsets stay
            # pending (and unreadable) until the next start fences it.
            assigned = processor.ready()
            read = progress.read()
            processor.kill9()
            phase += ", after assignment" if assigned else ", before assignment"
            committed, produced = (sum(c for c, _ in read.values()), sum(h for _, h in read.values()))
            itlib.log(f"kill -9 #{i + 1} {phase}: {committed} of {produced} events committed")
            if committed < produced:
                mid_stream += 1
    finally:
        progress.close()
    checks.check(f"kills landed with work not yet committed ({mid_stream} of {KILLS})",
                 mid_stream >= 2)
    checks.check(f"kills landed after a run had committed ({after_commit} of {KILLS})",
                 after_commit >= 1)
    codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
    checks.check("final processor stops cleanly", codes == [0], f"exit {codes}")
    itlib.check_equals_replay(checks, args, prefix, reference,
                              f"the uninterrupted run, after {KILLS} crashes", lines=lines,
                              state_dirs=[state_dir])


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
