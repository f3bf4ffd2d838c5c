#!/usr/bin/python3
"""From events to a resolved case on a real broker (SPEC §4, §7): generated events go to the input
topics, `cxpulse run` turns them into alerts on cx.alerts (exactly `cxpulse replay`'s alerts),
`cxpulse outreach` folds them into cases (one per customer with alerts, holding exactly those
alerts), a rep claims the most severe case and resolves it with an outcome and a note, the
resolved case is read back with both from /cases/{id} (on the instance and after a restart, from
the logs alone), the two commands are on cx.outreach (key = the customer, the rep from the
token), and the rep's customer view (/customers/{id} on the outreach service) shows the
customer's state from the processor."""
import json
import os

import itlib
from itlib import log

PARTITIONS = 3
CUSTOMERS = 500
REP_TOKEN = "tok-ana-e2e"
SEVERITY = {"info": 0, "warning": 1, "critical": 2}


def outreach_config(args, work, group, prefix):
    config = {
        "kafka": {"bootstrap_servers": args.bootstrap, "group_id": group,
                  "topics": {"clicks": prefix + "cx.clicks"}},
        "outreach": {
            "topics": {"alerts": prefix + "cx.alerts", "commands": prefix + "cx.outreach"},
            "listen": f"127.0.0.1:{itlib.free_port()}",
            "reps": [{"name": "ana", "token_env": "IT_TOKEN_ANA"}],
        },
    }
    path = os.path.join(work, "outreach.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def call(outreach, method, path, body=None):
    status, text = itlib.http_call(outreach.listen(), path, method,
                                   {"Authorization": f"Bearer {REP_TOKEN}"}, body)
    try:
        return status, json.loads(text) if text else {}
    except ValueError:
        return status, {"raw": text}


def all_cases(outreach):
    status, body = call(outreach, "GET", "/cases")
    assert status == 200, (status, body)
    return body["cases"]


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines, input_path, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
    expected_alerts = reference[0]
    log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts")
    prefix, group = itlib.fresh_topics(args.bootstrap, "e2e", PARTITIONS)
    itlib.create_topics(args.bootstrap, prefix, PARTITIONS, ["cx.outreach"])

    processor = itlib.Processor(args.cxpulse, itlib.write_config(
        os.path.join(work, "run.json"), os.path.join(work, "state"), args.bootstrap, group,
        prefix, "p0"), os.path.join(work, "run.log"))
    outreach = itlib.Outreach(args.cxpulse, outreach_config(args, work, group, prefix),
                              os.path.join(work, "outreach.log"), env={"IT_TOKEN_ANA": REP_TOKEN})
    try:
        # The outreach service starts first, on empty logs: every case reaches it live. The
        # events are all in Kafka before the processor starts, so it merges the four inputs by
        # timestamp as replay does (tests/integration/README.md, "Arrival order").
        outreach.start()
        outreach.wait_ready()
        itlib.produce(args.bootstrap, input_path, prefix)
        processor.start()
        processor.wait_ready()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [processor])
        alerts = itlib.read_topic(args.bootstrap, prefix + "cx.alerts")
        diff = itlib.multiset_diff(alerts, expected_alerts)
        checks.check(f"cx.alerts == replay's alerts ({len(alerts)})", not diff, diff)
        parsed = [json.loads(a) for a in alerts]
        alert_ids = {a["alert_id"] for a in parsed}
        customers = {a["customer_id"] for a in parsed}

        def folded():
            cases = all_cases(outreach)
            held = {a["alert_id"] for c in cases for a in c.get("alerts", [])}
            return cases if held == alert_ids else None
        cases = itlib.wait_for("the outreach service to fold every alert into cases", folded, 60,
                               interval=0.5)
        checks.check(f"one case per customer with alerts ({len(cases)} cases)",
                     sorted(c["customer_id"] for c in cases) == sorted(customers))
        checks.check("every case is open and unowned",
                     all(c["status"] == "open" and not c.get("owner") for c in cases))

        case = max(cases, key=lambda c: (SEVERITY.get(c["severity"], 0), len(c["alerts"]),
                                         c["case_id"]))
        case_id, customer = case["case_id"], case["customer_id"]
        log(f"working the {case['severity']} case with {len(case['alerts'])} alert(s), "
            f"recommended action {case.get('recommended_action')}")
        status, claimed = call(outreach, "POST", f"/cases/{case_id}/claim")
        checks.check("the rep claims the case: 200 claimed by ana",
                     status == 200 and claimed.get("status") == "claimed"
                     and claimed.get("owner") == "ana", f"{status} {claimed}")
        note = "called back; the refund is on its way"
        status, resolved = call(outreach, "POST", f"/cases/{case_id}/resolve",
                                {"outcome": "resolved", "note": note})
        checks.check("the rep resolves it: 200 resolved", status == 200
                     and resolved.get("status") == "resolved", f"{status} {resolved}")
        status, read_back = call(outreach, "GET", f"/cases/{case_id}")
        checks.check("the resolved case reads back with its outcome and note",
                     status == 200 and read_back.get("status") == "resolved"
                     and read_back.get("outcome") == "resolved" and read_back.get("note") == note
                     and read_back.get("owner") == "ana", f"{status} {read_back}")

        commands = [json.loads(c) for c in itlib.read_topic(args.bootstrap, prefix + "cx.outreach")]
        kinds = [(c.get("command"), c.get("case_id"), c.get("rep")) for c in commands]
        checks.check("cx.outreach holds the claim and the resolve, by ana, for the case",
                     kinds == [("claim", case_id, "ana"), ("resolve", case_id, "ana")]
                     and commands[-1].get("outcome") == "resolved"
                     and commands[-1].get("note") == note, json.dumps(commands)[:800])
        keys = [k for k, _ in itlib.read_topic(args.bootstrap, prefix + "cx.outreach",
                                                with_keys=True)]
        checks.check("the commands are keyed by the customer",
                     keys == [customer, customer], str(keys))

        status, state = itlib.http_call(outreach.listen(), f"/customers/{customer}",
                                        headers={"Authorization": f"Bearer {REP_TOKEN}"})
        checks.check("the rep's customer view comes from the processor (/customers on outreach)",
                     status == 200 and json.loads(state).get("customer_id") == customer,
                     f"{status} {state[:300]}")

        code = outreach.stop()
        checks.check("the outreach service stops cleanly", code == 0, str(code))
        outreach.start()
        outreach.wait_ready()
        status, rebuilt = call(outreach, "GET", f"/cases/{case_id}")
        checks.check("after a restart the case is rebuilt from the logs, resolved with its note",
                     status == 200 and rebuilt == read_back, f"{status} {rebuilt}")
    finally:
        for inst in (outreach, processor):
            if inst.proc is not None:
                code = inst.stop()
                checks.check(f"{inst.command} exits 0 on SIGTERM", code == 0, str(code))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
