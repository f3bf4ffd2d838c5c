"""Shared helpers of cxpulse's integration tests against a real Kafka broker.

Every test script takes the same arguments (see `parse_args`), creates its own topics under a
fresh prefix and its own consumer group, drives `cxpulse run` processes, reads the outputs under
read_committed and compares them with `cxpulse replay` of the same events. Waits are
condition-based with deadlines; a script ends with "N passed, N failed" and exits 1 on failure.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = ("cx.clicks", "cx.calls", "cx.chats", "cx.surveys")
OUTPUTS = ("cx.signals", "cx.alerts", "cx.deadletter")
TOPIC_KEYS = {"cx.clicks": "clicks", "cx.calls": "calls", "cx.chats": "chats",
              "cx.surveys": "surveys", "cx.signals": "signals", "cx.alerts": "alerts",
              "cx.deadletter": "dead_letter"}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# processing.threads of the configs write_config writes (--threads); None = not set.
PROCESSING_THREADS = None
# kafka.prefetch_kb of the configs write_config writes (--prefetch-kb); None = not set.
PREFETCH_KB = None
# SPEC §2: an event dated more than this past the wall clock is a dead letter (future_timestamp).
FUTURE_SKEW_MS = 3_600_000


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True, help="the cxpulse binary")
    parser.add_argument("--work-dir", required=True, help="scratch directory (wiped)")
    parser.add_argument("--bootstrap", default="127.0.0.1:19192")
    parser.add_argument("--kafka-dir", default="", help="KAFKA_DIR of the broker (broker test)")
    parser.add_argument("--seed", type=int, default=0, help="0 = random (printed)")
    parser.add_argument("--threads", type=int, default=None,
                        help="processing.threads of every config write_config writes (default: "
                             "$CXPULSE_IT_THREADS when set, else not set: the product's default, "
                             "1; 0 = the cores available)")
    parser.add_argument("--prefetch-kb", type=int, default=None,
                        help="kafka.prefetch_kb of every config write_config writes (default: not "
                             "set); a small one makes the processor pause and resume its input "
                             "partitions all the time")
    parser.add_argument("--sanitized", action="store_true",
                        help="--cxpulse is an ASan+UBSan build: any sanitizer report fails the test")
    args = parser.parse_args()
    global PROCESSING_THREADS, PREFETCH_KB
    PROCESSING_THREADS = args.threads
    PREFETCH_KB = args.prefetch_kb
    if PREFETCH_KB is not None:
        log(f"kafka.prefetch_kb: {PREFETCH_KB}")
    if PROCESSING_THREADS is None and os.environ.get("CXPULSE_IT_THREADS", "") != "":
        PROCESSING_THREADS = int(os.environ["CXPULSE_IT_THREADS"])
    if PROCESSING_THREADS is not None:
        log(f"processing.threads: {PROCESSING_THREADS}")
    if args.seed == 0:
        args.seed = random.SystemRandom().randint(1, 1_000_000)
    log(f"seed {args.seed} (rerun with --seed {args.seed})")
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    if args.sanitized:
        collect_sanitizer_reports(os.path.join(args.work_dir, "sanitizer-reports"))
    return args


# --- sanitizer reports --------------------------------------------------------------------------

_sanitizer_reports = None
_captured_reports = []
# An ASan or LSan report's first line, or UBSan's "<file>:<line>:<col>: runtime error: ...".
_SANITIZER_LINE = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|:\d+:\d+: runtime error: ")


def collect_sanitizer_reports(directory):
    """Makes every cxpulse process this script starts (they inherit the environment) stop at its
    first ASan, LSan or UBSan report; `Checks.finish` then fails the test if there was one.
    ASan and LSan write theirs to a file in `directory` (log_path). GCC's UBSan runtime ignores
    log_path next to ASan and writes to stderr, so the *.log files under the parent of
    `directory` (the work dir: the processes' output) and the stderr that `run` and `state_json`
    capture are searched for reports too. Files and captured output, not exit codes: the tests
    kill processes (kill -9), so a report must not depend on how the process ended."""
    global _sanitizer_reports
    os.makedirs(directory, exist_ok=True)
    _sanitizer_reports = directory
    os.environ["ASAN_OPTIONS"] = ("halt_on_error=1:abort_on_error=1:detect_leaks=1:"
                                  f"log_path={directory}/asan")
    os.environ["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    log(f"sanitizer reports go to {directory} and the processes' logs")


def note_sanitizer_output(what, text):
    """Keeps `text` (a process's captured stderr) when it holds a sanitizer report."""
    if _sanitizer_reports is not None and text and _SANITIZER_LINE.search(text):
        _captured_reports.append((what, text))


def _report_excerpt(text):
    match = _SANITIZER_LINE.search(text)
    return text[max(0, match.start() - 200):match.start() + 3000] if match else text[:3200]


def sanitizer_reports():
    """(where, excerpt) of every sanitizer report so far, or [] when not collecting."""
    if _sanitizer_reports is None:
        return []
    reports = []
    for name in sorted(os.listdir(_sanitizer_reports)):
        with open(os.path.join(_sanitizer_reports, name), errors="replace") as f:
            reports.append((name, _report_excerpt(f.read())))
    for folder, _, files in os.walk(os.path.dirname(_sanitizer_reports)):
        for name in sorted(files):
            if name.endswith(".log"):
                path = os.path.join(folder, name)
                with open(path, errors="replace") as f:
                    text = f.read()
                if _SANITIZER_LINE.search(text):
                    reports.append((path, _report_excerpt(text)))
    reports += [(what, _report_excerpt(text)) for what, text in _captured_reports]
    return reports


class Checks:
    """Counts assertions; `finish` prints the tally and exits non-zero on any failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            log(f"PASS {name}")
        else:
            self.failed += 1
            log(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok

    def finish(self):
        if _sanitizer_reports is not None:
            reports = sanitizer_reports()
            self.check("no sanitizer report from any cxpulse process", not reports,
                       "; ".join(f"{where}:\n{text}" for where, text in reports[:3]))
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)


def run_test(main, checks):
    """Runs `main(checks)`; an exception counts as one failed check. Ends the process."""
    import traceback
    try:
        main(checks)
    except Exception as e:  # noqa: BLE001 - any error fails the test with its traceback
        traceback.print_exc()
        checks.check("test ran to its end", False, f"{type(e).__name__}: {str(e)[-1500:]}")
    checks.finish()


def wait_for(what, condition, timeout, interval=0.1):
    """Polls `condition` until it returns a truthy value; raises TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- partitioning -------------------------------------------------------------------------------

def murmur2(data):
    """Kafka's murmur2 (the Java client's default partitioner, librdkafka's murmur2_random)."""
    m = 0x5BD1E995
    length = len(data)
    h = (0x9747B28C ^ length) & 0xFFFFFFFF
    for i in range(0, length - length % 4, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> 24
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = length & ~3
    extra = length % 4
    if extra == 3:
        h ^= data[tail + 2] << 16
    if extra >= 2:
        h ^= data[tail + 1] << 8
    if extra >= 1:
        h ^= data[tail]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def partition_of(key, partitions):
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


# --- input files --------------------------------------------------------------------------------

def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def write_jsonl(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")


def generate(cxpulse, path, customers, seed, duplicate_ratio=0.0, invalid_ratio=0.0):
    run([cxpulse, "-q", "generate", "--customers", str(customers), "--seed", str(seed),
         "--duplicate-ratio", str(duplicate_ratio), "--invalid-ratio", str(invalid_ratio),
         "--output", path])
    return read_jsonl(path)


def event_ms(line):
    try:
        event = json.loads(line)
    except ValueError:
        return None
    ts = event.get("ts") if isinstance(event, dict) else None
    if isinstance(ts, int) and not isinstance(ts, bool):
        return ts
    if isinstance(ts, str):
        try:
            import datetime
            return int(datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None
    return None


def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def tail_events(lines, partitions, gap_ms=86_400_000):
    """One harmless page_view per partition, `gap_ms` after the latest event, each of a customer
    whose key hashes to that partition. Appended to both the live and the replay input, they move
    every partition's watermark past all real deadlines in live mode exactly as the end of a
    replay does, so timers that are due in replay are due live too.

    The latest event is the latest one the processor accepts: a line dated more than an hour
    past the wall clock is a dead letter (SPEC: future_timestamp; the generator writes year-2999
    ones among its bad lines), and so would be a tail event placed after it, which then moves no
    watermark: the live run's last timers would then fire only when idle_input_wait passes, which
    may come after a test has stopped the processor. The tail is dated at most half an hour past
    the wall clock, well inside the skew the processor accepts."""
    now_ms = int(time.time() * 1000)
    accepted = [t for t in (event_ms(line) for line in lines)
                if t is not None and t <= now_ms + FUTURE_SKEW_MS]
    latest = max(accepted)
    ts = min(latest + gap_ms, now_ms + FUTURE_SKEW_MS // 2)
    out = []
    for p in range(partitions):
        n = 0
        while partition_of(f"zz-tail-{p}-{n}", partitions) != p:
            n += 1
        customer = f"zz-tail-{p}-{n}"
        out.append(json.dumps({"event_id": f"tail-{p}", "customer_id": customer, "type": "click",
                               "action": "page_view", "ts": iso(ts), "page": "/"}))
    return out


def customers_of(lines):
    seen = {}
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and isinstance(event.get("customer_id"), str):
            seen[event["customer_id"]] = True
    return list(seen)


# --- processes ----------------------------------------------------------------------------------

def run(cmd, timeout=300, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    note_sanitizer_output(" ".join(cmd[:2]), result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result.stdout


def produce(bootstrap, path, prefix, rate=0.0):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "produce_jsonl.py"), bootstrap, path,
           "--topic-prefix", prefix]
    if rate > 0:
        cmd += ["--rate", str(rate)]
    return run(cmd, timeout=600)


def produce_async(bootstrap, path, prefix, rate, log_path=None, debug=None):
    """Starts produce_jsonl.py at `rate`; its stderr (with librdkafka's `debug` contexts, if
    given) goes to `log_path` when given (a pipe read only at the end could fill and block it)."""
    cmd = ["/usr/bin/python3", os.path.join(HERE, "produce_jsonl.py"), bootstrap, path,
           "--topic-prefix", prefix, "--rate", str(rate)]
    if debug:
        cmd += ["--debug", debug]
    if log_path is None:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open(log_path, "w") as log_file:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log_file, text=True)


def replay(cxpulse, input_path, out_dir, config=None):
    """Runs `cxpulse replay` with a state dir; returns (alerts, signals, state_dir)."""
    os.makedirs(out_dir, exist_ok=True)
    alerts, signals = os.path.join(out_dir, "alerts.jsonl"), os.path.join(out_dir, "signals.jsonl")
    state = os.path.join(out_dir, "state")
    cmd = [cxpulse, "-q", "replay", "--input", input_path, "--output", alerts, "--signals",
           signals, "--dead-letter", os.path.join(out_dir, "dead.jsonl"), "--state-dir", state]
    if config:
        cmd += ["--config", config]
    run(cmd)
    return read_jsonl(alerts), read_jsonl(signals), state


BROKER_SH = os.path.join(HERE, "..", "..", "tools", "kafka", "broker.sh")


def broker(args, command):
    """Runs `tools/kafka/broker.sh COMMAND` (stop, start, ...) on the test fixture's broker: its
    --kafka-dir and the port of --bootstrap. `start` returns once the broker answers."""
    if not args.kafka_dir:
        raise SystemExit("--kafka-dir (the fixture broker's KAFKA_DIR) is required")
    env = dict(os.environ, KAFKA_DIR=args.kafka_dir, KAFKA_PORT=args.bootstrap.rsplit(":", 1)[1])
    result = subprocess.run(["bash", BROKER_SH, command], env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"broker.sh {command} failed:\n{result.stdout}\n{result.stderr}")
    log(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else f"broker {command}")


def http_call(address, path, method="GET", headers=None, body=None, timeout=20):
    """(status, body text) of one request to http://<address><path>; (None, reason) when nothing
    answers. `body` (a dict) is sent as JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://{address}{path}", method=method, data=data)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout) as e:
        return None, str(e)


class Processor:
    """One `cxpulse run` process; its log goes to a file."""

    command = "run"

    def __init__(self, cxpulse, config_path, log_path, env=None):
        self.cxpulse = cxpulse
        self.config_path = config_path
        self.log_path = log_path
        self.env = env
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        with open(self.log_path, "a") as f:
            f.write(f"===== start {self.starts} =====\n")
        self.log_file = open(self.log_path, "a")
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen([self.cxpulse, self.command, "--config", self.config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        return self

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def current_log(self):
        return self.log_text().rsplit("===== start", 1)[-1]

    def exit_summary(self):
        """Exit code and the processor's own last log lines (not librdkafka's)."""
        own = [line for line in self.current_log().splitlines()
               if line and not line.startswith("%") and " librdkafka " not in line]
        return f"cxpulse run exited {self.proc.returncode}:\n" + "\n".join(own[-12:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def http_get(self, path):
        """(status, body) of GET http://<listen><path>, or (None, "") while nothing answers."""
        try:
            with urllib.request.urlopen(f"http://{self.listen()}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
            return None, ""

    def listen(self):
        with open(self.config_path) as f:
            return json.load(f)["http"]["listen"]

    def ready(self):
        """/readyz answers 200: the assigned shards are restored and consuming."""
        return self.http_get("/readyz")[0] == 200

    def metric(self, name):
        """The value of an unlabelled metric from /metrics, or None."""
        status, body = self.http_get("/metrics")
        if status != 200:
            return None
        for line in body.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == name:
                return float(parts[1])
        return None

    def metric_values(self, name):
        """Every sample of metric `name` (any labels) from /metrics; [] when unavailable."""
        status, body = self.http_get("/metrics")
        if status != 200:
            return []
        values = []
        for line in body.splitlines():
            parts = line.rsplit(" ", 1)
            if len(parts) == 2 and (parts[0] == name or parts[0].startswith(name + "{")):
                values.append(float(parts[1]))
        return values

    def metric_sample(self, name, **labels):
        """The value of the sample of `name` with exactly `labels` from /metrics, or None (no
        answer, or no such sample)."""
        status, body = self.http_get("/metrics")
        if status != 200:
            return None
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in body.splitlines():
            series, _, value = line.rpartition(" ")
            if series == name and not labels:
                return float(value)
            if series.startswith(name + "{") and series.endswith("}"):
                have = ",".join(sorted(series[len(name) + 1:-1].split(",")))
                if have == wanted:
                    return float(value)
        return None

    def assigned_shards(self):
        """Shards assigned and restored (cxpulse_assigned_shards while /readyz is true), or None."""
        if not self.ready():
            return None
        value = self.metric("cxpulse_assigned_shards")
        return None if value is None else int(value)

    def wait_ready(self, timeout=90, interval=0.1):
        def ready():
            if not self.alive():
                raise RuntimeError(self.exit_summary())
            return self.ready()
        wait_for("the processor to be assigned its shards (/readyz)", ready, timeout, interval)

    def wait_assigned(self, timeout=90):
        self.wait_ready(timeout)

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self.log_file.close()

    def save_metrics(self):
        """Writes the current /metrics next to the log (<log>.metrics.txt, replaced at every
        stop): the suite's last check (log_scan_test.py) looks for customer ids in its labels."""
        try:
            with urllib.request.urlopen(f"http://{self.listen()}/metrics", timeout=3) as response:
                body = response.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout, OSError,
                ValueError, KeyError):
            return
        with open(os.path.splitext(self.log_path)[0] + ".metrics.txt", "w") as f:
            f.write(body)

    def stop(self, timeout=60):
        """Saves /metrics (save_metrics), then SIGTERM; returns the exit code."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.save_metrics()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.dump_stacks()
            self.proc.kill()
            code = self.proc.wait(30)
            code = f"{code} (killed: no exit {timeout} s after SIGTERM)"
        self.log_file.close()
        return code

    def dump_stacks(self):
        """Appends every thread's backtrace (gdb, when installed) to the process log: what a
        process that does not stop was waiting for."""
        gdb = shutil.which("gdb")
        if gdb is None:
            return
        self.log_file.write(f"===== no exit after SIGTERM: stacks of pid {self.proc.pid} =====\n")
        self.log_file.flush()
        subprocess.run([gdb, "-batch", "-p", str(self.proc.pid), "-ex", "thread apply all bt"],
                       stdout=self.log_file, stderr=subprocess.STDOUT, timeout=120, check=False)
        self.log_file.flush()


class Outreach(Processor):
    """One `cxpulse outreach` process (the case service); `env` holds the reps' tokens."""

    command = "outreach"

    def listen(self):
        with open(self.config_path) as f:
            return json.load(f)["outreach"]["listen"]

    def wait_ready(self, timeout=120, interval=0.1):
        def ready():
            if not self.alive():
                raise RuntimeError(self.exit_summary())
            return self.ready()
        wait_for("the outreach service to read both logs (/readyz)", ready, timeout, interval)


def free_port():
    """A TCP port nothing listens on right now (for a processor's /readyz and /metrics)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path, state_dir, bootstrap, group, prefix, instance, idle="0s", rules=None,
                 extra_kafka=None, extra_state=None):
    """A `cxpulse run` config whose topics are `prefix` + the default names; `extra_kafka` and
    `extra_state` are added to its `kafka` and `state` sections."""
    topics = {key: prefix + name for name, key in TOPIC_KEYS.items()}
    topics["changelog"] = prefix + "cxpulse-changelog"
    kafka = {
        "bootstrap_servers": bootstrap, "group_id": group, "instance_id": instance,
        "idle_watermark_after": idle, "commit_interval": "100ms", "topics": topics,
        "consumer_properties": {"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"},
    }
    if PREFETCH_KB is not None:
        kafka["prefetch_kb"] = PREFETCH_KB
    kafka.update(extra_kafka or {})
    config = {"state": {"dir": state_dir, **(extra_state or {})}, "kafka": kafka,
              "http": {"listen": f"127.0.0.1:{free_port()}"}}
    if PROCESSING_THREADS is not None:
        config["processing"] = {"threads": PROCESSING_THREADS}
    if rules:
        config["rules"] = rules
    with open(path, "w") as f:
        json.dump(config, f, indent=2)  # JSON is YAML
    return path



def prepare_input(args, customers, partitions, **generate_options):
    """Generated traffic plus one tail event per partition, written to the work dir, and the
    reference for it: `cxpulse replay`'s (alerts, signals, state dir)."""
    work = args.work_dir
    lines = generate(args.cxpulse, os.path.join(work, "generated.jsonl"), customers, args.seed,
                     **generate_options)
    lines += tail_events(lines, partitions)
    input_path = os.path.join(work, "input.jsonl")
    write_jsonl(input_path, lines)
    return lines, input_path, replay(args.cxpulse, input_path, os.path.join(work, "replay"))

# --- Kafka --------------------------------------------------------------------------------------

def fresh_prefix(name):
    return f"it.{name}.{uuid.uuid4().hex[:8]}."


def fresh_topics(bootstrap, name, partitions):
    """Creates a test's own topics under a fresh prefix; returns (prefix, consumer group)."""
    prefix = fresh_prefix(name)
    create_topics(bootstrap, prefix, partitions)
    return prefix, prefix + "group"


def create_topics(bootstrap, prefix, partitions, names=INPUTS + OUTPUTS):
    """Creates prefix + each of `names` and waits until the metadata lists them all."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = [NewTopic(prefix + t, partitions, 1) for t in names]
    for topic, future in admin.create_topics(topics, operation_timeout=30).items():
        future.result(60)
    wait_for("topic metadata", lambda: all(
        prefix + t in admin.list_topics(timeout=10).topics for t in names), 30)


def _consumer(bootstrap, group=None, isolation="read_committed"):
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group or f"it-reader-{uuid.uuid4().hex}",
                     "enable.auto.commit": False, "isolation.level": isolation,
                     "enable.partition.eof": True, "auto.offset.reset": "earliest"})


class Progress:
    """Reads a group's committed offsets and the end offsets of the inputs (one consumer, kept)."""

    def __init__(self, bootstrap, group, prefix, partitions):
        # read_uncommitted: a read_committed consumer asks for stable offsets and so blocks
        # while a transaction with offsets is open (a killed instance's: until it is fenced).
        self.consumer = _consumer(bootstrap, group, "read_uncommitted")
        self.tps = [TopicPartition(prefix + t, p) for t in INPUTS for p in range(partitions)]

    def read(self):
        """{(topic, partition): (committed offset, end offset)}."""
        committed = self.consumer.committed(self.tps, timeout=10)
        out = {}
        for tp in committed:
            _, high = self.consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition),
                                                          timeout=10, cached=False)
            out[(tp.topic, tp.partition)] = (max(tp.offset, 0), high)
        return out

    def committed(self):
        """Committed events over all inputs."""
        return sum(max(tp.offset, 0) for tp in self.consumer.committed(self.tps, timeout=10))

    def fraction(self):
        return progress_fraction(self.read())

    def close(self):
        self.consumer.close()


def input_progress(bootstrap, group, prefix, partitions):
    progress = Progress(bootstrap, group, prefix, partitions)
    try:
        return progress.read()
    finally:
        progress.close()


def progress_fraction(progress):
    done = sum(c for c, _ in progress.values())
    total = sum(h for _, h in progress.values())
    return done / total if total else 1.0


def wait_caught_up(bootstrap, group, prefix, partitions, timeout, processors=()):
    """Waits until the group committed every input partition's end offset (the outputs of those
    events are then committed too: they are in the same transactions)."""
    def caught_up():
        for p in processors:
            if not p.alive():
                raise RuntimeError(p.exit_summary())
        try:
            progress = input_progress(bootstrap, group, prefix, partitions)
        except KafkaException:
            return False
        return all(c >= h for c, h in progress.values())
    wait_for("the processor to commit all input", caught_up, timeout, interval=0.25)


def read_outputs(bootstrap, prefix, work_dir):
    """(alerts, signals, dead letters) of a test's output topics; also saved in `work_dir`."""
    out = []
    for name in ("cx.alerts", "cx.signals", "cx.deadletter"):
        values = read_topic(bootstrap, prefix + name)
        write_jsonl(os.path.join(work_dir, f"live-{name[3:]}.jsonl"), values)
        out.append(values)
    return tuple(out)


def read_topic(bootstrap, topic, timeout=60, with_keys=False, with_positions=False):
    """Every record of `topic` under read_committed, up to its end: each partition is read until
    it reports end-of-partition at or past its end offset, asked from the broker (not librdkafka's
    cache, which is unset until the first fetch). The end offset is read_uncommitted's high
    watermark, so a transaction still open (a killed instance's, until the broker aborts it)
    cannot hide committed records behind it. With `with_keys`, (key, value) pairs; with
    `with_positions`, (partition, offset, key, value) tuples."""
    consumer = _consumer(bootstrap)
    ends = _consumer(bootstrap, isolation="read_uncommitted")
    try:
        metadata = consumer.list_topics(topic, timeout=10).topics[topic]
        tps = [TopicPartition(topic, p, 0) for p in metadata.partitions]
        consumer.assign(tps)
        values = []
        at_end = {}  # partition -> offset at which it last reported end-of-partition
        deadline = time.monotonic() + timeout
        while True:
            for msg in consumer.consume(1000, 0.2):
                if msg.error() is None and with_positions:
                    key = msg.key().decode() if msg.key() is not None else None
                    values.append((msg.partition(), msg.offset(), key, msg.value().decode()))
                elif msg.error() is None and with_keys:
                    key = msg.key().decode() if msg.key() is not None else None
                    values.append((key, msg.value().decode()))
                elif msg.error() is None:
                    values.append(msg.value().decode())
                elif msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end[msg.partition()] = msg.offset()
            done = True
            for tp in tps:
                if tp.partition not in at_end:
                    done = False
                    continue
                _, high = ends.get_watermark_offsets(tp, timeout=10, cached=False)
                if at_end[tp.partition] < high:
                    done = False
            if done:
                return values
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{topic}: not at its end under read_committed after {timeout} s")
    finally:
        consumer.close()
        ends.close()


def check_equals_replay(checks, args, prefix, reference, label="replay", lines=None,
                        state_dirs=(), expected_dead=None, sample_size=150):
    """The shared end of every "run -> catch up -> compare with replay" test: reads the test's
    output topics (after wait_caught_up) and checks them against `reference`, prepare_input's
    (alerts, signals, replay state dir): alerts and signals as multisets, the dead-letter count
    when `expected_dead` is given, and a sample of `lines`' customers' states in `state_dirs`."""
    expected_alerts, expected_signals, replay_state = reference
    alerts, signals, dead = read_outputs(args.bootstrap, prefix, args.work_dir)
    diff = multiset_diff(alerts, expected_alerts)
    checks.check(f"alerts == {label} ({len(alerts)})", not diff, diff)
    diff = multiset_diff(signals, expected_signals)
    checks.check(f"signals == {label} ({len(signals)})", not diff, diff)
    if expected_dead is not None:
        checks.check(f"dead letters == {label}'s ({len(dead)})", len(dead) == expected_dead,
                     f"{len(dead)} vs {expected_dead}")
    if lines and state_dirs:
        customers = sample(customers_of(lines), sample_size, args.seed)
        diffs = compare_states(args.cxpulse, customers, list(state_dirs), replay_state)
        checks.check(f"customer states equal {label}'s ({len(customers)} sampled)", not diffs,
                     "\n  ".join(diffs[:5]))
    return alerts, signals, dead


def check_inputs_hold(checks, bootstrap, prefix, lines, partitions):
    """Checks that the input topics hold `lines` as produce_jsonl routed them: each partition's
    keyed records are that partition's lines in file order, and every keyless line (a bad one,
    which the producer's partitioner spreads at random) is there. A record repeated later in its
    partition is allowed and counted: the idempotent producer sends a batch again with a new
    epoch when a broker restart cut it off (seen: 7 clicks written twice), and the processor's
    dedup must drop it, as it drops the file's own duplicates. A record reordered within its
    partition, or one that is not in the file, fails the check.

    A line the topics do not hold at all (the producer reported it delivered, the broker's log
    lacks it: seen once, one call event at a broker restart, with Debian's librdkafka 2.0.2 under
    the test producer) is not a processor fault and no comparison with a replay of the whole file
    can pass then: it is logged with its offset neighbours, and its index in `lines` returned, so
    that the caller compares the outputs with a replay of the lines the topics do hold.
    Returns the sorted indexes of the lost lines."""
    import produce_jsonl
    expected = collections.defaultdict(list)  # (topic, partition) -> [(index, keyed line)]
    expected_keyless = collections.defaultdict(list)  # (topic, line) -> [index]
    for index, text in enumerate(lines):
        raw = text.encode().rstrip(b"\r\n")  # as produce_jsonl reads its file
        line = raw.decode()
        topic, key, _ = produce_jsonl.route(raw, prefix)
        if key is None:
            expected_keyless[(topic, line)].append(index)
        else:
            expected[(topic, (murmur2(key) & 0x7FFFFFFF) % partitions)].append((index, line))
    problems = []
    lost = []  # (index in lines, where)
    repeated = 0
    for name in INPUTS:
        topic = prefix + name
        actual = collections.defaultdict(list)  # partition -> [(offset, keyed line)]
        keyless = collections.Counter()
        for partition, offset, key, value in read_topic(bootstrap, topic, 120,
                                                        with_positions=True):
            if key is None:
                keyless[(topic, value)] += 1
            else:
                actual[partition].append((offset, value))
        for partition in range(partitions):
            want = expected.get((topic, partition), [])
            seen = set()
            matched = 0
            for offset, value in actual.get(partition, []):
                if matched < len(want) and value == want[matched][1]:
                    seen.add(value)
                    matched += 1
                    continue
                if value in seen:
                    repeated += 1
                    continue
                # A later line of the partition: the ones before it were lost, unless one of
                # them turns up after it (then it was reordered, below).
                later = next((k for k in range(matched + 1, len(want)) if want[k][1] == value),
                             None)
                if later is None:
                    problems.append(
                        f"{topic} [{partition}] offset {offset}: {value[:160]} where line "
                        f"{matched} of the partition's was due: "
                        f"{want[matched][1][:160] if matched < len(want) else '(none left)'}")
                    break
                lost += [(want[k][0], f"{topic} [{partition}] before offset {offset}, the "
                                      f"partition's record {k + 1}") for k in range(matched, later)]
                seen.add(value)
                matched = later + 1
            else:
                lost += [(want[k][0], f"{topic} [{partition}] after its last offset, the "
                                      f"partition's record {k + 1}")
                         for k in range(matched, len(want))]
        for (keyless_topic, line), indexes in expected_keyless.items():
            if keyless_topic == topic and keyless[(topic, line)] < len(indexes):
                lost += [(i, f"{topic}, keyless") for i in
                         indexes[keyless[(topic, line)]:]]
    if repeated:
        log(f"the input topics hold {repeated} records twice (sent again by the producer)")
    for index, where in sorted(lost):
        log(f"NOTE the input topics lack line {index + 1} of the input file ({where}), which the "
            f"producer reported delivered: {lines[index][:200]}")
    if lost:
        log(f"NOTE {len(lost)} input line(s) lost by the test's producer or the broker; the "
            "outputs are compared with a replay of the lines the input topics hold")
    checks.check(f"the input topics hold the input file's {len(lines)} lines, each partition's "
                 f"in file order ({len(lost)} lost by the producer or the broker)",
                 not problems, "\n  ".join(problems[:8]))
    return sorted(index for index, _ in lost)


def run_until_caught_up(args, group, prefix, partitions, processors, timeout=240):
    """Starts `processors` (those not running), waits until each is ready (/readyz) and the group
    committed all input, then stops them all; returns their exit codes."""
    try:
        for p in processors:
            if not p.alive():
                p.start()
        for p in processors:
            p.wait_ready()
        wait_caught_up(args.bootstrap, group, prefix, partitions, timeout, processors)
    finally:
        codes = [p.stop() for p in processors]
    return codes


# --- comparisons --------------------------------------------------------------------------------

def multiset_diff(actual, expected, limit=3):
    """'' when equal as multisets of whole lines, else a short description of the difference."""
    a, e = collections.Counter(actual), collections.Counter(expected)
    if a == e:
        return ""
    missing, extra = e - a, a - e
    parts = [f"{len(actual)} lines vs {len(expected)} expected; {sum(missing.values())} missing, "
             f"{sum(extra.values())} extra"]
    for line, n in list(missing.items())[:limit]:
        parts.append(f"missing x{n}: {line[:300]}")
    for line, n in list(extra.items())[:limit]:
        parts.append(f"extra x{n}: {line[:300]}")
    return "\n  ".join(parts)


def state_json(cxpulse, state_dir, customer, config=None):
    """`cxpulse state get` of one customer; None when the state dir has none."""
    cmd = [cxpulse, "-q", "state", "get", "--state-dir", state_dir, customer]
    if config:
        cmd += ["--config", config]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    note_sanitizer_output("cxpulse state get", result.stderr)
    if result.returncode != 0:
        if "no state for that customer" in result.stderr:
            return None
        raise RuntimeError(f"state get {customer} in {state_dir}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def states(cxpulse, customers, state_dirs, config=None):
    """{customer: state JSON or None}; a customer's state is in whichever of `state_dirs` has it
    (instances' shards). One process at a time per dir: RocksDB locks it."""
    out = {}
    for customer in customers:
        for d in state_dirs:
            out[customer] = state_json(cxpulse, d, customer, config)
            if out[customer] is not None:
                break
    return out


def compare_states(cxpulse, customers, actual_dirs, expected_dir, config=None):
    """Compares `state get` of each customer with the reference state dir. Returns a list of
    difference descriptions."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        actual = pool.submit(states, cxpulse, customers, actual_dirs, config)
        expected = pool.submit(states, cxpulse, customers, [expected_dir], config)
        actual, expected = actual.result(), expected.result()
    if sum(1 for c in customers if expected[c] is not None) < len(customers) // 2:
        return ["fewer than half of the sampled customers have a reference state"]
    return [f"{c}: live {json.dumps(actual[c])[:500]}\n    replay {json.dumps(expected[c])[:500]}"
            for c in customers if actual[c] != expected[c]]


def sample(items, n, seed):
    items = sorted(items)
    return items if len(items) <= n else random.Random(seed).sample(items, n)
