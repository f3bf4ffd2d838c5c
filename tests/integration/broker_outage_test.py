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
    lines, input_path, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02)
    expected_alerts, expected_signals, _ = reference
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals")

    prefix, group = itlib.fresh_topics(args.bootstrap, "outage", PARTITIONS)
    itlib.produce(args.bootstrap, input_path, prefix)
    state_dir = os.path.join(work, "live-state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, os.environ.get("IT_INSTANCE_ID", "i1"))
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    broker_down = False
    try:
        processor.start()
        # Stop the broker once a random share of the input is committed, polled closely: the
        # processor (two threads by default) can commit all of it within a second or two of
        # its assignment, so a fixed wait after the assignment could miss the middle.
        progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
        target = int(rng.uniform(0.05, 0.4) * len(lines))
        itlib.wait_for(f"{target} of {len(lines)} events committed",
                       lambda: progress.committed() >= target, 120, interval=0.01)
        committed = progress.committed()
        progress.close()
        pid = processor.proc.pid
        broker_down = True
        itlib.broker(args, "stop")
        stopped_at = time.monotonic()
        itlib.log(f"broker stopped with {committed} of {len(lines)} events committed")
        checks.check("the outage began before all input was committed", committed < len(lines))
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
            if after is not None and after == during[-1]:
                # No commit during the outage and none after it, yet all input is committed:
                # the last commits before it covered everything (a graceful broker stop takes
                # about a second, in which a fast processor commits the rest). Nothing was left
                # to resume, which is no fault of the processor.
                itlib.log(f"no commit was left for after the outage ({after} commits): all input "
                          "was committed while the broker shut down")
            else:
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
