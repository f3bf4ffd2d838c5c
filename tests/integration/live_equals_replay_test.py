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
    lines, input_path, (expected_alerts, expected_signals, replay_state) = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS, duplicate_ratio=0.02, invalid_ratio=0.005)
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
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log")).start()
    try:
        processor.wait_assigned()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [processor])
    finally:
        code = processor.stop()
    checks.check("processor stops cleanly on SIGTERM", code == 0, f"exit {code}")

    alerts, signals, dead = itlib.read_outputs(args.bootstrap, prefix, work)
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"live alerts == replay alerts ({len(alerts)})", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"live signals == replay signals ({len(signals)})", not diff, diff)
    checks.check(f"live dead letters == replay's ({len(dead)})", len(dead) == expected_dead,
                 f"{len(dead)} vs {expected_dead}")

    customers = itlib.sample(itlib.customers_of(lines), 150, args.seed)
    diffs = itlib.compare_states(args.cxpulse, customers, [state_dir], replay_state)
    checks.check(f"customer states equal replay's ({len(customers)} sampled)", not diffs,
                 "\n  ".join(diffs[:5]))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
