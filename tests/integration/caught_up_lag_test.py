#!/usr/bin/python3
"""A restarted exactly-once processor that is caught up reports lag 0 for every input partition.

Exactly-once commits the input offsets through the producer, so the consumer knows no committed
offset, and after a restart at the end of the input it hands no record to the processor:
librdkafka's statistics then carry neither `consumer_lag` nor `app_offset` for a partition. Until
2026-12-05 such a pod had no `cxpulse_consumer_lag_messages` series at all (a dashboard showed
"no data" instead of 0, and bench/live_bench.sh waited for "lag 0" until its timeout)."""
import os

import itlib

PARTITIONS = 2
CUSTOMERS = 60
STATISTICS_WAIT_S = 30  # librdkafka's statistics come every 5 s (kafka_clients.cpp)


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    prefix, group = itlib.fresh_topics(args.bootstrap, "lag", PARTITIONS)
    _, input_path, _ = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
    itlib.produce(args.bootstrap, input_path, prefix)
    config = itlib.write_config(os.path.join(work, "live.yaml"), os.path.join(work, "state"),
                                args.bootstrap, group, prefix, "i1")
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
    checks.check("the first run stops cleanly", codes == [0], f"exit {codes}")

    series = len(itlib.INPUTS) * PARTITIONS
    lags = []
    try:
        processor.start()
        processor.wait_ready()

        def every_partition_reported():
            nonlocal lags
            lags = processor.metric_values("cxpulse_consumer_lag_messages")
            return len(lags) == series

        try:
            itlib.wait_for(f"{series} lag series", every_partition_reported, STATISTICS_WAIT_S,
                           interval=0.5)
        except TimeoutError:
            pass
    finally:
        code = processor.stop()
    checks.check("the restarted processor stops cleanly", code == 0, f"exit {code}")
    checks.check(f"a lag series for each of the {series} input partitions", len(lags) == series,
                 f"{len(lags)} series")
    checks.check("every lag is 0", lags and all(v == 0 for v in lags), f"lags {lags}")


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
