#!/usr/bin/python3
"""The real check of the dashboards and rules (ctest prometheus_live, label integration).

1. creates uniquely named topics on a running broker and starts `cxpulse run` on them with its
   HTTP listener (/metrics) on a free loopback port;
2. starts Debian's Prometheus on another free loopback port with its own config (scrape every
   1 s, job `cxpulse-metrics`, rule evaluation every 1 s, dashboards/prometheus/rules.yaml) and
   data directory;
3. produces generated traffic (struggling customers for breaches, at-risk customers and alerts;
   invalid lines for dead letters) at a steady rate, waits until the processor consumed all of
   it and the activity counters moved;
4. beside it runs `cxpulse outreach` (job `cxpulse-outreach`, the k8s Service's name) over the
   processor's alerts topic and a `cx.outreach` topic, rep identity from the X-Forwarded-User
   header as behind an authenticating proxy; once its queue has filled from the alerts, a rep
   claims and resolves cases (and a second rep's claim gets its 409), so the time-to-claim,
   outcome and command metrics move (the traffic is days old, so its critical cases have
   waited unclaimed for days and CxpulseCriticalCasesUnclaimed's expression is true);
5. runs every PromQL expression of every dashboard panel and every rule (and every recorded
   series) through /api/v1/query and fails on an error, an empty result, or a result of only
   NaN. The alerts in MAY_BE_EMPTY are false while the processor is healthy; for those the
   selectors inside the expression must return series instead.

usage: live_check.py --cxpulse BIN --prometheus BIN --work-dir DIR [--bootstrap HOST:PORT]
"""
import argparse
import datetime
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from confluent_kafka.admin import AdminClient, NewTopic

import promql_exprs as px

HERE = os.path.dirname(os.path.abspath(__file__))
PRODUCER = os.path.join(px.ROOT, "tests/integration/produce_jsonl.py")
INPUTS = {"clicks": "cx.clicks", "calls": "cx.calls", "chats": "cx.chats", "surveys": "cx.surveys"}
OUTPUTS = {"signals": "cx.signals", "alerts": "cx.alerts", "dead_letter": "cx.deadletter"}
COMMANDS = "cx.outreach"  # co-partitioned with cx.alerts (one partition each here)
IDENTITY_HEADER = "X-Forwarded-User"
PARTITIONS = 2
RATE = 1500  # records per second: the traffic lasts ~30 s, so 1m and 5m rates see it

