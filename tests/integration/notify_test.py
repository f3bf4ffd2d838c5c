"""The notifiers of `cxpulse outreach` on a real broker against real receivers (SPEC §8).

Receivers are Python http.server instances in this process (tests/integration/http_receiver.py):
a webhook that fails the first 2 requests per key with 503, a Slack receiver over TLS (a
self-signed certificate made here, trusted through notify.ca_file), a proactive-chat receiver
that answers its first request 429 with Retry-After: 2, one that answers 400, a port where
nothing listens, one that never answers, an escalation receiver, and a fast webhook for the
throughput figures. Synthetic alerts (one customer each) go to a fresh cx.alerts; checks: every
alert reaches its route's receiver with one 2xx per Idempotency-Key (= alert_id), retries back
off, a 4xx is not retried, the 429 pause is honoured, the 400s, the dead and the hanging
endpoint end in the notify dead letters with cause and last error, the case fold opens cases
only for alerts routed to cases and keeps answering /cases and folding new alerts while an
endpoint hangs, critical cases escalate to the escalation receiver keyed by case_id, the
consumer group commits every offset once all is finished, and no customer id is logged. Then it
measures notifications/s and alert-commit -> receiver latency p50/p99 per destination."""
import json
import os
import subprocess
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import itlib
from http_receiver import Receiver, make_certificate
from itlib import log

PARTITIONS = 3
# Receivers and the outreach listener take 8 ports from here (the default suits a broker on
# 19340, whose controller takes 19341); the dead endpoint is a free port nobody listens on.
BASE_PORT = int(os.environ.get("CXPULSE_IT_NOTIFY_PORT", "19342"))
BENCH_WEBHOOK = int(os.environ.get("CXPULSE_IT_NOTIFY_BENCH", "2000"))
BENCH_SLACK = int(os.environ.get("CXPULSE_IT_NOTIFY_BENCH_TLS", "500"))


def alert(run, kind, i, severity="warning", tier="standard"):
    customer = f"cust-{run}-{kind}-{severity}-{tier}-{i}"
    return {
        "alert_id": f"al-{run}-{kind}-{severity}-{tier}-{i}", "customer_id": customer,
        "kind": kind, "severity": severity, "ts": itlib.iso(int(time.time() * 1000)),
        "tier": tier, "reasons": [{"code": "test", "detail": "no agent reply for 180 s",
                                   "event_ids": ["e-1"]}],
        "effort_score": 10, "risk_score": 0, "recommended_action": "callback"}


def produce(bootstrap, topic, alerts, offsets=None):
    """Produces `alerts`; returns {alert_id: time.time() of the broker's acknowledgement}. With
    `offsets` (a dict), also fills it with {alert_id: (partition, offset)}."""
    acked = {}
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    for a in alerts:
        key = a["customer_id"]

        def on_delivery(err, msg, alert_id=a["alert_id"]):
            if err is None:
                acked[alert_id] = time.time()
                if offsets is not None:
                    offsets[alert_id] = (msg.partition(), msg.offset())

        while True:
            try:
                producer.produce(topic, value=json.dumps(a).encode(), key=key.encode(),
                                 partition=itlib.partition_of(key, PARTITIONS),
                                 on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    assert producer.flush(60) == 0
    return acked


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def committed_offsets(bootstrap, group, topic):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "enable.auto.commit": False})
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return [tp.offset for tp in consumer.committed(parts, timeout=10)]
    finally:
        consumer.close()


