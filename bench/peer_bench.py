#!/usr/bin/python3
"""cxpulse side by side with its Kafka Streams peer (bench/README.md, "Peer benchmark").

Subcommands (Debian's /usr/bin/python3, which has confluent_kafka); every result is printed as
one `RESULT key=value ...` line:

  equal-work  cxpulse replay and the peer on the same generated file: produces it to fresh input
              topics, runs the peer until its committed offsets reach the end, then one sentinel
              record per partition an hour of event time later (stream time moves only with
              records), and compares the alerts by (customer, kind, severity, alert_id): the id
              is StableId(customer, kind, trigger), so equal ids mean equal triggers
  drain       one processor (cxpulse exactly_once / at_least_once, the peer exactly_once_v2 /
              at_least_once) on preloaded topics with a fresh group, output topics and state;
              events/s from the group's committed offsets (polled every 100 ms, the same probe
              for both), peak RSS and CPU seconds of the process (wait4)
  latency     fresh topics, the processor, then a generated file produced at a fixed rate
              (bench/rate_producer); alert readable (read_committed) - produce call of its
              trigger event, p50 / p99
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter

from confluent_kafka import Consumer, Producer, TopicPartition

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live_bench  # noqa: E402  (create_topics, write_config, quantile, event_ms, ...)

HERE = os.path.dirname(os.path.abspath(__file__))
PEER_JAR = os.path.join(HERE, "peers", "kafka-streams", "target", "cxpulse-streams-peer.jar")
INPUT_TOPICS = list(live_bench.INPUTS.values())
OUTPUTS = live_bench.OUTPUTS


def log(message):
    print(f"[peer_bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


result = live_bench.result


class Process:
    """A processor under measurement: wait4 gives its peak RSS and CPU seconds."""

    def __init__(self, argv, log_path):
        self.log_file = open(log_path, "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.usage = None  # (exit code, rusage) once reaped

    def alive(self):
        if self.usage is None:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.usage = (os.waitstatus_to_exitcode(status), usage)
        return self.usage is None

    def stop(self):
        """SIGTERM, wait; returns (exit code, peak RSS MB, CPU seconds). A JVM stopped by
        SIGTERM exits 143 after its shutdown hooks (the peer closes Kafka Streams in one)."""
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 90
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.alive():
            self.proc.kill()
            pid, status, usage = os.wait4(self.proc.pid, 0)
            self.usage = (os.waitstatus_to_exitcode(status), usage)
        code, usage = self.usage
        self.proc.returncode = code
        self.log_file.close()
        return (code, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime)


def peer_argv(args, mode, app_id, input_prefix, output_prefix, state_dir, idle_ms=5000,
              max_future_ms=30 * 86400 * 1000):
    # --max-task-idle-ms only when set (0 is the peer's and Kafka Streams' default).
    idle_task = (["--max-task-idle-ms", str(args.max_task_idle_ms)]
                 if args.max_task_idle_ms else [])
    return (["java"] + args.jvm_opts.split() + ["-jar", args.peer_jar,
            "--bootstrap", args.bootstrap, "--application-id", app_id,
            "--input-prefix", input_prefix, "--output-prefix", output_prefix,
            "--processing", mode, "--state-dir", state_dir, "--threads", str(args.threads),
            "--commit-interval-ms", "100", "--cache-mb", str(args.cache_mb),
            "--punctuate-ms", str(args.punctuate_ms), "--rocksdb", args.rocksdb,
            "--idle-watermark-after-ms", str(idle_ms), "--max-future-ms", str(max_future_ms)]
            + idle_task)


def end_offsets(bootstrap, topics):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "peer-bench-probe",
                         "enable.auto.commit": False})
    total = 0
    partitions = []
    for topic in topics:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        for p in meta.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            total += high
            partitions.append(TopicPartition(topic, p))
    consumer.close()
    return total, partitions


class CommittedProbe:
    """The committed offsets of a consumer group (a consumer that never joins the group)."""

    def __init__(self, bootstrap, group, partitions):
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                                  "enable.auto.commit": False})
        self.partitions = partitions

    def total(self):
        try:
            offsets = self.consumer.committed(self.partitions, timeout=5)
        except Exception:  # noqa: BLE001  group not there yet, broker busy
            return 0
        return sum(tp.offset for tp in offsets if tp.offset >= 0)

    def close(self):
        self.consumer.close()


def wait_committed(bootstrap, group, partitions, target, timeout, proc, poll=0.1):
    """Polls the group's committed offsets; returns (first time > 0, its value, time == target)."""
    probe = CommittedProbe(bootstrap, group, partitions)
    first = first_value = done = None
    deadline = time.monotonic() + timeout
    value = 0
    while time.monotonic() < deadline:
        if not proc.alive():
            log("processor exited early")
            break
        value = probe.total()
        now = time.monotonic()
        if first is None and value > 0:
            first, first_value = now, value
        if value >= target:
            done = now
            break
        time.sleep(poll)
    probe.close()
    if done is None:
        log(f"timeout: committed {value} of {target}")
    return first, first_value, done


