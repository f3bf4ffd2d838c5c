#!/usr/bin/python3
"""Data that arrives at running, caught-up instances is merged in record-timestamp order: two
instances process part 1 of the input and catch up; both are paused (SIGSTOP) while the rest is
produced, then resumed. All of part 2 is in Kafka before either reads any of it, so the merge of
each partition's four topics can order it exactly, and the output must equal `cxpulse replay`.

With the default kafka.idle_input_wait of 0 this fails: the merge counts an input it once saw at
its end as caught up until a record arrives on it, so a topic whose records were fetched first
overtakes the others. The instances here run with idle_input_wait: 1s, which makes the merge
wait for such inputs too (the latency price of strict order), and the output equals replay."""
import os

import itlib

PARTITIONS = 4
CUSTOMERS = 4000


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
    prefix, group = itlib.fresh_topics(args.bootstrap, "arrival", PARTITIONS)
    instances = [itlib.Processor(args.cxpulse, itlib.write_config(
        os.path.join(work, f"{n}.yaml"), os.path.join(work, f"{n}-state"), args.bootstrap, group,
        prefix, n, extra_kafka={"idle_input_wait": "1s"}),
        os.path.join(work, f"{n}.log")) for n in ("a", "b")]
    cut = len(lines) * 2 // 5
    try:
        for part, chunk in enumerate((lines[:cut], lines[cut:])):
            path = os.path.join(work, f"part-{part}.jsonl")
            itlib.write_jsonl(path, chunk)
            if part == 0:
                for p in instances:
                    p.start()
                itlib.wait_for("both instances to own 2 shards", lambda: all(
                    p.assigned_shards() == 2 for p in instances), 90)
            for p in instances:
                p.pause()
            try:
                itlib.produce(args.bootstrap, path, prefix)
            finally:
                for p in instances:
                    p.resume()
            itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 120, instances)
    finally:
        codes = [p.stop() for p in instances]
    checks.check("both instances stop cleanly", codes == [0, 0], f"exit codes {codes}")
    itlib.check_equals_replay(checks, args, prefix, reference)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
