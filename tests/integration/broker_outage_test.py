#!/usr/bin/python3
"""The broker is stopped for 20 s while the processor works through its input, then started
again: the same processor process stays up, commits nothing while the broker is away and
resumes committing after it (cxpulse_commits_total), and its output and customer states equal
`cxpulse replay` of the same events (nothing lost, nothing doubled).

Stops and starts the broker of the test fixture (tools/kafka/broker.sh with --kafka-dir and the
port of --bootstrap); it is always started again, also when the test fails."""
import os
import random
import time

import itlib

PARTITIONS = 4
CUSTOMERS = 4000
OUTAGE_S = 20
# A commit cycle under way when the broker stopped has ended (failed) this long after.
SETTLE_S = 3
def commits(processor):
    return processor.metric_sample("cxpulse_commits_total", result="committed")


def main(checks):
    args = itlib.parse_args()
    rng = random.Random(args.seed)
    work = args.work_dir
    lines, _, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02)
    expected_alerts, expected_signals, _ = reference
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals")

    prefix, group = itlib.fresh_topics(args.bootstrap, "outage", PARTITIONS)
    # The input goes in two parts: a random first share before the start, the rest while the
    # processor is frozen (SIGSTOP) just before the broker stops. The processor commits a
    # whole small input within a commit or two, so waiting for a share of it to be committed
    # cannot place the outage in the middle; freezing it does, on any machine.
    first = int(rng.uniform(0.05, 0.4) * len(lines))
    first_path, rest_path = os.path.join(work, "input-first.jsonl"), os.path.join(work,
                                                                                   "input-rest.jsonl")
    itlib.write_jsonl(first_path, lines[:first])
    itlib.write_jsonl(rest_path, lines[first:])
    itlib.produce(args.bootstrap, first_path, prefix)
    state_dir = os.path.join(work, "live-state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, os.environ.get("IT_INSTANCE_ID", "i1"))
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    broker_down = False
    try:
        processor.start()
        progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
        itlib.wait_for(f"the first {first} of {len(lines)} events committed",
                       lambda: progress.committed() >= first, 120, interval=0.05)
        processor.pause()
        try:
            itlib.produce(args.bootstrap, rest_path, prefix)
            committed = progress.committed()
            progress.close()
            broker_down = True
            itlib.broker(args, "stop")
        finally:
            # The rest may already be in the processor's socket buffers (a fetch the broker
            # answered while it was frozen): it processes that and cannot commit it.
            processor.resume()
        pid = processor.proc.pid
        stopped_at = time.monotonic()
        itlib.log(f"broker stopped with {committed} of {len(lines)} events committed")
        checks.check("the outage began before all input was committed", committed < len(lines),
                     f"{committed} of {len(lines)}")
        during = []  # cxpulse_commits_total{result="committed"} from SETTLE_S into the outage
        while time.monotonic() - stopped_at < OUTAGE_S:
            if not processor.alive():
                break
            if time.monotonic() - stopped_at >= SETTLE_S:
                during.append(commits(processor))
            time.sleep(0.2)
        checks.check(f"processor stays up through the {OUTAGE_S} s outage", processor.alive(),
                     "" if processor.alive() else processor.exit_summary())
        checks.check("no commit succeeds while the broker is away (/metrics answers throughout)",
                     len(during) > 0 and None not in during and len(set(during)) == 1,
                     f"commits during the outage: {sorted(set(during), key=str)}")
        itlib.broker(args, "start")
        broker_down = False
        try:
            itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, [processor])
            resumed, why = True, ""
        except (RuntimeError, TimeoutError) as e:
            resumed, why = False, str(e)[-1500:]
        checks.check("the same process resumed and committed all input after the outage",
                     resumed and processor.alive() and processor.proc.pid == pid, why)
        if resumed and during and during[-1] is not None:
            # The counter is refreshed once a second: wait for it rather than read it once.
            try:
                after = itlib.wait_for("cxpulse_commits_total to count the resumed commits",
                                       lambda: (commits(processor) or 0) > during[-1] and
                                       commits(processor), 15)
            except TimeoutError:
                after = commits(processor)
            checks.check("commits resumed after the outage (cxpulse_commits_total)",
                         after is not None and after > during[-1],
                         f"{during[-1]} before, {after} after")
        if not resumed:
            # Go on as a supervisor would (restart it), to still check that nothing was lost.
            itlib.log("restarting the processor to check the output after all")
            processor.stop()
            processor.start()
            itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, [processor])
    finally:
        if broker_down:
            itlib.broker(args, "start")
        code = processor.stop()
    checks.check("processor stops cleanly", code == 0, f"exit {code}")

    itlib.check_equals_replay(checks, args, prefix, reference,
                              "the uninterrupted run (nothing lost or doubled)", lines=lines,
                              state_dirs=[state_dir])


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