def read_topic(bootstrap, topic, quiet=3.0):
    """All values of a topic (read_committed) until nothing new arrives for `quiet` seconds."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "read-" + uuid.uuid4().hex,
                         "enable.auto.commit": False, "isolation.level": "read_committed",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    values = []
    last = time.monotonic()
    while time.monotonic() - last < quiet:
        for m in consumer.consume(1000, 0.5):
            if m.error():
                continue
            values.append(m.value().decode())
            last = time.monotonic()
    consumer.close()
    return values


def alert_keys(lines):
    keys = []
    for line in lines:
        a = json.loads(line)
        keys.append((a["customer_id"], a["kind"], a["severity"], a["alert_id"]))
    return keys


def compare(name, ours, theirs):
    a, b = Counter(ours), Counter(theirs)
    both = sum((a & b).values())
    only_a, only_b = a - b, b - a
    return both, only_a, only_b


def cmd_equal_work(args):
    work = tempfile.mkdtemp(prefix="peer-equal-", dir=args.work)
    file = args.file or os.path.join(work, "input.jsonl")
    if not args.file:
        subprocess.run([args.cxpulse, "generate", "--customers", str(args.customers), "--seed",
                        str(args.seed), "--struggle-ratio", "0.5", "--duplicate-ratio", "0.02",
                        "--invalid-ratio", "0.01", "--output", file], check=True,
                       stderr=subprocess.DEVNULL)
    last = 0
    with open(file) as f:
        for line in f:
            try:
                ts = live_bench.event_ms(json.loads(line)["ts"])
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if ts < time.time() * 1000 + 3_600_000:
                last = max(last, ts)
    sentinel_ts = last + 3_600_000
    sentinels = [json.dumps({"event_id": f"sentinel-{p}", "customer_id": f"c-sentinel-{p}",
                             "type": "survey", "survey": "nps", "score": 10,
                             "ts": sentinel_ts}) for p in range(args.partitions)]
    with_sentinels = os.path.join(work, "input-and-sentinels.jsonl")
    with open(with_sentinels, "w") as out, open(file) as f:
        shutil.copyfileobj(f, out)
        out.write("\n".join(sentinels) + "\n")

    # cxpulse replay: one shard, file order, the watermark moves to the last event at the end.
    replay_alerts = os.path.join(work, "replay-alerts.jsonl")
    replay_signals = os.path.join(work, "replay-signals.jsonl")
    replay_dead = os.path.join(work, "replay-dead.jsonl")
    subprocess.run([args.cxpulse, "replay", "--input", with_sentinels, "--output", replay_alerts,
                    "--signals", replay_signals, "--dead-letter", replay_dead], check=True,
                   stderr=subprocess.DEVNULL)

    run = uuid.uuid4().hex[:8]
    input_prefix, output_prefix = f"pe.{run}.in.", f"pe.{run}.out."
    live_bench.create_topics(args.bootstrap, [input_prefix + t for t in INPUT_TOPICS],
                             args.partitions)
    live_bench.create_topics(args.bootstrap, [output_prefix + t for t in OUTPUTS], args.partitions)
    out = subprocess.run([sys.executable, live_bench.PRODUCE_JSONL, args.bootstrap, file,
                          "--topic-prefix", input_prefix], check=True, capture_output=True,
                         text=True).stdout
    log(f"produced: {out.strip()}")
    records, partitions = end_offsets(args.bootstrap, [input_prefix + t for t in INPUT_TOPICS])
    app_id = f"peer-equal-{run}"
    state_dir = os.path.join(work, "peer-state")
    # No idle wall-clock watermark: replay has none, and the sentinels end the input instead.
    proc = Process(peer_argv(args, args.mode, app_id, input_prefix, output_prefix, state_dir,
                             idle_ms=0, max_future_ms=3_600_000),
                   os.path.join(work, "peer.log"))
    _, _, done = wait_committed(args.bootstrap, app_id, partitions, records, args.timeout, proc)
    before = read_topic(args.bootstrap, output_prefix + "cx.alerts")
    producer = Producer({"bootstrap.servers": args.bootstrap})
    for p, line in enumerate(sentinels):
        producer.produce(input_prefix + "cx.surveys", value=line, key=f"c-sentinel-{p}",
                         partition=p, timestamp=sentinel_ts)
    producer.flush(30)
    wait_committed(args.bootstrap, app_id, partitions, records + len(sentinels), args.timeout, proc)
    time.sleep(1.0)
    code, rss, cpu = proc.stop()
    peer_alerts = read_topic(args.bootstrap, output_prefix + "cx.alerts")
    peer_signals = read_topic(args.bootstrap, output_prefix + "cx.signals")
    peer_dead = read_topic(args.bootstrap, output_prefix + "cx.deadletter")
    with open(os.path.join(work, "peer-alerts.jsonl"), "w") as f:
        f.write("".join(line + "\n" for line in peer_alerts))

    replay = open(replay_alerts).read().splitlines()
    both, only_replay, only_peer = compare("alerts", alert_keys(replay), alert_keys(peer_alerts))
    identical = sum((Counter(replay) & Counter(peer_alerts)).values())
    replay_signal_lines = open(replay_signals).read().splitlines()
    signals_same = sum((Counter(replay_signal_lines) & Counter(peer_signals)).values())
    dead = open(replay_dead).read().splitlines()
    dead_codes = sorted(json.loads(d)["error"] for d in dead)
    peer_dead_codes = sorted(json.loads(d)["error"] for d in peer_dead)
    b_both, b_only_replay, _ = compare("before", alert_keys(replay), alert_keys(before))
    for key in list(only_replay)[:10]:
        log(f"only in replay: {key}")
    for key in list(only_peer)[:10]:
        log(f"only in peer: {key}")
    result(step="equal_work", customers=args.customers, mode=args.mode, records=records,
           replay_alerts=len(replay), peer_alerts=len(peer_alerts), agree=both,
           only_replay=sum(only_replay.values()), only_peer=sum(only_peer.values()),
           byte_identical_alerts=identical,
           replay_signals=len(replay_signal_lines), peer_signals=len(peer_signals),
           identical_signals=signals_same,
           replay_dead_letters=len(dead), peer_dead_letters=len(peer_dead),
           dead_letter_codes_equal=dead_codes == peer_dead_codes,
           before_sentinels_agree=b_both, before_sentinels_missing=sum(b_only_replay.values()),
           peer_exit=code, work=work)
    ok = code in (0, 143) and not only_replay and not only_peer and dead_codes == peer_dead_codes
    if ok and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def idle_ms(args, processor):
    """The idle watermark (ms; 0 = off) of a processor in this step. A drain gives both the same,
    --idle-watermark-ms (default off): a task or shard that processed nothing for 5 s on a loaded
    machine (start-up, a long commit, a fetch) would otherwise move its watermark from the
    backlog's event time (weeks ago) to the wall clock and fire every pending deadline, so the
    alerts of a drain would depend on the load (bench/RESULTS.md, "Peer growth"). The latency
    step keeps the idle rule (cxpulse's default 5 s, the peer's --peer-idle-watermark-ms)."""
    if getattr(args, "idle_watermark_ms", None) is not None:
        return args.idle_watermark_ms
    return args.peer_idle_watermark_ms if processor == "peer" else 5000


def start_processors(args, processor, mode, input_prefix, output_prefix, work, run_id):
    """Starts args.instances processes in one consumer group; returns ([Process], group id)."""
    procs = []
    for i in range(args.instances):
        inst = os.path.join(work, f"instance-{i}")
        os.makedirs(inst, exist_ok=True)
        if processor == "peer":
            group = f"peer-{run_id}"
            argv = peer_argv(args, mode, group, input_prefix, output_prefix,
                             os.path.join(inst, "state"), idle_ms=idle_ms(args, processor))
            procs.append(Process(argv, os.path.join(inst, "peer.log")))
            continue
        group = "bench-" + run_id
        config = os.path.join(inst, "config.yaml")
        args.commit_interval = "100ms"
        args.max_future = "30d"
        port = args.http_port
        args.http_port = port + i
        live_bench.write_config(config, args, run_id, mode, input_prefix, output_prefix,
                                os.path.join(inst, "state"))
        args.http_port = port
        with open(config) as f:
            settings = json.load(f)
        # Its own transactional id (group + instance id; the default, the host name, is shared).
        settings["kafka"]["instance_id"] = f"bench-{i}"
        settings["kafka"]["idle_watermark_after"] = f"{idle_ms(args, processor)}ms"
        with open(config, "w") as f:
            json.dump(settings, f, indent=2)
        procs.append(Process([args.cxpulse, "run", "--config", config],
                             os.path.join(inst, "cxpulse.log")))
    return procs, group


def wait_ready(args, processor, procs, work, timeout=180):
    """Until every instance is assigned and consuming: the peer's state RUNNING, cxpulse's
    /readyz."""
    import urllib.request
    deadline = time.monotonic() + timeout
    for i, proc in enumerate(procs):
        while time.monotonic() < deadline and proc.alive():
            if processor == "peer":
                with open(os.path.join(work, f"instance-{i}", "peer.log")) as f:
                    if "-> RUNNING" in f.read():
                        break
            else:
                try:
                    with urllib.request.urlopen(
                            f"http://127.0.0.1:{args.http_port + i}/readyz", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
            time.sleep(0.2)


class Group:
    """The processes of one run, measured together (RSS and CPU are sums)."""

    def __init__(self, procs):
        self.procs = procs
        self.started = min(p.started for p in procs)

    def alive(self):
        return all(p.alive() for p in self.procs)

    def stop(self):
        codes, rss, cpu = [], 0.0, 0.0
        for p in self.procs:
            c, r, u = p.stop()
            codes.append(c)
            rss += r
            cpu += u
        return max(codes, key=lambda c: c not in (0, 143)), rss, cpu


def start_processor(args, processor, mode, input_prefix, output_prefix, work, run_id):
    procs, group = start_processors(args, processor, mode, input_prefix, output_prefix, work,
                                    run_id)
    return Group(procs), group


def cmd_drain(args):
    run_id = uuid.uuid4().hex[:8]
    output_prefix = f"pb.{run_id}."
    live_bench.create_topics(args.bootstrap, [output_prefix + t for t in OUTPUTS], args.partitions)
    work = tempfile.mkdtemp(prefix=f"peerbench-{run_id}-", dir=args.work)
    backlog, partitions = end_offsets(args.bootstrap, [args.prefix + t for t in INPUT_TOPICS])
    # --max-records: the same first N records of the backlog for every processor (equal work,
    # but only the customers those records reach); default all of it.
    records = min(backlog, args.max_records) if args.max_records else backlog
    proc, group = start_processor(args, args.processor, args.mode, args.prefix, output_prefix,
                                  work, run_id)
    first, first_value, done = wait_committed(args.bootstrap, group, partitions, records, args.timeout, proc)
    code, rss, cpu = proc.stop()
    rate = (records - first_value) / (done - first) if first and done and done > first else float("nan")
    incl = records / (done - proc.started) if done else float("nan")
    result(step="drain", processor=args.processor, mode=args.mode, instances=args.instances,
           customers=args.customers, rocksdb=args.rocksdb if args.processor == "peer" else "-",
           run=run_id, records=records, backlog=backlog,
           events_per_s=f"{rate:.0f}", events_per_s_incl_startup=f"{incl:.0f}",
           start_to_done_s=f"{done - proc.started:.2f}" if done else "nan",
           peak_rss_mb=f"{rss:.0f}", cpu_s=f"{cpu:.1f}",
           cpu_s_per_m_events=f"{cpu / records * 1e6:.1f}",
           idle_watermark_ms=args.idle_watermark_ms, exit=code)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def cmd_compare_alerts(args):
    """Equal work on a drain: the alerts two drains wrote (their output topics pb.<run>.), by
    (customer, kind, severity, alert id). Alerts a deadline raises depend on when each processor's
    watermark passed it while draining, so both are counted apart from the rest."""
    runs = {}
    for side in (args.a, args.b):
        label, _, run_id = side.rpartition(":")
        if label == "replay":  # replay:ALERTS_FILE, the alerts of `cxpulse replay`
            with open(run_id) as f:
                alerts = [json.loads(v) for v in f]
            label = "cxpulse:replay"
        else:
            alerts = [json.loads(v) for v in read_topic(args.bootstrap,
                                                        f"pb.{run_id}.cx.alerts")]
        runs[label] = alerts
    (la, a), (lb, b) = runs.items()
    keys = lambda alerts: [(x["customer_id"], x["kind"], x["severity"], x["alert_id"])  # noqa: E731
                           for x in alerts]
    both, only_a, only_b = compare("alerts", keys(a), keys(b))
    for key in list(only_a)[:5]:
        log(f"only in {la}: {key}")
    for key in list(only_b)[:5]:
        log(f"only in {lb}: {key}")
    kinds = lambda only: ",".join(f"{k}:{n}" for k, n in sorted(  # noqa: E731
        Counter(key[1] for key in only.elements()).items())) or "-"
    result(step="compare_alerts", customers=args.customers, a=la.replace(":", "/"),
           b=lb.replace(":", "/"), a_alerts=len(a), b_alerts=len(b), agree=both,
           only_a=sum(only_a.values()), only_b=sum(only_b.values()),
           only_a_kinds=kinds(only_a), only_b_kinds=kinds(only_b))


def cmd_delete_topics(args):
    """Deletes the topics whose names start with one of the prefixes (a bounded run's input and
    every drain's outputs), so that a series does not fill the disk."""
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    names = [t for t in admin.list_topics(timeout=30).topics
             if any(t.startswith(p) for p in args.prefixes)]
    for name, future in (admin.delete_topics(names).items() if names else []):
        future.result()
    log(f"deleted {len(names)} topics")


def replay_reference(args, work):
    """Alerts of `cxpulse replay` on the latency traffic in time order: the same generator call
    (customers, seed, span) started in the past (replay rejects events more than an hour ahead
    of the wall clock, and this traffic runs days ahead), so the same journeys relative to their
    start. A live processor that takes records in time order raises as many."""
    path = os.path.join(work, "replay-reference.jsonl")
    subprocess.run([args.cxpulse, "generate", "--customers", str(args.generate), "--seed",
                    str(args.seed), "--struggle-ratio", "0.5", "--start", "2026-01-01T00:00:00Z",
                    "--span", f"{args.span}s", "--output", path], check=True,
                   stderr=subprocess.DEVNULL)
    alerts = os.path.join(work, "replay-reference-alerts.jsonl")
    subprocess.run([args.cxpulse, "replay", "--input", path, "--output", alerts],
                   check=True, stderr=subprocess.DEVNULL)
    with open(alerts) as f:
        return sum(1 for _ in f)


def cmd_latency(args):
    run_id = uuid.uuid4().hex[:8]
    input_prefix, output_prefix = f"pl.{run_id}.in.", f"pl.{run_id}.out."
    live_bench.create_topics(args.bootstrap, [input_prefix + t for t in INPUT_TOPICS],
                             args.partitions)
    live_bench.create_topics(args.bootstrap, [output_prefix + t for t in OUTPUTS], args.partitions)
    work = tempfile.mkdtemp(prefix=f"peerlat-{run_id}-", dir=args.work)
    proc, group = start_processor(args, args.processor, args.mode, input_prefix, output_prefix,
                                  work, run_id)
    wait_ready(args, args.processor, proc.procs, work)
    alerts_path = os.path.join(work, "alerts.txt")
    tail = subprocess.Popen([sys.executable, os.path.join(HERE, "live_bench.py"), "tail-alerts",
                             "--bootstrap", args.bootstrap, "--topic", output_prefix + "cx.alerts",
                             "--out", alerts_path])
    time.sleep(args.warmup)  # group joins, the peer's task assignment
    if args.generate:
        # Journeys that start now that the processor is ready (a file made before a slow start
        # would arrive behind a watermark its idle tasks moved to the wall clock meanwhile).
        args.file = os.path.join(work, "latency.jsonl")
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        subprocess.run([args.cxpulse, "generate", "--customers", str(args.generate), "--seed",
                        str(args.seed), "--struggle-ratio", "0.5", "--start", start, "--span",
                        f"{args.span}s", "--output", args.file], check=True,
                       stderr=subprocess.DEVNULL)
    sent_path = os.path.join(work, "sent.txt")
    out = subprocess.run([args.producer, args.bootstrap, args.file, input_prefix, str(args.rate),
                          sent_path], check=True, capture_output=True, text=True).stdout.strip()
    produced = dict(kv.split("=") for kv in out.split())
    records, partitions = end_offsets(args.bootstrap, [input_prefix + t for t in INPUT_TOPICS])
    wait_committed(args.bootstrap, group, partitions, records, args.timeout, proc)
    time.sleep(args.settle)
    code, rss, cpu = proc.stop()
    open(alerts_path + ".stop", "w").close()
    tail.wait(60)
    replay_alerts = replay_reference(args, work) if args.generate else "-"
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
    ms = lambda s: f"{1000 * s:.1f}"  # noqa: E731
    result(step="latency", processor=args.processor, mode=args.mode, instances=args.instances,
           customers=args.customers, rocksdb=args.rocksdb if args.processor == "peer" else "-",
           run=run_id, rate=args.rate,
           max_task_idle_ms=args.max_task_idle_ms if args.processor == "peer" else "-",
           idle_watermark_ms=args.peer_idle_watermark_ms if args.processor == "peer" else "-",
           events=produced["records"], achieved_rate=produced["rate"], alerts=alerts,
           replay_alerts=replay_alerts,
           matched=len(latencies), timer_or_unmatched=alerts - len(latencies),
           e2e_p50_ms=ms(live_bench.quantile(latencies, 0.5)),
           e2e_p99_ms=ms(live_bench.quantile(latencies, 0.99)),
           peak_rss_mb=f"{rss:.0f}", cpu_s=f"{cpu:.1f}", exit=code)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def parse_results(paths):
    """RESULT lines of the harness logs, each with the log's `# key=value` lines (machine, date,
    load) as `_key`."""
    rows = []
    for path in paths:
        with open(path) as f:
            lines = f.read().splitlines()
        context = {}
        for line in lines:
            if line.startswith("# ") and "=" in line:
                key, _, value = line[2:].strip().partition("=")
                context["_" + key] = value
        for line in lines:
            if line.startswith("RESULT "):
                row = dict(kv.split("=", 1) for kv in line.split()[1:])
                row.update(context)
                row["_log"] = path
                rows.append(row)
    return rows


def median(values):
    values = sorted(v for v in values if v == v)
    if not values:
        return float("nan")
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def num(row, key):
    try:
        return float(row.get(key, "nan"))
    except ValueError:
        return float("nan")


def fmt(v, digits=0):
    if v != v:
        return "–"
    return f"{v:,.{digits}f}".replace(",", " ")


LABELS = [("cxpulse", "exactly_once", "cxpulse exactly-once"),
          ("cxpulse", "at_least_once", "cxpulse at-least-once"),
          ("peer", "exactly_once_v2", "Kafka Streams EOS v2"),
          ("peer", "at_least_once", "Kafka Streams at-least-once")]
EVENTS_PER_CUSTOMER = 17.3  # measured: 344 728 records for 20 000 customers
PEER_OF = {"exactly_once": "exactly_once_v2", "at_least_once": "at_least_once"}


def render(rows):
    """Markdown tables, one per (customers, instances, peer RocksDB config)."""
    out = []
    keys = sorted({(int(r.get("customers", 0)), int(r.get("instances", 1)), r.get("_rocksdb", "default"))
                   for r in rows if r.get("step") in ("drain", "latency")})
    for customers, instances, rocksdb in keys:
        sel = [r for r in rows if int(r.get("customers", 0)) == customers
               and int(r.get("instances", 1)) == instances and r.get("_rocksdb", "default") == rocksdb]
        if not sel:
            continue
        ctx = sel[0]
        out.append(f"### {fmt(customers)} customers, {instances} instance(s) each, peer RocksDB "
                   f"{rocksdb}")
        out.append("")
        records = next((r["records"] for r in sel if r.get("step") == "drain"), "?")
        out.append(f"Backlog {records} records; {ctx.get('_date', '?')}; load average during the "
                   f"runs {ctx.get('_load', '?')}.")
        out.append("")
        out.append("| processor | drain events/s (median, runs) | × peer | p50 event→alert | p99 | "
                   "peak RSS MB | × peer | CPU s per M events | × peer |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        stats = {}
        for proc, mode, label in LABELS:
            drains = [r for r in sel if r.get("step") == "drain" and r.get("processor") == proc
                      and r.get("mode") == mode]
            lats = [r for r in sel if r.get("step") == "latency" and r.get("processor") == proc
                    and r.get("mode") == mode]
            stats[(proc, mode)] = {
                "rate": median([num(r, "events_per_s") for r in drains]),
                "runs": ", ".join(fmt(num(r, "events_per_s")) for r in drains),
                "rss": median([num(r, "peak_rss_mb") for r in drains]),
                "cpu": median([num(r, "cpu_s_per_m_events") for r in drains]),
                "p50": median([num(r, "e2e_p50_ms") for r in lats]),
                "p99": median([num(r, "e2e_p99_ms") for r in lats]),
                "label": label}
        for proc, mode, label in LABELS:
            st = stats[(proc, mode)]
            peer = stats.get(("peer", PEER_OF.get(mode, mode))) if proc == "cxpulse" else None
            ratio = lambda k: fmt(st[k] / peer[k], 2) if peer and peer[k] == peer[k] and peer[k] else "–"  # noqa: E731
            out.append(f"| {label} | {fmt(st['rate'])} ({st['runs']}) | {ratio('rate')} | "
                       f"{fmt(st['p50'], 1)} ms | {fmt(st['p99'], 1)} ms | {fmt(st['rss'])} | "
                       f"{ratio('rss')} | {fmt(st['cpu'], 1)} | {ratio('cpu')} |")
        logs = {r["_log"] for r in sel}
        ceilings = [num(r, "records_per_s") for r in rows
                    if r.get("step") == "ceiling" and r["_log"] in logs]
        if ceilings:
            out.append(f"| librdkafka consume only (ceiling) | {fmt(median(ceilings))} "
                       f"({', '.join(fmt(c) for c in ceilings)}) | | | | | | | |")
        lat = next((r for r in sel if r.get("step") == "latency"), None)
        if lat:
            out.append("")
            out.append(f"Latency at a fixed {fmt(num(lat, 'rate'))} events/s, "
                       f"{lat.get('events', '?')} events per run; alerts raised by a deadline "
                       "(no trigger event) are not in p50/p99.")
        out.append("")
    return "\n".join(out)


def cmd_report(args):
    rows = parse_results(args.logs)
    body = render(rows)
    begin, end = "<!-- peer-bench:begin -->", "<!-- peer-bench:end -->"
    with open(args.results) as f:
        text = f.read()
    section = f"{begin}\n{args.header.strip()}\n\n{body}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(args.results, "w") as f:
        f.write(text)
    if args.csv:
        write_csv(args.csv, rows)
    print(body)


def render_growth(rows, skipped):
    """One row per (customers, instances, peer RocksDB config): cxpulse exactly-once next to the
    peer's EOS v2 from the same round, and the sizes the time budget left out."""
    out = ["| customers | records | instances | peer RocksDB | cxpulse EO events/s | peer EOS v2 "
           "events/s | × peer | cxpulse RSS MB | peer RSS MB | × peer | cxpulse CPU s/M | "
           "peer CPU s/M | × peer | cxpulse ALO events/s (RSS MB, CPU s/M) | ceiling events/s | "
           "load avg | date |",
           "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    keys = sorted({(int(r["customers"]), int(r["records"]), int(r.get("instances", 1)),
                    r.get("_rocksdb", "default"))
                   for r in rows if r.get("step") == "drain"},
                  key=lambda k: (k[0], k[1], k[2], k[3] != "default"))
    for customers, records, instances, rocksdb in keys:
        sel = [r for r in rows if r.get("step") == "drain" and int(r["customers"]) == customers
               and int(r["records"]) == records and int(r.get("instances", 1)) == instances
               and r.get("_rocksdb") == rocksdb]
        logs = {r["_log"] for r in sel}

        def pick(proc, key):
            return median([num(r, key) for r in sel if r["processor"] == proc
                           and r["mode"] in ("exactly_once", "exactly_once_v2")])

        ours = {k: pick("cxpulse", k) for k in ("events_per_s", "peak_rss_mb", "cpu_s_per_m_events")}
        alo = {k: median([num(r, k) for r in sel if r["processor"] == "cxpulse"
                          and r["mode"] == "at_least_once"]) for k in ours}
        alo_cell = (f"{fmt(alo['events_per_s'])} ({fmt(alo['peak_rss_mb'])}, "
                    f"{fmt(alo['cpu_s_per_m_events'], 1)})" if alo["events_per_s"] == alo["events_per_s"]
                    else "–")
        peer = {k: pick("peer", k) for k in ours}
        ratio = lambda k: fmt(ours[k] / peer[k], 2) if peer[k] == peer[k] and peer[k] else "–"  # noqa: E731
        ceilings = [num(r, "records_per_s") for r in rows
                    if r.get("step") == "ceiling" and r["_log"] in logs]
        ctx = sel[0]
        drained = fmt(num(ctx, "records"))
        if first_of(ctx):
            drained = (f"first {drained} of ≈ {fmt(workload(ctx))} (reach "
                       f"{fmt(num(ctx, '_customers_reached'))} customers)")
        elif ctx.get("backlog") and ctx["backlog"] != ctx["records"]:
            drained = f"first {drained} of {fmt(num(ctx, 'backlog'))}"
        if ctx.get("_workload") == "first-sighting":
            drained += (f" (first-sighting load, {ctx.get('_records_per_customer', '?')} records "
                        "per customer: every customer reached)")
        out.append(f"| {fmt(customers)} | {drained} | {instances} | {rocksdb} | "
                   f"{fmt(ours['events_per_s'])} | {fmt(peer['events_per_s'])} | "
                   f"{ratio('events_per_s')} | {fmt(ours['peak_rss_mb'])} | "
                   f"{fmt(peer['peak_rss_mb'])} | {ratio('peak_rss_mb')} | "
                   f"{fmt(ours['cpu_s_per_m_events'], 1)} | {fmt(peer['cpu_s_per_m_events'], 1)} | "
                   f"{ratio('cpu_s_per_m_events')} | {alo_cell} | {fmt(median(ceilings))} | "
                   f"{ctx.get('_load', '?')} | {ctx.get('_date', '?')} |")
    for customers, instances, rocksdb, estimate, left, rate in skipped:
        out.append(f"| {fmt(customers)} | ≈ {fmt(customers * EVENTS_PER_CUSTOMER)} | {instances} | {rocksdb} | "
                   f"whole workload not run: ≈ "
                   f"{estimate // 60} min estimated at {fmt(rate)} events/s (slowest drain so far), "
                   f"{max(left, 0) // 60} min of the budget left | | | | | | | | | | | "
                   f"| |")
    equal = [r for r in rows if r.get("step") == "equal_work" and first_of(r)]
    if equal:
        out += ["", "Equal work on the first records (`--equal-first`, `peer_bench.py equal-work "
                "--file`): `cxpulse replay` of the same records against the peer EOS v2 on their "
                "topics, with a sentinel an hour after the last event so that every deadline "
                "fires in both.", "",
                "| customers | records | replay alerts | peer alerts | agree | only replay | "
                "only peer | dead letters equal | load avg |",
                "|---:|---:|---:|---:|---:|---:|---:|---|---|"]
        for r in sorted(equal, key=lambda r: int(r["customers"])):
            out.append(f"| {fmt(num(r, 'customers'))} | first {fmt(num(r, 'records'))} | "
                       f"{r['replay_alerts']} | {r['peer_alerts']} | {r['agree']} | "
                       f"{r['only_replay']} | {r['only_peer']} | {r['dead_letter_codes_equal']} | "
                       f"{r.get('_load', '?')} |")
    compared = [r for r in rows if r.get("step") == "compare_alerts"]
    if compared:
        out += ["", "Equal work on the drained records (`--compare-alerts`): the alerts of the "
                "two drains, by customer, kind, severity and alert id; the kinds of the "
                "differences after them.", "",
                "| customers | records | instances | peer RocksDB | idle watermark | drains compared "
                "| alerts | agree | only in first | only in second | load avg |",
                "|---:|---:|---:|---|---|---|---:|---:|---:|---:|---|"]
        for r in sorted(compared, key=lambda r: (int(r["customers"]), r["_log"])):
            drain = next((d for d in rows if d.get("step") == "drain" and d["_log"] == r["_log"]),
                         {})
            out.append(f"| {fmt(num(r, 'customers'))} | {fmt(num(drain, 'records'))} | "
                       f"{drain.get('instances', '?')} | {r.get('_rocksdb', '?')} | "
                       f"{idle_label(drain)} | {r['a'].replace('/', ' ')} vs {r['b'].replace('/', ' ')} | "
                       f"{r['a_alerts']} / {r['b_alerts']} | {r['agree']} | "
                       f"{r['only_a']} ({r['only_a_kinds']}) | {r['only_b']} ({r['only_b_kinds']}) "
                       f"| {r.get('_load', '?')} |")
    return "\n".join(out)


