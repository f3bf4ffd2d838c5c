#!/usr/bin/python3
"""Live benchmark of `cxpulse run` on a real local Kafka broker (bench/README.md, "Live benchmark").

Subcommands (run with Debian's /usr/bin/python3, which has confluent_kafka):

  preload   create PREFIX + the four input topics and produce a JSON Lines file into them
            (tests/integration/produce_jsonl.py); prints the record count
  ceiling   consume_ceiling on the four preloaded topics (librdkafka, read_committed, no work)
  drain     start `cxpulse run` on the preloaded topics with a fresh group, fresh output topics,
            changelog and state dir; poll /metrics until every record is consumed and the
            consumer lag is 0; prints events/s
  latency   create fresh input/output topics, start `cxpulse run`, produce a file at a fixed
            rate (bench/rate_producer, C++) while reading the alerts topic read_committed in a
            second process; an alert's trigger is the event of its customer with its `ts`; prints
            p50/p99 end to end (produce call -> alert readable) for alerts whose trigger is an
            event, and the estimate from the cxpulse_event_to_alert_seconds histogram

Every result is printed as one `RESULT key=value ...` line.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic

INPUTS = {"click": "cx.clicks", "call": "cx.calls", "chat": "cx.chats", "survey": "cx.surveys"}
TOPIC_KEYS = {"cx.clicks": "clicks", "cx.calls": "calls", "cx.chats": "chats",
              "cx.surveys": "surveys", "cx.signals": "signals", "cx.alerts": "alerts",
              "cx.deadletter": "dead_letter"}
OUTPUTS = ["cx.signals", "cx.alerts", "cx.deadletter"]
HERE = os.path.dirname(os.path.abspath(__file__))
PRODUCE_JSONL = os.path.join(HERE, "..", "tests", "integration", "produce_jsonl.py")


def log(message):
    print(f"[live_bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def result(**fields):
    print("RESULT " + " ".join(f"{k}={v}" for k, v in fields.items()), flush=True)


def event_ms(ts):
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def create_topics(bootstrap, names, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(n, partitions, 1) for n in names], operation_timeout=30)
    for future in futures.values():
        future.result(60)
    deadline = time.time() + 30
    while time.time() < deadline:
        if all(n in admin.list_topics(timeout=10).topics for n in names):
            return
        time.sleep(0.2)
    sys.exit("live_bench: topics did not appear")


def write_config(path, args, run_id, mode, input_prefix, output_prefix, state_dir):
    topics = {TOPIC_KEYS[t]: input_prefix + t for t in INPUTS.values()}
    topics.update({TOPIC_KEYS[t]: output_prefix + t for t in OUTPUTS})
    topics["changelog"] = output_prefix + "cxpulse-changelog"
    config = {
        "state": {"dir": state_dir},
        "kafka": {"bootstrap_servers": args.bootstrap, "group_id": "bench-" + run_id,
                  "processing": mode, "commit_interval": args.commit_interval,
                  "max_future": args.max_future, "topics": topics},
        "http": {"listen": f"127.0.0.1:{args.http_port}"},
    }
    for section, values in json.loads(getattr(args, "extra_config", "{}")).items():
        config.setdefault(section, {}).update(values)
    with open(path, "w") as f:
        json.dump(config, f, indent=2)  # JSON is YAML


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        samples[name_labels] = float(value)
    return samples


def total(samples, name):
    return sum(v for k, v in samples.items() if k == name or k.startswith(name + "{"))


def histogram(samples, name):
    """[(upper bound, cumulative count)] sorted, with +Inf last."""
    buckets = []
    for key, value in samples.items():
        if key.startswith(name + "_bucket{"):
            le = key.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), value))
    return sorted(buckets)


def histogram_quantile(buckets, q):
    """Prometheus' histogram_quantile: linear interpolation inside the bucket."""
    if not buckets or buckets[-1][1] == 0:
        return float("nan")
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = upper, count
    return lower


