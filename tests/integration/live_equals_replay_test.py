#!/usr/bin/python3
"""A live run of generated traffic (with duplicates and invalid lines) gives exactly the alerts,
signals and dead-letter count of `cxpulse replay` of the same events, and the same customer
states."""
import os

import itlib

PARTITIONS = 4
CUSTOMERS = 3000


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02, invalid_ratio=0.005)
    expected_alerts, expected_signals, _ = reference
    expected_dead = len(itlib.read_jsonl(os.path.join(work, "replay", "dead.jsonl")))
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts, "
              f"{len(expected_signals)} signals, {expected_dead} dead letters")
    checks.check("replay produces alerts to compare", len(expected_alerts) > 100,
                 f"only {len(expected_alerts)}")

    prefix, group = itlib.fresh_topics(args.bootstrap, "replay", PARTITIONS)
    itlib.produce(args.bootstrap, input_path, prefix)
    state_dir = os.path.join(work, "live-state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, "i1", extra_kafka={"idle_input_wait": "1s"})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
    checks.check("processor stops cleanly on SIGTERM", codes == [0], f"exit {codes}")
    itlib.check_equals_replay(checks, args, prefix, reference, lines=lines,
                              state_dirs=[state_dir], expected_dead=expected_dead)


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