# Alert expressions that are legitimately empty while a healthy processor keeps up, and why.
MAY_BE_EMPTY = {
    "CxpulseConsumerLagGrowing": "needs > 10000 records of lag growing for 10 minutes; the test's "
                                 "processor keeps up with its traffic",
    "CxpulseProcessorDown": "the scraped processor answers (up == 1)",
    "CxpulseProcessorsAbsent": "a cxpulse-metrics target exists (absent() is empty)",
    "CxpulseServiceLevelLow": "true only while the 5-minute service level is under 80 %; the "
                              "generated traffic may or may not get there",
    "CxpulseDeadLetterSpike": "true only while dead letters exceed 1 % of the input",
    "CxContactReasonSpike": "compares with the same hour on the previous 7 days; the test's "
                            "Prometheus holds minutes of data",
}
# Series that must show real activity (value > 0) after the traffic, not just exist at 0.
ACTIVITY = [
    "sum(cxpulse_sla_breached_total)", "sum(cxpulse_sla_met_total)",
    "sum(cxpulse_customers_at_risk)", "sum(cxpulse_alerts_total)",
    "sum(cxpulse_dead_letters_total)", "sum(cxpulse_repeat_contacts_total)",
    "sum(cxpulse_effort_score_count)", "sum(cxpulse_risk_score_count)",
    "sum(cxpulse_first_response_seconds_count)", "sum(cxpulse_event_to_alert_seconds_count)",
    'sum(cxpulse_commits_total{result="committed"})', "sum(cxpulse_customer_cache_customers)",
    'sum(cxpulse_outreach_records_total{log="alerts"})', "sum(cxpulse_outreach_open_cases)",
]
# Outreach series that must move once the rep commands of rep_commands() are read back.
OUTREACH_ACTIVITY = [
    "sum(cxpulse_outreach_time_to_claim_seconds_count)",
    "sum(cxpulse_outreach_time_to_resolve_seconds_count)",
    'sum(cxpulse_outreach_outcomes_total{outcome="reached"})',
    'sum(cxpulse_outreach_commands_total{command="claim",verdict="accepted"})',
    'sum(cxpulse_outreach_command_answers_total{status="409"})',
    'max(cxpulse_outreach_oldest_unclaimed_seconds{severity="critical"})',
]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_for(what, condition, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (OSError, urllib.error.URLError, ValueError, KeyError):
            value = None
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Prometheus:
    def __init__(self, binary, work, targets, rules):
        """targets: {scrape job name: "host:port"}."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            json.dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s",
                                  "evaluation_interval": "1s"},
                       "rule_files": [str(rules)],
                       "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [t]}]}
                                          for job, t in targets.items()]}, f)
        self.log_path = os.path.join(work, "prometheus.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={work}/prometheus-data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1d",
             "--log.level=warn"], stdout=self.log_file, stderr=subprocess.STDOUT)
        wait_for("Prometheus /-/ready", lambda: self.alive() and
                 http_get(self.url + "/-/ready").startswith("Prometheus"), 60)

    def alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"prometheus exited {self.proc.returncode}; see {self.log_path}")
        return True

    def api(self, path, **params):
        url = f"{self.url}/api/v1/{path}?" + urllib.parse.urlencode(params)
        try:
            body = http_get(url, timeout=30)
        except urllib.error.HTTPError as e:
            body = e.read().decode()
        return json.loads(body)

    def query(self, expr):
        """(error or None, result list)."""
        answer = self.api("query", query=expr)
        if answer.get("status") != "success":
            return answer.get("error", "unknown error"), []
        return None, answer["data"]["result"]

    def value(self, expr):
        error, result = self.query(expr)
        return None if error or not result else float(result[0]["value"][1])

    def stop(self):
        stop_process(self.proc)
        self.log_file.close()


def stop_process(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def create_topics(bootstrap, prefix):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    wanted = [NewTopic(prefix + t, PARTITIONS, 1) for t in INPUTS.values()]
    wanted += [NewTopic(prefix + t, 1, 1) for t in [*OUTPUTS.values(), COMMANDS]]
    for future in admin.create_topics(wanted, operation_timeout=30).values():
        future.result(60)
    names = [t.topic for t in wanted]
    wait_for("topic metadata", lambda: all(n in admin.list_topics(timeout=10).topics for n in names), 30)
    return admin


def delete_topics(admin, prefix):
    try:
        names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        if names:
            for future in admin.delete_topics(names, operation_timeout=30).values():
                future.result(60)
    except Exception as e:  # cleanup only; the verdict is already made
        log(f"could not delete the test topics: {e}")


def write_config(path, work, bootstrap, prefix, metrics_port):
    topics = {key: prefix + name for key, name in {**INPUTS, **OUTPUTS}.items()}
    topics["changelog"] = prefix + "cxpulse-changelog"
    # The traffic is days old, so an idle watermark following the wall clock would make every
    # wait late before its answer arrives (SPEC §3: a deadline fires once the watermark passes
    # it). The idle watermark is proven by integration.idle_deadline; here it is off.
    config = {"state": {"dir": os.path.join(work, "state")},
              "kafka": {"bootstrap_servers": bootstrap, "group_id": prefix + "group",
                        "commit_interval": "100ms", "idle_watermark_after": "0s", "topics": topics},
              "http": {"listen": f"127.0.0.1:{metrics_port}"}}
    with open(path, "w") as f:
        json.dump(config, f, indent=2)  # JSON is YAML


def write_outreach_config(path, bootstrap, prefix, port):
    config = {"kafka": {"bootstrap_servers": bootstrap},
              "outreach": {"topics": {"alerts": prefix + OUTPUTS["alerts"],
                                      "commands": prefix + COMMANDS},
                           "listen": f"127.0.0.1:{port}", "identity_header": IDENTITY_HEADER}}
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


def outreach_call(base, path, rep, method="GET", body=None):
    """(status, JSON) of one /cases request acting as `rep` (the proxy's identity header)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={IDENTITY_HEADER: rep})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def rep_commands(base, verdict):
    """Rep `ana` claims an open critical and an open warning case and resolves them; rep `ben`
    tries to claim the first one too (409 with the owner)."""
    def first_open(severity):
        status, body = outreach_call(base, f"/cases?status=open&severity={severity}", "ana")
        return body["cases"][0] if status == 200 and body["count"] > 0 else None
    critical = wait_for("an open critical case", lambda: first_open("critical"), 60)
    warning = first_open("warning")
    for case, outcome in [(critical, "reached"), (warning, "no_answer")]:
        if case is None:
            continue
        path = f"/cases/{case['case_id']}"
        status, body = outreach_call(base, path + "/claim", "ana", "POST")
        if status != 200 or body.get("owner") != "ana":
            verdict.fail(f"outreach: claim of a {case['severity']} case: {status} {body}")
            continue
        status, body = outreach_call(base, path + "/claim", "ben", "POST")
        if status != 409 or body.get("owner") != "ana":
            verdict.fail(f"outreach: a second rep's claim: {status} {body}, expected 409 (ana)")
        status, body = outreach_call(base, path + "/resolve", "ana", "POST",
                                     {"outcome": outcome, "note": "live check"})
        if status != 200 or body.get("outcome") != outcome:
            verdict.fail(f"outreach: resolve {outcome}: {status} {body}")
        else:
            verdict.ok(f"outreach: a {case['severity']} case claimed (409 for a second rep) and "
                       f"resolved {outcome}")


def generate(cxpulse, path):
    # Journeys run about a week from their start; start them 9 days ago so every event lies
    # in the past (kafka.max_future) and deadlines come due as the watermark moves on.
    start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=9))
    subprocess.run([cxpulse, "-q", "generate", "--customers", "3000", "--struggle-ratio", "0.4",
                    "--invalid-ratio", "0.02", "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "--span", "24h", "--seed", "7", "--output", path], check=True, timeout=120)
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def is_nan_only(result):
    values = [float(r["value"][1]) for r in result]
    return bool(values) and all(math.isnan(v) for v in values)


class Verdict:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def ok(self, message):
        self.passed += 1
        print(f"ok   {message}")

    def fail(self, message):
        self.failures.append(message)
        print(f"FAIL {message}")


def check_expressions(prom, verdict):
    exprs = [(o, px.substitute(e)) for o, e in px.dashboard_exprs()] + px.rule_exprs()
    alert_names = {r["alert"] for _, r in px.rules() if "alert" in r}
    for origin, expr in exprs:
        error, result = prom.query(expr)
        name = origin.split()[-1]
        short = " ".join(expr.split())
        if error:
            verdict.fail(f"{origin}: {short}: error {error}")
        elif result and not is_nan_only(result):
            verdict.ok(f"{origin}: {len(result)} series")
        elif name in alert_names and name in MAY_BE_EMPTY:
            inner = px.selectors(expr)
            inner = sorted(set(inner))
            empty = [s for s in inner if not prom.query(s)[1]]
            if empty:
                verdict.fail(f"{origin}: empty, and so are its selectors {empty}")
            else:
                verdict.ok(f"{origin}: empty as expected ({MAY_BE_EMPTY[name]}); "
                           f"its selectors {inner} return series")
        elif result:
            verdict.fail(f"{origin}: {short}: only NaN")
        else:
            verdict.fail(f"{origin}: {short}: no series")
    return len(exprs)


def check_rules_health(prom, verdict):
    groups = prom.api("rules")["data"]["groups"]
    loaded = {r["name"] for g in groups for r in g["rules"]}
    expected = {r.get("alert") or r.get("record") for _, r in px.rules()}
    bad = [f"{r['name']}: health {r.get('health')} {r.get('lastError', '')}"
           for g in groups for r in g["rules"] if r.get("health") != "ok"]
    if loaded != expected:
        verdict.fail(f"Prometheus loaded rules {sorted(loaded)}, expected {sorted(expected)}")
    elif bad:
        verdict.fail(f"rules with evaluation errors: {bad}")
    else:
        verdict.ok(f"Prometheus evaluates all {len(loaded)} rules without error")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True)
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--bootstrap", default="127.0.0.1:19192")
    args = parser.parse_args()
    began = time.monotonic()
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    work = os.path.abspath(args.work_dir)

    prefix = f"promcheck.{uuid.uuid4().hex[:8]}."
    admin = create_topics(args.bootstrap, prefix)
    log(f"topics {prefix}* created on {args.bootstrap}")
    traffic = os.path.join(work, "traffic.jsonl")
    lines = generate(args.cxpulse, traffic)
    metrics_port = free_port()
    config = os.path.join(work, "cxpulse.yaml")
    write_config(config, work, args.bootstrap, prefix, metrics_port)

    processes = []
    prom = None
    verdict = Verdict()
    try:
        run_log = open(os.path.join(work, "cxpulse.log"), "w")
        cxpulse = subprocess.Popen([args.cxpulse, "run", "--config", config], stdout=run_log,
                                   stderr=subprocess.STDOUT)
        processes.append(cxpulse)
        metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"

        def serving():
            if cxpulse.poll() is not None:
                raise RuntimeError(f"cxpulse run exited {cxpulse.returncode}; see {work}/cxpulse.log")
            return "cxpulse_ready" in http_get(metrics_url)
        wait_for(f"cxpulse run serving {metrics_url}", serving, 90)
        log(f"cxpulse run serves {metrics_url}")

        outreach_port = free_port()
        outreach_config = os.path.join(work, "outreach.yaml")
        write_outreach_config(outreach_config, args.bootstrap, prefix, outreach_port)
        outreach_log = open(os.path.join(work, "outreach.log"), "w")
        outreach = subprocess.Popen([args.cxpulse, "outreach", "--config", outreach_config],
                                    stdout=outreach_log, stderr=subprocess.STDOUT)
        processes.append(outreach)
        outreach_base = f"http://127.0.0.1:{outreach_port}"

        def outreach_serving():
            if outreach.poll() is not None:
                raise RuntimeError(f"cxpulse outreach exited {outreach.returncode}; "
                                   f"see {work}/outreach.log")
            return "cxpulse_outreach_ready 1" in http_get(outreach_base + "/metrics")
        wait_for(f"cxpulse outreach ready on {outreach_base}", outreach_serving, 90)
        log(f"cxpulse outreach serves {outreach_base}")

        prom = Prometheus(args.prometheus, work,
                          {"cxpulse-metrics": f"127.0.0.1:{metrics_port}",
                           "cxpulse-outreach": f"127.0.0.1:{outreach_port}"}, px.RULES)
        log(f"Prometheus ready on {prom.url}")
        wait_for("cxpulse ready and scraped", lambda: prom.value("sum(cxpulse_ready)") == 1, 90)
        wait_for("cxpulse outreach ready and scraped",
                 lambda: prom.value("sum(cxpulse_outreach_ready)") == 1, 90)

        log(f"producing {lines} records at {RATE}/s")
        producer = subprocess.Popen(["/usr/bin/python3", PRODUCER, args.bootstrap, traffic,
                                     "--topic-prefix", prefix, "--rate", str(RATE)],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(producer)
        out, _ = producer.communicate(timeout=300)
        if producer.returncode != 0:
            raise RuntimeError(f"produce_jsonl.py failed: {out}")
        log(out.strip())
        wait_for(f"all {lines} records consumed",
                 lambda: (prom.value("sum(cxpulse_events_consumed_total)") or 0) >= lines, 180)
        log("all records consumed; waiting for the activity counters")
        for expr in ACTIVITY:
            wait_for(f"{expr} > 0", lambda e=expr: (prom.value(e) or 0) > 0, 60)
            verdict.ok(f"activity: {expr} = {prom.value(expr):g}")
        rep_commands(outreach_base, verdict)
        for expr in OUTREACH_ACTIVITY:
            wait_for(f"{expr} > 0", lambda e=expr: (prom.value(e) or 0) > 0, 60)
            verdict.ok(f"activity: {expr} = {prom.value(expr):g}")
        time.sleep(3)  # a few more scrapes and rule evaluations

        check_rules_health(prom, verdict)
        checked = check_expressions(prom, verdict)
        targets = prom.api("targets")["data"]["activeTargets"]
        if sorted(t["labels"]["job"] for t in targets if t["health"] == "up") == [
                "cxpulse-metrics", "cxpulse-outreach"]:
            verdict.ok("the cxpulse-metrics and cxpulse-outreach targets are up")
        else:
            verdict.fail(f"targets: {[(t['scrapeUrl'], t['health']) for t in targets]}")
        log(f"{checked} expressions checked")
    except (RuntimeError, TimeoutError, subprocess.TimeoutExpired) as e:
        verdict.fail(str(e))
    finally:
        if prom:
            prom.stop()
        for p in reversed(processes):
            stop_process(p)
        delete_topics(admin, prefix)
    print(f"{verdict.passed} passed, {len(verdict.failures)} failed in "
          f"{time.monotonic() - began:.0f} s", flush=True)
    if verdict.failures:
        print(f"logs in {work}", flush=True)
    sys.exit(1 if verdict.failures or not verdict.passed else 0)


if __name__ == "__main__":
    main()
