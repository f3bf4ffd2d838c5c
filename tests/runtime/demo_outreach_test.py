#!/usr/bin/python3
"""`cxpulse demo` serves the outreach service on its own port (ctest runtime.demo_outreach).

Starts the demo on a free loopback port, reads the demo rep's bearer token from what it prints
at start, and checks, as a rep would with the page: /cases needs an identity (401 without), the
queue fills from the demo's traffic, a claim of an open case answers 200 with the demo rep as
owner once read back, /cases/{id} and /cases?owner=me show the claim, /metrics carries the outreach metrics next to the processor's, and Ctrl-C exits 0.

usage: demo_outreach_test.py --cxpulse BIN
"""
import argparse
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

WAIT_FOR_CASES = 90  # seconds; the demo backfills 5 minutes of journeys at start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, token=None, method="GET", body=None):
    """(status, parsed JSON or text) of one request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def fail(message, demo):
    print(f"FAIL: {message}", file=sys.stderr)
    if demo.poll() is None:
        demo.send_signal(signal.SIGINT)
    try:
        out, _ = demo.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        demo.kill()
        out, _ = demo.communicate()
    print(out[-4000:], file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True)
    args = parser.parse_args()
    listen = f"127.0.0.1:{free_port()}"
    base = f"http://{listen}"
    demo = subprocess.Popen([args.cxpulse, "demo", "--duration", "150s", "--http", listen],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    token = None
    deadline = time.monotonic() + 30
    while token is None and time.monotonic() < deadline:
        line = demo.stdout.readline()
        if not line:
            fail("the demo ended before printing the rep identity", demo)
        match = re.search(r"Rep identity: rep 'demo', bearer token ([0-9a-f]{32})", line)
        token = match.group(1) if match else None
    if token is None:
        fail("no 'Rep identity' line with a 32-hex-digit token", demo)
    # The terminal view keeps printing; drain it so the demo never blocks on a full pipe.
    drain = subprocess.Popen(["cat"], stdin=demo.stdout, stdout=subprocess.DEVNULL)

    status, body = request(f"{base}/cases")
    if status != 401:
        fail(f"/cases without a token: {status}, expected 401", demo)
    status, _ = request(f"{base}/cases", token="not-the-token")
    if status != 401:
        fail(f"/cases with a wrong token: {status}, expected 401", demo)

    case = None
    deadline = time.monotonic() + WAIT_FOR_CASES
    while case is None and time.monotonic() < deadline:
        status, body = request(f"{base}/cases?status=open", token=token)
        if status == 200 and body["count"] > 0:
            case = body["cases"][0]
        elif status not in (200, 503):
            fail(f"/cases: {status} {body}", demo)
        else:
            time.sleep(0.5)
    if case is None:
        fail(f"no open case within {WAIT_FOR_CASES} s", demo)
    # `queue` is present only when the alert had one (SPEC §7; e.g. not for a click-only alert);
    # which case comes first depends on timing.
    print(f"first open case after the demo started: {case['severity']} {case.get('queue', '(no queue)')}")

    case_id = case["case_id"]
    started = time.monotonic()
    status, body = request(f"{base}/cases/{case_id}/claim", token=token, method="POST")
    took = time.monotonic() - started
    if status != 200 or body.get("status") != "claimed" or body.get("owner") != "demo":
        fail(f"claim: {status} {body}", demo)
    print(f"claim answered 200 in {took * 1000:.0f} ms")
    status, body = request(f"{base}/cases/{case_id}", token=token)
    if status != 200 or body.get("owner") != "demo" or body.get("status") != "claimed":
        fail(f"/cases/{{id}} after the claim: {status} {body}", demo)
    status, body = request(f"{base}/cases?owner=me", token=token)
    if status != 200 or case_id not in [c["case_id"] for c in body["cases"]]:
        fail(f"/cases?owner=me does not list the claimed case: {status} {body}", demo)

    status, metrics = request(f"{base}/metrics")
    for name in ("cxpulse_alerts_total", 'cxpulse_outreach_commands_total{command="claim"',
                 "cxpulse_outreach_ready 1"):
        if status != 200 or name not in metrics:
            fail(f"/metrics has no {name}", demo)
    # One claim, one observation. Counted under the case's severity when the claim was folded:
    # a critical alert for the same customer may raise a warning case between the listing and
    # the claim (SPEC §7), so the test sums both severities rather than trust the listing's.
    claims = re.findall(r'^cxpulse_outreach_time_to_claim_seconds_count\{severity="(\w+)"\} (\S+)$',
                        metrics if status == 200 else "", re.MULTILINE)
    if sum(float(count) for _, count in claims) != 1:
        fail(f"/metrics time_to_claim counts {claims}, expected one claim in all", demo)
    status, text = request(f"{base}/readyz")
    if status != 200:
        fail(f"/readyz: {status} {text}", demo)

    demo.send_signal(signal.SIGINT)
    code = demo.wait(timeout=30)
    drain.wait(timeout=10)
    if code != 0:
        print(f"FAIL: the demo exited {code} on SIGINT", file=sys.stderr)
        sys.exit(1)
    print("ok: the demo serves /cases and a claim works")


if __name__ == "__main__":
    main()
