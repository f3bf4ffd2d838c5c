#!/usr/bin/python3
"""SIGTERM ends `cxpulse run` within its bound also when the broker stops answering mid-commit.

The processor (two processing threads unless --threads says otherwise) works through traffic
that keeps arriving; the fixture broker is then frozen (SIGSTOP: connections stay open, nothing
is answered, as a broker in a long pause or a network partition) and the processor gets
SIGTERM. Every call into the Kafka client now waits for its own timeout, and some calls of the
client outlast theirs (the soak once saw a thread never stop after a broker restart), so the
processor must exit within ProcessorGroup::kStopBound (25 s) plus slack, whatever it could not
commit. The broker is then resumed (always, also when the test fails), the processor started
again on the same state, and the output must equal `cxpulse replay` of the same events (under the
strict merge): what was not committed is processed again, nothing is doubled."""
import os
import random
import signal
import time

import itlib

PARTITIONS = 4
CUSTOMERS = 3000
STOP_BOUND_S = 25  # ProcessorGroup::kStopBound
SLACK_S = 15       # start of the wait, the exit itself, a loaded machine
FROZEN_BEFORE_STOP_S = 3
# The strict merge (soak_test.py): the restarted processor catches up on a backlog that arrived
# while the broker was frozen, which with the default max_merge_wait may merge out of order.
STRICT = {"processing": "exactly_once", "idle_input_wait": "2s", "max_merge_wait": "30s"}


def broker_pid(args):
    with open(os.path.join(args.kafka_dir, "kafka.pid")) as f:
        return int(f.read().strip())


def main(checks):
    args = itlib.parse_args()
    if itlib.PROCESSING_THREADS is None:
        itlib.PROCESSING_THREADS = 2
    rng = random.Random(args.seed)
    work = args.work_dir
    lines, _, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02)
    itlib.log(f"{len(lines)} events; replay: {len(reference[0])} alerts, "
              f"{len(reference[1])} signals")
    prefix, group = itlib.fresh_topics(args.bootstrap, "stopbound", PARTITIONS)
    first = int(rng.uniform(0.2, 0.4) * len(lines))
    first_path, rest_path = (os.path.join(work, "input-first.jsonl"),
                             os.path.join(work, "input-rest.jsonl"))
    itlib.write_jsonl(first_path, lines[:first])
    itlib.write_jsonl(rest_path, lines[first:])
    itlib.produce(args.bootstrap, first_path, prefix)
    state_dir = os.path.join(work, "live-state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, "i1", extra_kafka=STRICT)
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    pid = broker_pid(args)
    frozen = False
    producer = None
    try:
        processor.start()
        progress = itlib.Progress(args.bootstrap, group, prefix, PARTITIONS)
        def committed():
            try:
                return progress.committed() >= first
            except itlib.KafkaException:  # the group's coordinator is still being elected
                return False
        itlib.wait_for(f"the first {first} of {len(lines)} events committed", committed, 120,
                       interval=0.1)
        progress.close()
        # The rest keeps arriving, so that commits are under way when the broker freezes.
        producer = itlib.produce_async(args.bootstrap, rest_path, prefix,
                                       rate=len(lines[first:]) / 20)
        time.sleep(2)  # traffic flowing, not a wait for a condition
        os.kill(pid, signal.SIGSTOP)
        frozen = True
        itlib.log("broker frozen (SIGSTOP)")
        time.sleep(FROZEN_BEFORE_STOP_S)  # commits now wait on the frozen broker
        sent = time.monotonic()
        processor.proc.send_signal(signal.SIGTERM)
        try:
            code = processor.proc.wait(STOP_BOUND_S + SLACK_S)
            took = time.monotonic() - sent
        except itlib.subprocess.TimeoutExpired:
            processor.dump_stacks()
            processor.proc.kill()
            code, took = processor.proc.wait(30), None
        itlib.log(f"exit {code} {took if took is None else round(took, 1)} s after SIGTERM")
        checks.check(f"SIGTERM with the broker frozen ends the process within "
                     f"{STOP_BOUND_S + SLACK_S} s", took is not None,
                     f"no exit {STOP_BOUND_S + SLACK_S} s after SIGTERM (stacks in the log)")
    finally:
        if frozen:
            os.kill(pid, signal.SIGCONT)
            itlib.log("broker resumed (SIGCONT)")
    try:
        out, err = producer.communicate(timeout=600)
        checks.check("the producer delivered every event", producer.returncode == 0,
                     f"exit {producer.returncode}: {err[-1000:]}")
        processor.start()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 300, [processor])
    finally:
        if producer is not None and producer.poll() is None:
            producer.kill()
        code = processor.stop()
    checks.check("the restarted processor stops cleanly", code == 0, f"exit {code}")
    itlib.check_equals_replay(checks, args, prefix, reference,
                              "the uninterrupted run (nothing lost or doubled)", lines=lines,
                              state_dirs=[state_dir])


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
