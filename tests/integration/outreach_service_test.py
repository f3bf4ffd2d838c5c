"""`cxpulse outreach` on a real broker (SPEC §7): alerts from `cxpulse replay` of generated
traffic go to a fresh cx.alerts; two instances read it and a fresh cx.outreach and must serve
identical /cases; two reps claim the same case at once, one against each instance: exactly one
200, the other 409 naming the owner; release/resolve by the other rep 409, resolve by the owner
200; 401 without identity; bad commands (404, 400, 409) write nothing to cx.outreach; while more
alerts stream in live, both instances keep answering and agree after every chunk; after kill -9
and a restart an instance serves the same queue once caught up. Also measures the claim round
trip (p50/p99 over sequential claims) and the time to rebuild the queue at start."""
import collections
import concurrent.futures
import json
import os
import threading
import time
import urllib.error
import urllib.request

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

import itlib
from itlib import log

PARTITIONS = 3
CUSTOMERS = 600
STREAM_CUSTOMERS = 300
STREAM_CHUNKS = 4
STREAM_RATE = 150  # alerts per second
CLAIMS = 200
TOKENS = {"ana": "tok-ana-7f3a", "ben": "tok-ben-91c2"}
ENV = {"IT_TOKEN_ANA": TOKENS["ana"], "IT_TOKEN_BEN": TOKENS["ben"]}