def idle_label(drain):
    """The drains' idle watermark: logs from before drain --idle-watermark-ms ran both with 5 s."""
    ms = int(drain.get("idle_watermark_ms", 5000))
    return f"{ms / 1000:g} s" if ms else "off"


def first_of(row):
    """N when the row drained the first N records of its workload (peer_bench.sh --first)."""
    return int(row.get("_first", "0") or 0)


def workload(row):
    """Records of the whole workload of a --first row (estimated: it is not generated)."""
    return round(int(row["customers"]) * EVENTS_PER_CUSTOMER / 1000) * 1000


def cmd_growth_report(args):
    rows = parse_results(args.logs)
    skipped = []
    if args.skipped and os.path.exists(args.skipped):
        with open(args.skipped) as f:
            for line in f:
                if line.strip():
                    c, i, rocksdb, e, left, rate = line.split()
                    skipped.append((int(c), int(i), rocksdb, int(e), int(left), float(rate)))
    body = render_growth(rows, skipped)
    begin, end = "<!-- peer-growth:begin -->", "<!-- peer-growth:end -->"
    with open(args.results) as f:
        text = f.read()
    if begin in text and end in text:
        head = text[:text.index(begin) + len(begin)]
        tail = text[text.index(end):]
        # The prose above the table (between the begin marker and the table) is kept.
        middle = text[len(head):text.index(end)]
        prose = middle.split("| customers |")[0].rstrip("\n")
        text = f"{head}{prose}\n\n{body}\n\n{tail}"
    else:
        text = text.rstrip("\n") + f"\n\n{begin}\n{body}\n{end}\n"
    with open(args.results, "w") as f:
        f.write(text)
    if args.csv:
        write_csv(args.csv, rows)
    print(body)