def memory_parts(samples):
    """cxpulse_memory_bytes by part, and the customers cached (all shards), in MiB / count."""
    parts = {}
    for key, value in samples.items():
        if key.startswith("cxpulse_memory_bytes{"):
            parts[key.split('part="', 1)[1].split('"', 1)[0]] = value / (1 << 20)
    parts["cached_customers_k"] = total(samples, "cxpulse_customer_cache_customers") / 1000
    return parts


def commit_fields(samples):
    """Commit cycles by result, their mean duration and the bucket bound of the slowest."""
    buckets = histogram(samples, "cxpulse_commit_seconds")
    count = total(samples, "cxpulse_commit_seconds_count")
    seconds = total(samples, "cxpulse_commit_seconds_sum")
    slowest = next((u for (u, c), (_, below) in zip(buckets, [(0, 0)] + buckets)
                    if c == count and c > below), float("nan"))
    return {"commits": int(count),
            "commits_committed": int(samples.get('cxpulse_commits_total{result="committed"}', 0)),
            "commits_aborted": int(samples.get('cxpulse_commits_total{result="aborted"}', 0)),
            "mean_commit_ms": f"{1000 * seconds / count:.1f}" if count else "nan",
            "slowest_commit_le_s": slowest}


def quantile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Processor:
    def __init__(self, args, config_path, log_path):
        self.log_file = open(log_path, "w")
        self.proc = subprocess.Popen([args.cxpulse, "run", "--config", config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = args.http_port

    def wait_metrics(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"live_bench: cxpulse exited with {self.proc.returncode}")
            try:
                return scrape(self.port)
            except OSError:
                time.sleep(0.05)
        sys.exit("live_bench: /metrics did not answer")

    def rss_mib(self):
        """Current RSS in MiB (VmRSS) and its anonymous and file-backed parts and thread count,
        or zeros once the process is gone."""
        fields = {"VmRSS:": 0.0, "RssAnon:": 0.0, "RssFile:": 0.0, "Threads:": 0.0}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    key = line.split(maxsplit=1)[0] if line.strip() else ""
                    if key in fields:
                        fields[key] = int(line.split()[1]) / (1 if key == "Threads:" else 1024)
        except OSError:
            pass
        return fields["VmRSS:"], {"rss_anon": fields["RssAnon:"], "rss_file": fields["RssFile:"],
                                  "threads_n": fields["Threads:"]}

    def usage(self):
        """Peak RSS in MiB and CPU seconds (user + system) of the running processor."""
        pid = self.proc.pid
        with open(f"/proc/{pid}/status") as f:
            hwm_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return hwm_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        try:
            code = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(30)
        self.log_file.close()
        return code


def cmd_preload(args):
    create_topics(args.bootstrap, [args.prefix + t for t in INPUTS.values()], args.partitions)
    started = time.time()
    out = subprocess.run([sys.executable, PRODUCE_JSONL, args.bootstrap, args.file,
                          "--topic-prefix", args.prefix], check=True, capture_output=True,
                         text=True).stdout
    records = int(out.split()[1])
    result(step="preload", prefix=args.prefix, records=records,
           seconds=f"{time.time() - started:.1f}")


def cmd_ceiling(args):
    out = subprocess.run([args.ceiling, args.bootstrap, str(args.records)] +
                         [args.prefix + t for t in INPUTS.values()], check=True,
                         capture_output=True, text=True).stdout.strip()
    result(step="ceiling", **dict(kv.split("=") for kv in out.split()))


def fresh_run(args, mode, input_prefix):
    run_id = uuid.uuid4().hex[:8]
    output_prefix = f"lb.{run_id}."
    create_topics(args.bootstrap, [output_prefix + t for t in OUTPUTS], args.partitions)
    work = tempfile.mkdtemp(prefix=f"livebench-{run_id}-", dir=args.work)
    config = os.path.join(work, "config.yaml")
    write_config(config, args, run_id, mode, input_prefix, output_prefix, os.path.join(work, "state"))
    return run_id, output_prefix, work, config


def cmd_drain(args):
    run_id, _, work, config = fresh_run(args, args.mode, args.prefix)
    started = time.monotonic()
    processor = Processor(args, config, os.path.join(work, "cxpulse.log"))
    samples = processor.wait_metrics()
    first = done = committed = None
    consumed = 0
    peak_rss, at_peak, part_max = 0.0, {}, {}
    while committed is None:
        now = time.monotonic()
        if now - started > args.timeout:
            log(f"timeout: consumed {consumed} of {args.records}")
            break
        samples = scrape(args.http_port)
        consumed = total(samples, "cxpulse_events_consumed_total")
        parts = memory_parts(samples)
        for part, mib in parts.items():
            part_max[part] = max(part_max.get(part, 0.0), mib)
        rss, rss_parts = processor.rss_mib()
        parts.update(rss_parts)
        if rss > peak_rss:
            peak_rss, at_peak = rss, parts
        if first is None and consumed > 0:
            first = now
        if done is None and consumed >= args.records:
            done = now
        if done is not None and any(k.startswith("cxpulse_consumer_lag_messages") for k in samples) \
                and total(samples, "cxpulse_consumer_lag_messages") == 0:
            committed = now
        time.sleep(args.poll)
    alerts = total(samples, "cxpulse_alerts_total")
    commits = commit_fields(samples)
    rss_mib, cpu_s = processor.usage()
    code = processor.stop()
    end = done or time.monotonic()
    result(step="drain", mode=args.mode, run=run_id, records=int(consumed),
           first_to_all_consumed_s=f"{end - first:.2f}" if first else "nan",
           events_per_s=f"{consumed / (end - first):.0f}" if first else "nan",
           start_to_lag0_s=f"{committed - started:.2f}" if committed else "nan",
           events_per_s_incl_startup=f"{consumed / (committed - started):.0f}" if committed else "nan",
           alerts=int(alerts), **commits, peak_rss_mib=f"{rss_mib:.0f}",
           cpu_s_per_m_events=f"{cpu_s / max(consumed, 1) * 1e6:.2f}", exit=code,
           sampled_peak_rss_mib=f"{peak_rss:.0f}",
           **{f"at_peak_{k}_mib": f"{v:.1f}" for k, v in sorted(at_peak.items())},
           **{f"max_{k}_mib": f"{v:.1f}" for k, v in sorted(part_max.items())})
    if not args.keep and code == 0:
        shutil.rmtree(work, ignore_errors=True)


def cmd_tail_alerts(args):
    """Second process of `latency`: one line `arrival_ns customer_id ts_ms kind` per alert."""
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "tail-" + uuid.uuid4().hex,
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "auto.offset.reset": "earliest", "fetch.wait.max.ms": 5})
    consumer.subscribe([args.topic])
    with open(args.out, "w") as out:
        while not os.path.exists(args.out + ".stop"):
            for message in consumer.consume(1000, 0.1):
                if message.error():
                    continue
                arrival = time.time_ns()
                alert = json.loads(message.value())
                out.write(f"{arrival} {alert['customer_id']} {event_ms(alert['ts'])} {alert['kind']}\n")
            out.flush()
    consumer.close()