class Outreach(itlib.Processor):
    """One `cxpulse outreach` process."""

    def start(self):
        self.starts += 1
        with open(self.log_path, "a") as f:
            f.write(f"===== start {self.starts} =====\n")
        self.log_file = open(self.log_path, "a")
        env = dict(os.environ, **ENV)
        self.started_at = time.monotonic()
        self.proc = itlib.subprocess.Popen(
            [self.cxpulse, "outreach", "--config", self.config_path],
            stdout=self.log_file, stderr=itlib.subprocess.STDOUT, env=env)
        return self

    def listen(self):
        with open(self.config_path) as f:
            return json.load(f)["outreach"]["listen"]

    def call(self, method, path, rep=None, body=None, headers=None):
        """(status, parsed JSON body) of one request as `rep` (a bearer token)."""
        request = urllib.request.Request(f"http://{self.listen()}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode())
        if rep:
            request.add_header("Authorization", f"Bearer {TOKENS[rep]}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def cases(self):
        status, body = self.call("GET", "/cases", "ana")
        assert status == 200, (status, body)
        return body["cases"]


def write_config(path, bootstrap, prefix, port):
    config = {
        "kafka": {"bootstrap_servers": bootstrap},
        "outreach": {
            "topics": {"alerts": prefix + "cx.alerts", "commands": prefix + "cx.outreach"},
            "listen": f"127.0.0.1:{port}",
            "identity_header": "X-Forwarded-User",
            "reps": [{"name": "ana", "token_env": "IT_TOKEN_ANA"},
                     {"name": "ben", "token_env": "IT_TOKEN_BEN"}],
        },
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def produce_alerts(bootstrap, topic, alerts):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for line in alerts:
        customer = json.loads(line)["customer_id"]
        while True:
            try:
                producer.produce(topic, value=line.encode(), key=customer.encode(),
                                 partition=itlib.partition_of(customer, PARTITIONS))
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                producer.poll(0.1)
    assert producer.flush(60) == 0


def streamed_alerts(args, work):
    """Alerts of another customer population (ids d-…), for the stream phase."""
    lines = itlib.generate(args.cxpulse, os.path.join(work, "stream-gen.jsonl"), STREAM_CUSTOMERS,
                           args.seed + 1)
    lines = [line.replace('"customer_id":"c-', '"customer_id":"d-') for line in lines]
    itlib.write_jsonl(os.path.join(work, "stream.jsonl"), lines)
    alerts, _, _ = itlib.replay(args.cxpulse, os.path.join(work, "stream.jsonl"),
                                os.path.join(work, "stream-replay"))
    return alerts


def stream_and_compare(checks, bootstrap, topic, alerts, instances):
    """Produces `alerts` in STREAM_CHUNKS chunks at STREAM_RATE per second while both instances
    are live, reading /cases from both all along; after each chunk both must agree."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    stop = threading.Event()
    answers = collections.Counter()

    def read_all_along():
        while not stop.is_set():
            for inst in instances:
                answers[inst.call("GET", "/cases", "ana")[0]] += 1

    reader = threading.Thread(target=read_all_along)
    reader.start()
    agreed = 0
    try:
        size = (len(alerts) + STREAM_CHUNKS - 1) // STREAM_CHUNKS
        for start in range(0, len(alerts), size):
            for line in alerts[start:start + size]:
                customer = json.loads(line)["customer_id"]
                producer.produce(topic, value=line.encode(), key=customer.encode(),
                                 partition=itlib.partition_of(customer, PARTITIONS))
                producer.poll(0)
                time.sleep(1 / STREAM_RATE)
            assert producer.flush(60) == 0
            itlib.wait_for("both instances to agree after a chunk of the stream",
                           lambda: instances[0].cases() == instances[1].cases(), 20, 0.2)
            agreed += 1
    finally:
        stop.set()
        reader.join()
    checks.check(f"under a stream of {len(alerts)} alerts both instances show identical queues "
                 f"({agreed} checkpoints)", agreed == STREAM_CHUNKS)
    checks.check(f"/cases answered 200 all along the stream ({sum(answers.values())} reads)",
                 set(answers) == {200}, str(dict(answers)))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines = itlib.generate(args.cxpulse, os.path.join(work, "input.jsonl"), CUSTOMERS, args.seed)
    alerts, _, _ = itlib.replay(args.cxpulse, os.path.join(work, "input.jsonl"),
                                os.path.join(work, "replay"))
    log(f"{len(lines)} events -> {len(alerts)} alerts")
    prefix = itlib.fresh_prefix("outreach")
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    topics = [NewTopic(prefix + t, PARTITIONS, 1) for t in ("cx.alerts", "cx.outreach")]
    for future in admin.create_topics(topics, operation_timeout=30).values():
        future.result(60)
    produce_alerts(args.bootstrap, prefix + "cx.alerts", alerts)

    port_a = int(os.environ.get("CXPULSE_IT_HTTP_PORT", "0")) or itlib.free_port()
    port_b = port_a + 1 if "CXPULSE_IT_HTTP_PORT" in os.environ else itlib.free_port()
    a = Outreach(args.cxpulse, write_config(os.path.join(work, "a.json"), args.bootstrap, prefix,
                                            port_a), os.path.join(work, "a.log")).start()
    b = Outreach(args.cxpulse, write_config(os.path.join(work, "b.json"), args.bootstrap, prefix,
                                            port_b), os.path.join(work, "b.log")).start()
    try:
        a.wait_ready(120)
        b.wait_ready(120)
        rebuild = a.metric("cxpulse_outreach_rebuild_seconds")
        log(f"rebuild of {len(alerts)} alerts at start: {rebuild:.3f} s")
        cases_a = a.cases()
        checks.check("the queue has cases", len(cases_a) > 10, f"{len(cases_a)} cases")
        checks.check("both instances serve identical /cases", cases_a == b.cases())

        checks.check("401 without identity", a.call("GET", "/cases")[0] == 401)
        checks.check("401 with an unknown token",
                     a.call("GET", "/cases", headers={"Authorization": "Bearer nope"})[0] == 401)
        status, _ = a.call("GET", "/cases?owner=me", headers={"X-Forwarded-User": "carla"})
        checks.check("the identity header names a rep", status == 200)

        target = cases_a[0]["case_id"]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            fa = pool.submit(a.call, "POST", f"/cases/{target}/claim", "ana")
            fb = pool.submit(b.call, "POST", f"/cases/{target}/claim", "ben")
            (sa, ba), (sb, bb) = fa.result(), fb.result()
        checks.check("concurrent claims: exactly one 200 and one 409",
                     sorted([sa, sb]) == [200, 409], f"{sa} {ba} / {sb} {bb}")
        winner, loser, lose_inst = ("ana", "ben", b) if sa == 200 else ("ben", "ana", a)
        conflict = bb if sa == 200 else ba
        checks.check("the 409 names the owner", conflict.get("owner") == winner, str(conflict))

        records_before = len(itlib.read_topic(args.bootstrap, prefix + "cx.outreach"))
        bad = [
            (lose_inst.call("POST", f"/cases/{target}/resolve", loser, {"outcome": "reached"}), 409),
            (lose_inst.call("POST", f"/cases/{target}/release", loser), 409),
            (a.call("POST", f"/cases/{target}/resolve", winner, {"note": "x"}), 400),
            (a.call("POST", f"/cases/{target}/resolve", winner, {"outcome": "maybe"}), 400),
            (a.call("POST", "/cases/no-such-case/claim", winner), 404),
            (a.call("POST", f"/cases/{target}/claim"), 401),
        ]
        for i, ((status, body), expected) in enumerate(bad):
            checks.check(f"bad command {i} answers {expected} with a reason",
                         status == expected and body.get("error"), f"{status} {body}")
        records_after = len(itlib.read_topic(args.bootstrap, prefix + "cx.outreach"))
        checks.check("bad commands write nothing to cx.outreach", records_after == records_before,
                     f"{records_before} -> {records_after}")
        status, body = b.call("POST", f"/cases/{target}/resolve", winner,
                              {"outcome": "reached", "note": "called back"})
        checks.check("resolve by the owner: 200 resolved",
                     status == 200 and body.get("status") == "resolved", f"{status} {body}")

        open_cases = [c["case_id"] for c in a.cases() if c["status"] == "open"]
        times = []
        for i in range(CLAIMS):
            case = open_cases[i % len(open_cases)]
            inst = a if i % 2 == 0 else b
            started = time.monotonic()
            status, body = inst.call("POST", f"/cases/{case}/claim", "ana")
            times.append(time.monotonic() - started)
            if status != 200:
                checks.check(f"claim {i}", False, f"{status} {body}")
                break
            inst.call("POST", f"/cases/{case}/release", "ana")
        log(f"claim round trip over {len(times)} claims: p50 {percentile(times, 50) * 1000:.1f} ms,"
            f" p99 {percentile(times, 99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
        checks.check(f"{CLAIMS} claims answered", len(times) == CLAIMS)

        itlib.wait_for("both instances to agree", lambda: a.cases() == b.cases(), 20)
        stream = streamed_alerts(args, work)
        stream_and_compare(checks, args.bootstrap, prefix + "cx.alerts", stream, [a, b])
        checks.check("the streamed alerts opened cases",
                     any(c["customer_id"].startswith("d-") for c in a.cases()))
        before = a.cases()
        b.kill9()
        b.start()
        b.wait_ready(120)
        checks.check("after kill -9 and restart the queue is the same", b.cases() == before)
        log(f"rebuild after restart: {b.metric('cxpulse_outreach_rebuild_seconds'):.3f} s")
        checks.check("the resolved case stays resolved",
                     b.call("GET", f"/cases/{target}", "ben")[1].get("outcome") == "reached")
        metrics = a.http_get("/metrics")[1]
        checks.check("/metrics counts the folded commands",
                     'cxpulse_outreach_commands_total{command="claim",verdict="accepted"}' in metrics)
    finally:
        for inst in (a, b):
            code = inst.stop()
            checks.check(f"{inst.listen()} exits 0 on SIGTERM", code == 0, str(code))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