def committed_all(bootstrap, group, topic):
    """True when `group` has committed the end offset of every partition of `topic`."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group,
                         "enable.auto.commit": False})
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        committed = consumer.committed(parts, timeout=10)
        for tp in committed:
            _, high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=10)
            if tp.offset != high:
                return False
        return True
    finally:
        consumer.close()


class Outreach(itlib.Processor):
    def start(self):
        self.starts += 1
        self.log_file = open(self.log_path, "a")
        self.proc = subprocess.Popen([self.cxpulse, "outreach", "--config", self.config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **self.env))
        return self

    def listen(self):
        with open(self.config_path) as f:
            return json.load(f)["outreach"]["listen"]

    def cases(self):
        request = urllib.request.Request(f"http://{self.listen()}/cases",
                                         headers={"X-Forwarded-User": "ana"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
        return body["cases"], time.monotonic() - started


def config(prefix, cert, listen):
    return {
        "kafka": {"bootstrap_servers": None},
        "outreach": {"topics": {"alerts": prefix + "cx.alerts", "commands": prefix + "cx.outreach"},
                     "listen": listen, "identity_header": "X-Forwarded-User",
                     "escalate_after": "1s"},
        "notify": {
            "group_id": prefix + "notify", "deadletter_topic": prefix + "cx.notify.deadletter",
            "start_from": "earliest", "give_up_after": "6s", "request_timeout": "2s",
            "backoff_initial": "300ms", "backoff_max": "2s",
            "public_url": "https://cx.example.test", "ca_file": cert,
            "destinations": {
                "webhook": {"url_env": "IT_FLAKY_URL", "token_env": "IT_WEBHOOK_TOKEN",
                            "concurrency": 8, "rate_per_second": 5000},
                "slack": {"url_env": "IT_SLACK_URL", "concurrency": 8, "rate_per_second": 5000},
                "proactive_chat": {"url_env": "IT_CHAT_URL", "concurrency": 1,
                                   "rate_per_second": 5000},
                "escalation": {"url_env": "IT_ESCALATION_URL"}}},
        "routes": [
            {"match": {"kind": "needs_help", "tier": "vip"}, "destination": "webhook",
             "url_env": "IT_FAST_URL"},
            {"match": {"kind": "repeat_contact", "severity": "warning"}, "destination": "webhook"},
            {"match": {"kind": "sla_breach", "severity": "critical"}, "destination": "slack"},
            {"match": {"kind": "low_score"}, "destination": "webhook", "url_env": "IT_REJECT_URL"},
            {"match": {"kind": "at_risk"}, "destination": "webhook", "url_env": "IT_DEAD_URL"},
            {"match": {"kind": "high_effort"}, "destination": "webhook", "url_env": "IT_HANG_URL"},
        ],
    }


def write(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
    return path


def check_dry_run(checks, args, base, env):
    """--dry-run prints the routing table (env names, no secret path); bad routes exit 2."""
    good = write(os.path.join(args.work_dir, "good.json"), base)
    out = subprocess.run([args.cxpulse, "outreach", "--config", good, "--dry-run"],
                         capture_output=True, text=True, env=env, timeout=60)
    checks.check("--dry-run exits 0 and prints the routing table",
                 out.returncode == 0 and "routes[2]" in out.stdout and "$IT_SLACK_URL" in out.stdout
                 and "default" in out.stdout, out.stdout + out.stderr)
    checks.check("--dry-run never prints an endpoint's path", "secret-path" not in out.stdout)
    log("routing table:\n" + out.stdout)
    bad_cases = [
        ("unknown destination", lambda c: c["routes"][0].update(destination="slak"),
         "unknown destination 'slak'; did you mean slack?"),
        ("unknown kind", lambda c: c["routes"][0]["match"].update(kind="sla_breech"),
         "did you mean sla_breach?"),
        ("shadowed route", lambda c: c["routes"].insert(0, {"destination": "cases"}),
         "routes[1]: can never match: routes[0] matches everything it matches"),
        ("not http(s)", lambda c: c["routes"][3].update(url_env="IT_FTP_URL"),
         "routes[3]: url is not http(s)"),
    ]
    for name, change, expected in bad_cases:
        bad = json.loads(json.dumps(base))
        change(bad)
        path = write(os.path.join(args.work_dir, "bad.json"), bad)
        out = subprocess.run([args.cxpulse, "outreach", "--config", path, "--dry-run"],
                             capture_output=True, text=True, env=env, timeout=60)
        checks.check(f"bad config ({name}) exits 2 with a one-line reason",
                     out.returncode == 2 and expected in out.stderr, f"{out.returncode} {out.stderr}")


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    cert = make_certificate(work)
    ports = {name: BASE_PORT + i for i, name in enumerate(
        ["flaky", "slack", "chat", "reject", "hang", "escalation", "fast", "outreach"])}
    ports["dead"] = itlib.free_port()
    receivers = {
        "flaky": Receiver(ports["flaky"], fail_first=2).start(),
        "slack": Receiver(ports["slack"], cert=cert).start(),
        "chat": Receiver(ports["chat"], retry_after=2).start(),
        "reject": Receiver(ports["reject"], status=400).start(),
        "hang": Receiver(ports["hang"], hang=True).start(),
        "escalation": Receiver(ports["escalation"]).start(),
        "fast": Receiver(ports["fast"]).start(),
    }
    env = {f"IT_{name.upper()}_URL": r.url for name, r in receivers.items()}
    env["IT_DEAD_URL"] = f"http://127.0.0.1:{ports['dead']}/hook/secret-path"
    env["IT_WEBHOOK_TOKEN"] = "tok-webhook-5e1"
    env["IT_FTP_URL"] = "ftp://127.0.0.1/x"
    full_env = dict(os.environ, **env)

    prefix = itlib.fresh_prefix("notify")
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    topics = [NewTopic(prefix + "cx.alerts", PARTITIONS, 1),
              NewTopic(prefix + "cx.outreach", PARTITIONS, 1),
              NewTopic(prefix + "cx.notify.deadletter", 1, 1)]
    for future in admin.create_topics(topics, operation_timeout=30).values():
        future.result(60)
    base = config(prefix, cert[0], f"127.0.0.1:{ports['outreach']}")
    base["kafka"]["bootstrap_servers"] = args.bootstrap
    check_dry_run(checks, args, base, full_env)
    config_path = write(os.path.join(work, "outreach.json"), base)

    service = Outreach(args.cxpulse, config_path, os.path.join(work, "outreach.log"), env).start()
    service.group = prefix + "notify"
    alerts_topic = prefix + "cx.alerts"
    try:
        itlib.wait_for("outreach ready", lambda: service.http_get("/readyz")[0] == 200, 120)
        itlib.wait_for("the notify consumer assigned",
                       lambda: "notify: assigned" in service.log_text(), 60)
        batch = ([alert(1, "needs_help", i) for i in range(30)] +
                 [alert(1, "repeat_contact", i) for i in range(30)] +
                 [alert(1, "sla_breach", i, "critical") for i in range(20)] +
                 [alert(1, "low_score", i) for i in range(5)] +
                 [alert(1, "at_risk", i) for i in range(3)] +
                 [alert(1, "high_effort", i) for i in range(3)] +
                 [alert(1, "sla_breach", i) for i in range(20)] +
                 [alert(1, "repeat_contact", i, "critical") for i in range(5)])
        produce(args.bootstrap, alerts_topic, batch)
        log(f"produced {len(batch)} alerts")

        # While the hanging endpoint holds its requests: the fold answers and keeps folding.
        itlib.wait_for("a request held by the hanging endpoint",
                       lambda: len(receivers["hang"].snapshot()) > 0, 30)
        more = [alert(2, "sla_breach", i) for i in range(10)] + \
               [alert(2, "needs_help", i) for i in range(10)]
        produce(args.bootstrap, alerts_topic, more)
        hang_started = time.monotonic()
        itlib.wait_for("35 cases", lambda: len(service.cases()[0]) == 35, 20)
        folded_in = time.monotonic() - hang_started
        _, answer_s = service.cases()
        hanging = receivers["hang"].snapshot()
        checks.check("while an endpoint hangs, new alerts are folded into cases within 5 s",
                     folded_in < 5 and len(hanging) > 0, f"{folded_in:.2f} s")
        checks.check("while an endpoint hangs, /cases answers within 1 s", answer_s < 1,
                     f"{answer_s:.3f} s")
        cases, _ = service.cases()
        routed_to_cases = {a["customer_id"] for a in batch + more
                           if a["kind"] in ("sla_breach", "repeat_contact")
                           and (a["kind"], a["severity"]) in (("sla_breach", "warning"),
                                                               ("repeat_contact", "critical"))}
        checks.check("cases open only for alerts routed to cases",
                     {c["customer_id"] for c in cases} == routed_to_cases,
                     f"{len(cases)} cases, {len(routed_to_cases)} expected")

        dead_topic = prefix + "cx.notify.deadletter"
        itlib.wait_for("11 dead letters", lambda: len(itlib.read_topic(
            args.bootstrap, dead_topic, timeout=5)) >= 11, 60, interval=1)
        itlib.wait_for("every delivery", lambda: (
            len(receivers["chat"].delivered()) == 40 and len(receivers["flaky"].delivered()) == 30
            and len(receivers["slack"].delivered()) == 20
            and len(receivers["escalation"].delivered()) == 5), 60)
        time.sleep(2)  # anything sent twice would arrive now

        def exactly_once(name, expected_ids):
            delivered = receivers[name].delivered()
            checks.check(f"{name}: one 2xx per Idempotency-Key, for exactly the routed alerts",
                         set(delivered) == set(expected_ids)
                         and all(len(v) == 1 for v in delivered.values()),
                         f"{len(delivered)} keys, {len(expected_ids)} expected")
            return delivered

        chat_ids = [a["alert_id"] for a in batch + more if a["kind"] == "needs_help"]
        exactly_once("chat", chat_ids)
        flaky_ids = [a["alert_id"] for a in batch
                     if a["kind"] == "repeat_contact" and a["severity"] == "warning"]
        exactly_once("flaky", flaky_ids)
        slack_ids = [a["alert_id"] for a in batch if a["kind"] == "sla_breach"
                     and a["severity"] == "critical"]
        slack = exactly_once("slack", slack_ids)

        gaps1, gaps2 = [], []
        for key, entries in receivers["flaky"].by_key().items():
            t = sorted(e["t"] for e in entries)
            if len(t) == 3:
                gaps1.append(t[1] - t[0])
                gaps2.append(t[2] - t[1])
        checks.check("flaky webhook: 3 requests per key (2 failures, then delivered)",
                     len(gaps1) == 30, f"{len(gaps1)}")
        checks.check("retries back off: first retry >= 150 ms, second >= 300 ms, growing",
                     min(gaps1) >= 0.14 and min(gaps2) >= 0.29
                     and percentile(gaps2, 50) > percentile(gaps1, 50),
                     f"gap1 min {min(gaps1):.3f} p50 {percentile(gaps1, 50):.3f}; "
                     f"gap2 min {min(gaps2):.3f} p50 {percentile(gaps2, 50):.3f}")
        flaky_any = receivers["flaky"].snapshot()[0]
        checks.check("the webhook token is sent as a bearer token",
                     flaky_any["headers"].get("Authorization") == "Bearer tok-webhook-5e1")

        chat = sorted(receivers["chat"].snapshot(), key=lambda e: e["t"])
        checks.check("429: the next request waits Retry-After (2 s)",
                     chat[0]["status"] == 429 and chat[1]["t"] - chat[0]["t"] >= 1.95,
                     f"{chat[1]['t'] - chat[0]['t']:.3f} s")
        body = Receiver.json_body(chat[-1])
        checks.check("proactive_chat body offers a chat",
                     body.get("type") == "proactive_chat.offer"
                     and body.get("action") == "offer_chat" and body["alert"]["kind"] == "needs_help")

        entry = next(iter(slack.values()))[0]
        blocks = Receiver.json_body(entry)["blocks"]
        text = json.dumps(blocks)
        checks.check("slack over TLS: Block Kit with who, why, what to do and a link",
                     blocks[0]["type"] == "header" and "*Who*" in text and "*Why*" in text
                     and "*What to do*" in text and "https://cx.example.test/#customer=" in text,
                     text[:400])

        reject = receivers["reject"].by_key()
        checks.check("4xx: exactly one request per key (not retried)",
                     len(reject) == 5 and all(len(v) == 1 for v in reject.values()),
                     str({k: len(v) for k, v in reject.items()}))

        dead = [json.loads(v) for v in itlib.read_topic(args.bootstrap, dead_topic, timeout=5)]
        by_cause = {}
        for d in dead:
            by_cause.setdefault((d["cause"], d["endpoint"].rsplit(":", 1)[-1]), []).append(d)
        checks.check("dead letters: 5 rejected (HTTP 400, 1 attempt)",
                     len(by_cause.get(("rejected", str(ports["reject"])), [])) == 5 and all(
                         d["error"] == "HTTP 400" and d["attempts"] == 1
                         for d in by_cause[("rejected", str(ports["reject"]))]), str(by_cause.keys()))
        dead_port = by_cause.get(("gave_up", str(ports["dead"])), [])
        checks.check("dead letters: the dead endpoint gave up after retries with a connect error",
                     len(dead_port) == 3 and all("connect" in d["error"] and d["attempts"] >= 2
                                                 for d in dead_port),
                     json.dumps(dead_port)[:300])
        hung = by_cause.get(("gave_up", str(ports["hang"])), [])
        checks.check("dead letters: the hanging endpoint timed out and gave up",
                     len(hung) == 3 and all("timed out" in d["error"] for d in hung),
                     json.dumps(hung)[:300])
        checks.check("dead letters keep the body and hide the endpoint's path",
                     all(d["body"] and "secret-path" not in d["endpoint"] for d in dead))

        escalations = receivers["escalation"].delivered()
        critical_cases = {c["case_id"] for c in cases if c["severity"] == "critical"}
        checks.check("escalations: one per critical case, Idempotency-Key = case_id",
                     set(escalations) == critical_cases and len(critical_cases) == 5,
                     f"{sorted(escalations)} vs {sorted(critical_cases)}")
        checks.check("escalation body is case.escalated", all(
            Receiver.json_body(v[0]).get("type") == "case.escalated"
            for v in escalations.values()))

        itlib.wait_for("every offset committed",
                       lambda: committed_all(args.bootstrap, prefix + "notify", alerts_topic), 20)
        checks.check("the notify group committed every offset", True)
        metrics = service.http_get("/metrics")[1]
        for line in ('cxpulse_notify_deadletters_total{cause="gave_up",destination="webhook"} 6',
                     'cxpulse_notify_deadletters_total{cause="rejected",destination="webhook"} 5',
                     'cxpulse_notify_delivered_total{destination="proactive_chat"} 40',
                     'cxpulse_notify_delivered_total{destination="escalation"} 5'):
            checks.check(f"metric {line}", line in metrics)
        checks.check("no customer id in the log", "cust-" not in service.log_text())

        bench(checks, args, receivers, alerts_topic)
        crash_restart(checks, args, service, receivers, alerts_topic)
    finally:
        code = service.stop()
        checks.check("outreach exits 0 on SIGTERM", code == 0, str(code))
        for r in receivers.values():
            r.stop()


def produce_paced(bootstrap, topic, alerts, rate):
    """produce() at `rate` alerts/s: the latency of a notifier that is not queueing."""
    acked = {}
    for i, a in enumerate(alerts):
        due = i / rate
        started = time.monotonic() if i == 0 else started
        time.sleep(max(0.0, started + due - time.monotonic()))
        acked.update(produce(bootstrap, topic, [a]))
    return acked


def bench(checks, args, receivers, alerts_topic):
    """Notifications/s and alert-commit -> receiver latency per destination: a burst (throughput,
    latency under queueing) and a paced run at 20/s (the latency the notifier adds)."""
    runs = (("fast", "needs_help", "warning", BENCH_WEBHOOK, None),
            ("slack", "sla_breach", "critical", BENCH_SLACK, None),
            ("fast", "needs_help", "warning", 100, 20),
            ("slack", "sla_breach", "critical", 100, 20))
    for run, (name, kind, severity, count, rate) in enumerate(runs):
        alerts = [alert(10 + run, kind, i, severity, "vip") for i in range(count)]
        started = time.time()
        if rate:
            acked = produce_paced(args.bootstrap, alerts_topic, alerts, rate)
        else:
            acked = produce(args.bootstrap, alerts_topic, alerts)
        ids = {a["alert_id"] for a in alerts}
        itlib.wait_for(f"{count} deliveries to {name}", lambda: len(
            ids & set(receivers[name].delivered())) == count, 300, interval=0.5)
        delivered = receivers[name].delivered()
        arrivals = {k: delivered[k][0]["t"] for k in ids}
        latencies = [arrivals[k] - acked[k] for k in ids]
        elapsed = max(arrivals.values()) - started
        label = f"paced {rate}/s" if rate else "burst"
        log(f"BENCH {name} ({'TLS' if receivers[name].tls else 'plain'}, {label}): {count} "
            f"notifications in {elapsed:.2f} s = {count / elapsed:.0f}/s; alert commit -> "
            f"receiver p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 99) * 1000:.1f} ms")
        checks.check(f"bench {name} {label}: every notification delivered once",
                     all(len(delivered[k]) == 1 for k in ids))


def crash_restart(checks, args, service, receivers, alerts_topic):
    """kill -9 while notifications are in flight, then restart: nothing is lost (every alert
    delivered at least once) and the restart resumes from the committed offsets: nothing below
    them is sent again. What is sent again is everything from a partition's oldest unfinished
    record on (at least once), so one slow request makes that most of what was delivered after
    it (seen in CI: 7 committed, 156 delivered, 157 sent again)."""
    fast = receivers["fast"]
    fast.delay = 0.05  # 8 in flight -> about 160/s, so the kill lands mid-stream
    alerts = [alert(20, "needs_help", i, "warning", "vip") for i in range(600)]
    ids = {a["alert_id"] for a in alerts}
    start_offsets = committed_offsets(args.bootstrap, service.group, alerts_topic)
    offsets = {}
    produce(args.bootstrap, alerts_topic, alerts, offsets)
    itlib.wait_for("150 deliveries before the kill",
                   lambda: len(ids & set(fast.delivered())) >= 150, 60, interval=0.05)
    service.kill9()
    before = len(ids & set(fast.delivered()))
    at_kill = committed_offsets(args.bootstrap, service.group, alerts_topic)
    log(f"committed offsets before the phase {start_offsets}, at the kill {at_kill}")
    service.start()
    itlib.wait_for("all 600 delivered after the restart",
                   lambda: len(ids & set(fast.delivered())) == len(ids), 120, interval=0.5)
    delivered = fast.delivered()
    again = sum(len(delivered[k]) - 1 for k in ids)
    log(f"kill -9 after {before} of 600 delivered; after the restart {again} sent again")
    checks.check("kill -9 mid-stream: every alert delivered at least once after the restart",
                 all(k in delivered for k in ids))
    resent = [k for k in ids if len(delivered[k]) > 1]
    below = [offsets[k] for k in resent if offsets[k][1] < at_kill[offsets[k][0]]]
    checks.check("every alert's offset is known", set(offsets) == ids, f"{len(offsets)} of 600")
    checks.check("the restart resumes from committed offsets (nothing below them re-sent)",
                 not below, f"{len(below)} of {again} re-sent below the commit point "
                 f"{at_kill}, e.g. (partition, offset) {sorted(below)[:3]}")
    fast.delay = 0.0


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