def write_csv(path, rows):
    """Drains; for a --first row, backlog is the whole workload's estimated size and first=1."""
    with open(path, "w") as f:
        f.write("step,processor,mode,customers,instances,rocksdb,events_per_s,peak_rss_mb,"
                "cpu_s_per_m_events,records,backlog,first,workload,records_per_customer\n")
        for r in rows:
            if r.get("step") == "drain":
                r = dict(r, first=int(bool(first_of(r))))
                if first_of(r):
                    r["backlog"] = workload(r)
                f.write(",".join(str(r.get(k, "")) for k in (
                    "step", "processor", "mode", "customers", "instances", "_rocksdb",
                    "events_per_s", "peak_rss_mb", "cpu_s_per_m_events", "records",
                    "backlog", "first", "_workload", "_records_per_customer")) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--bootstrap", default="127.0.0.1:19380")
    common.add_argument("--partitions", type=int, default=4)
    common.add_argument("--prefix", default="pb.")
    common.add_argument("--cxpulse", default=os.path.join(HERE, "..", "build", "cxpulse"))
    common.add_argument("--peer-jar", default=PEER_JAR)
    common.add_argument("--jvm-opts", default="", help="extra JVM flags for the peer")
    common.add_argument("--threads", type=int, default=1, help="peer stream threads")
    common.add_argument("--cache-mb", type=int, default=64)
    common.add_argument("--punctuate-ms", type=int, default=1000)
    common.add_argument("--rocksdb", choices=["default", "tuned"], default="default")
    common.add_argument("--peer-idle-watermark-ms", type=int, default=5000,
                        help="the peer's --idle-watermark-after-ms (cxpulse's idle_watermark_after)")
    common.add_argument("--max-task-idle-ms", type=int, default=0,
                        help="the peer's max.task.idle.ms (Kafka Streams' default 0)")
    common.add_argument("--http-port", type=int, default=19382)
    common.add_argument("--work", default="/tmp")
    common.add_argument("--keep", action="store_true")
    common.add_argument("--timeout", type=float, default=1800)
    common.add_argument("--instances", type=int, default=1)
    common.add_argument("--customers", type=int, default=20000, help="label (drain, latency)")
    run = argparse.ArgumentParser(add_help=False)
    run.add_argument("--processor", choices=["cxpulse", "peer"], required=True)
    run.add_argument("--mode", required=True,
                     choices=["exactly_once", "at_least_once", "exactly_once_v2"])

    p = sub.add_parser("equal-work", parents=[common])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--mode", choices=["exactly_once_v2", "at_least_once"], default="exactly_once_v2")
    p.add_argument("--file", help="this input (e.g. the first N records of a large workload; "
                   "--customers is then its label) instead of generating --customers")
    p.set_defaults(func=cmd_equal_work)
    p = sub.add_parser("drain", parents=[common, run])
    p.add_argument("--max-records", type=int, default=0,
                   help="stop once this many records are committed (0: the whole backlog)")
    p.add_argument("--idle-watermark-ms", type=int, default=0,
                   help="idle watermark of both processors (cxpulse idle_watermark_after, the "
                   "peer's --idle-watermark-after-ms); 0, the default, is off: equal work")
    p.set_defaults(func=cmd_drain)
    p = sub.add_parser("compare-alerts", parents=[common])
    p.add_argument("--a", required=True,
                   help="PROCESSOR:MODE:RUN_ID of a drain, or replay:FILE (cxpulse replay's alerts)")
    p.add_argument("--b", required=True, help="PROCESSOR:MODE:RUN_ID of another drain")
    p.set_defaults(func=cmd_compare_alerts)
    p = sub.add_parser("delete-topics", parents=[common])
    p.add_argument("prefixes", nargs="+")
    p.set_defaults(func=cmd_delete_topics)
    p = sub.add_parser("latency", parents=[common, run])
    p.add_argument("file", nargs="?", help="a generated file, or --generate")
    p.add_argument("--generate", type=int, default=0,
                   help="generate this many customers once the processor is ready")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--span", type=int, default=20, help="seconds of journey starts")
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--warmup", type=float, default=3.0, help="after ready: the alert reader")
    p.add_argument("--settle", type=float, default=3.0)
    p.add_argument("--producer", default=os.path.join(HERE, "..", "build", "bench", "rate_producer"))
    p.set_defaults(func=cmd_latency)
    p = sub.add_parser("report")
    p.add_argument("logs", nargs="+")
    p.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    p.add_argument("--header", default="# Peer benchmark: cxpulse and Kafka Streams")
    p.add_argument("--csv")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("growth-report")
    p.add_argument("logs", nargs="+")
    p.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    p.add_argument("--skipped", help="lines `customers estimate_s left_s events_per_s`")
    p.add_argument("--csv")
    p.set_defaults(func=cmd_growth_report)
    args = parser.parse_args()
    if getattr(args, "mode", None) == "exactly_once_v2" and getattr(args, "processor", "peer") == "cxpulse":
        args.mode = "exactly_once"
    args.func(args)


if __name__ == "__main__":
    main()