def cmd_latency(args):
    input_prefix = f"lb.in.{uuid.uuid4().hex[:8]}."
    create_topics(args.bootstrap, [input_prefix + t for t in INPUTS.values()], args.partitions)
    run_id, output_prefix, work, config = fresh_run(args, args.mode, input_prefix)
    processor = Processor(args, config, os.path.join(work, "cxpulse.log"))
    processor.wait_metrics()
    alerts_path = os.path.join(work, "alerts.txt")
    tail = subprocess.Popen([sys.executable, os.path.abspath(__file__), "tail-alerts",
                             "--bootstrap", args.bootstrap, "--topic", output_prefix + "cx.alerts",
                             "--out", alerts_path])
    time.sleep(args.warmup)  # group join of both consumers (3 s initial delay, live_bench.sh)
    sent_path = os.path.join(work, "sent.txt")
    out = subprocess.run([args.producer, args.bootstrap, args.file, input_prefix, str(args.rate),
                          sent_path], check=True, capture_output=True, text=True).stdout.strip()
    produced = dict(kv.split("=") for kv in out.split())
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and \
            total(scrape(args.http_port), "cxpulse_events_consumed_total") < int(produced["records"]):
        time.sleep(0.2)
    time.sleep(args.settle)
    samples = scrape(args.http_port)
    buckets = histogram(samples, "cxpulse_event_to_alert_seconds")
    consumed = total(samples, "cxpulse_events_consumed_total")
    code = processor.stop()
    open(alerts_path + ".stop", "w").close()
    tail.wait(60)
    triggers = {}
    with open(alerts_path) as f:
        for line in f:
            arrival, customer, ts, _ = line.split()
            triggers.setdefault((customer, ts), []).append(int(arrival))
    alerts = sum(len(v) for v in triggers.values())
    latencies = []
    with open(sent_path) as f:
        for line in f:
            customer, ts, sent = line.split()
            for arrival in triggers.pop((customer, ts), []):
                latencies.append((arrival - int(sent)) / 1e9)
    unmatched = alerts - len(latencies)
    ms = lambda s: f"{1000 * s:.1f}"  # noqa: E731
    result(step="latency", mode=args.mode, run=run_id, rate=args.rate,
           events=produced["records"], consumed=int(consumed),
           produce_seconds=produced["seconds"], achieved_rate=produced["rate"],
           producer_max_behind_ms=produced["max_behind_ms"], alerts=alerts, matched=len(latencies),
           timer_or_unmatched=unmatched, e2e_p50_ms=ms(quantile(latencies, 0.5)),
           e2e_p99_ms=ms(quantile(latencies, 0.99)), e2e_max_ms=ms(max(latencies, default=0)),
           hist_count=int(buckets[-1][1]) if buckets else 0,
           hist_p50_ms=ms(histogram_quantile(buckets, 0.5)),
           hist_p99_ms=ms(histogram_quantile(buckets, 0.99)),
           hist_le_250ms=f"{next((c for u, c in buckets if u == 0.25), 0) / max(buckets[-1][1], 1):.4f}"
           if buckets else "nan", **commit_fields(samples), exit=code)
    log("histogram buckets (le, cumulative): " + ", ".join(f"{u}:{int(c)}" for u, c in buckets))
    if not args.keep and code == 0:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--bootstrap", default="127.0.0.1:19392")
    common.add_argument("--partitions", type=int, default=4)
    common.add_argument("--prefix", default="lb.")
    run = argparse.ArgumentParser(add_help=False)
    run.add_argument("--cxpulse", default=os.path.join(HERE, "..", "build-livebench", "cxpulse"))
    run.add_argument("--mode", choices=["exactly_once", "at_least_once"], default="exactly_once")
    run.add_argument("--commit-interval", default="100ms")
    run.add_argument("--max-future", default="30d")
    run.add_argument("--http-port", type=int, default=19480)
    run.add_argument("--work", default="/tmp")
    run.add_argument("--keep", action="store_true")
    run.add_argument("--extra-config", default="{}",
                     help='JSON merged into the config per section, e.g. {"state": {"cache_customers": 20000}}')

    p = sub.add_parser("preload", parents=[common])
    p.add_argument("file")
    p.set_defaults(func=cmd_preload)
    p = sub.add_parser("ceiling", parents=[common])
    p.add_argument("--ceiling", default=os.path.join(HERE, "..", "build-livebench", "bench",
                                                     "consume_ceiling"))
    p.add_argument("--records", type=int, required=True)
    p.set_defaults(func=cmd_ceiling)
    p = sub.add_parser("drain", parents=[common, run])
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--poll", type=float, default=0.1)
    p.add_argument("--timeout", type=float, default=900)
    p.set_defaults(func=cmd_drain)
    p = sub.add_parser("latency", parents=[common, run])
    p.add_argument("file")
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--warmup", type=float, default=6.0)
    p.add_argument("--settle", type=float, default=3.0)
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--producer", default=os.path.join(HERE, "..", "build-livebench", "bench",
                                                      "rate_producer"))
    p.set_defaults(func=cmd_latency)
    p = sub.add_parser("tail-alerts")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_tail_alerts)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
