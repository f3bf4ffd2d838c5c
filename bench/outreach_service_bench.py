#!/usr/bin/env python3
"""`cxpulse outreach` on a running broker: time to rebuild the queue from N alerts at start and
the claim round trip (bench/README.md, "Outreach service"). Not a test: asserts nothing.

  tools/kafka/broker.sh start    # KAFKA_PORT=..., KAFKA_DIR=...
  bench/outreach_service_bench.py --cxpulse build/cxpulse --bootstrap 127.0.0.1:PORT \\
      --work-dir /tmp/ob --alerts 100000 --claims 200

Alerts are those of `cxpulse replay` over generated traffic, cloned under new customer and
alert ids up to N; one case per customer."""
import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import itlib  # noqa: E402
import outreach_service_test as ot  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--alerts", type=int, default=100000)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    work = args.work_dir
    itlib.generate(args.cxpulse, os.path.join(work, "input.jsonl"), 2000, 1)
    template, _, _ = itlib.replay(args.cxpulse, os.path.join(work, "input.jsonl"),
                                 os.path.join(work, "replay"))
    alerts = []
    for i in range(args.alerts):
        alert = json.loads(template[i % len(template)])
        copy = i // len(template)
        alert["customer_id"] += f"-{copy}"
        alert["alert_id"] += f"-{copy}"
        alerts.append(json.dumps(alert, separators=(",", ":")))
    prefix = itlib.fresh_prefix("outreach-bench")
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    topics = [NewTopic(prefix + t, ot.PARTITIONS, 1) for t in ("cx.alerts", "cx.outreach")]
    for future in admin.create_topics(topics, operation_timeout=30).values():
        future.result(60)
    ot.produce_alerts(args.bootstrap, prefix + "cx.alerts", alerts)
    config = ot.write_config(os.path.join(work, "config.json"), args.bootstrap, prefix,
                             args.port or itlib.free_port())
    service = ot.Outreach(args.cxpulse, config, os.path.join(work, "outreach.log"))
    try:
        service.start()
        service.wait_ready(600, interval=0.02)
        to_ready = time.monotonic() - service.started_at
        rebuild = service.metric("cxpulse_outreach_rebuild_seconds")
        with open(f"/proc/{service.proc.pid}/status") as f:
            rss = next(line.split()[1] for line in f if line.startswith("VmRSS"))
        cases = service.cases()
        print(f"alerts {len(alerts)}  cases {len(cases)}  rebuild {rebuild:.3f} s "
              f"(start to /readyz {to_ready:.3f} s)  RSS {int(rss) // 1024} MB", flush=True)
        open_cases = [c["case_id"] for c in cases if c["status"] == "open"]
        times = []
        for i in range(args.claims):
            case = open_cases[i % len(open_cases)]
            started = time.monotonic()
            status, body = service.call("POST", f"/cases/{case}/claim", "ana")
            times.append(time.monotonic() - started)
            assert status == 200, (status, body)
            service.call("POST", f"/cases/{case}/release", "ana")
        ms = sorted(t * 1000 for t in times)
        print(f"claims {len(ms)}  p50 {ms[len(ms) // 2]:.1f} ms  "
              f"p99 {ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]:.1f} ms  "
              f"max {ms[-1]:.1f} ms", flush=True)
    finally:
        service.stop()


if __name__ == "__main__":
    os.environ.update(ot.ENV)
    main()
