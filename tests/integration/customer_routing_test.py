#!/usr/bin/python3
"""/customers/{id} on every instance (SPEC §6, §7) on a real broker: two processors (`cxpulse
run`, one consumer group, static members, different HTTP ports, one shared bearer token) and one
`cxpulse outreach`. For customers of every partition, and for unknown customers, each of the
three answers exactly what the owner of the customer's partition answers (the owner is the one
processor that answers a request marked as forwarded; the other says 503). Identity: a processor
needs the shared token (401 without), the outreach service a rep (401 without), and the forwarded
request reaches the owner with the shared token. Then one processor stops (SIGTERM): while the
group rebalances every answer is either the same body or a 503 with a one-line reason, and once
the other processor owns every partition all three answer the same bodies again (restored from
the changelog)."""
import json
import os
import time
import urllib.parse

import itlib
from itlib import log

PARTITIONS = 4
CUSTOMERS = 400
PER_PARTITION = 4
TOKEN = "it-shared-7d1e"
REP_TOKEN = "tok-ana-3c9f"
FORWARDED = {"X-Cxpulse-Forwarded": "1"}


def processor_config(args, work, name, group, prefix):
    path = itlib.write_config(os.path.join(work, f"{name}.json"), os.path.join(work, f"{name}-state"),
                              args.bootstrap, group, prefix, name)
    with open(path) as f:
        config = json.load(f)
    config["http"]["bearer_token"] = TOKEN
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return path


def outreach_config(args, work, group, prefix):
    config = {
        "kafka": {"bootstrap_servers": args.bootstrap, "group_id": group,
                  "topics": {"clicks": prefix + "cx.clicks"}},
        "http": {"bearer_token": TOKEN},
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


def customer_path(customer):
    return "/customers/" + urllib.parse.quote(customer, safe="")


def ask(instance, customer, headers):
    return itlib.http_call(instance.listen(), customer_path(customer), headers=headers, timeout=10)


def pick_customers(lines):
    """Up to PER_PARTITION known customers of every partition, and one unknown one each."""
    by_partition = {p: [] for p in range(PARTITIONS)}
    for customer in sorted(itlib.customers_of(lines)):
        chosen = by_partition[itlib.partition_of(customer, PARTITIONS)]
        if len(chosen) < PER_PARTITION:
            chosen.append(customer)
    for p in range(PARTITIONS):
        n = 0
        while itlib.partition_of(f"zz-unknown {p}/{n}", PARTITIONS) != p:
            n += 1
        by_partition[p].append(f"zz-unknown {p}/{n}")
    return by_partition


def owner_answers(processors, customers, checks):
    """{customer: (owner name, status, body)} from the processor that answers a forwarded
    request (the owner: 200 or 404); the other must say 503."""
    auth = {"Authorization": f"Bearer {TOKEN}", **FORWARDED}
    out = {}
    for customer in customers:
        answers = {name: ask(p, customer, auth) for name, p in processors.items()}
        owners = [name for name, (status, _) in answers.items() if status in (200, 404)]
        others = [status for name, (status, _) in answers.items() if name not in owners]
        if len(owners) != 1 or others != [503]:
            log(f"not exactly one owner for {customer!r}: {str(answers)[:300]}")
            continue
        out[customer] = (owners[0], *answers[owners[0]])
    return out


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    lines = itlib.generate(args.cxpulse, os.path.join(work, "input.jsonl"), CUSTOMERS, args.seed)
    prefix, group = itlib.fresh_topics(args.bootstrap, "customers", PARTITIONS)
    itlib.create_topics(args.bootstrap, prefix, PARTITIONS, ["cx.outreach"])
    itlib.produce(args.bootstrap, os.path.join(work, "input.jsonl"), prefix)

    a = itlib.Processor(args.cxpulse, processor_config(args, work, "a", group, prefix),
                        os.path.join(work, "a.log"))
    b = itlib.Processor(args.cxpulse, processor_config(args, work, "b", group, prefix),
                        os.path.join(work, "b.log"))
    o = itlib.Outreach(args.cxpulse, outreach_config(args, work, group, prefix),
                       os.path.join(work, "outreach.log"), env={"IT_TOKEN_ANA": REP_TOKEN})
    by_partition = pick_customers(lines)
    customers = [c for p in range(PARTITIONS) for c in by_partition[p]]
    processor_auth = {"Authorization": f"Bearer {TOKEN}"}
    rep_auth = {"Authorization": f"Bearer {REP_TOKEN}"}
    try:
        a.start()
        b.start()
        o.start()
        itlib.wait_for("both processors to own 2 shards", lambda: (
            a.assigned_shards() == 2 and b.assigned_shards() == 2), 120)
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 180, [a, b])
        o.wait_ready()

        attempts = []

        def settled():
            attempts.append(1)
            found = owner_answers({"a": a, "b": b}, customers, checks)
            wrong = [c for c in customers if c in found and found[c][1] != (
                404 if c.startswith("zz-") else 200)]
            if wrong:
                log(f"not settled yet: {len(wrong)} owner answers, e.g. "
                    f"{[(c, found[c][0], found[c][1]) for c in wrong[:3]]}")
            return found if len(found) == len(customers) and not wrong else None
        owners = itlib.wait_for("the owners to answer for every customer", settled, 30, 1)
        if len(attempts) > 1:
            log(f"the owners' answers settled after {len(attempts)} rounds")
        names = {owner for owner, _, _ in owners.values()}
        checks.check("each processor owns some of the customers asked about", names == {"a", "b"},
                     str(names))
        known = [c for c in customers if not c.startswith("zz-")]
        wrong = [f"{c}: {owners[c][0]} {owners[c][1]} {owners[c][2][:200]}" for c in customers
                 if c in owners and owners[c][1] != (404 if c.startswith("zz-") else 200)]
        checks.check("the owners know every known customer (200) and no unknown one (404)",
                     not wrong, "\n  ".join(wrong[:6]))
        mismatches = []
        for customer, (_, status, body) in owners.items():
            for name, inst, headers in (("a", a, processor_auth), ("b", b, processor_auth),
                                        ("outreach", o, rep_auth)):
                got = ask(inst, customer, headers)
                if got != (status, body):
                    mismatches.append(f"{name} {customer!r}: {got[0]} {got[1][:200]} "
                                      f"vs owner {status} {body[:200]}")
        checks.check(f"a, b and the outreach service answer like the owner for "
                     f"{len(owners)} customers of {PARTITIONS} partitions", not mismatches,
                     "\n  ".join(mismatches[:6]))

        sample = known[0]
        checks.check("a processor needs the shared bearer token (401)",
                     ask(a, sample, {})[0] == 401)
        checks.check("the outreach service needs a rep (401)", ask(o, sample, {})[0] == 401)
        checks.check("an unknown rep token is 401 on the outreach service",
                     ask(o, sample, {"Authorization": "Bearer wrong"})[0] == 401)
        checks.check("a bad id is 400", itlib.http_call(o.listen(), "/customers/a%0Ab",
                                                        headers=rep_auth)[0] == 400)

        # b stops: a static member does not leave the group, so b's partitions have no reachable
        # owner until its session times out (6 s) and a takes them over.
        expected = {c: (status, body) for c, (_, status, body) in owners.items()}
        b_customers = [c for c, (owner, _, _) in owners.items() if owner == "b"]
        code = b.stop()
        checks.check("b stops cleanly", code == 0, str(code))
        stopped_at = time.monotonic()
        wrong = []
        reasons = set()

        def all_answered():
            answered = True
            for customer in b_customers:
                for name, inst, headers in (("a", a, processor_auth), ("outreach", o, rep_auth)):
                    got = ask(inst, customer, headers)
                    if got == expected[customer]:
                        continue
                    answered = False
                    status, body = got
                    try:
                        reason = json.loads(body).get("error", "") if status == 503 else ""
                    except ValueError:
                        reason = ""
                    if status == 503 and reason and "\n" not in reason:
                        reasons.add(f"{name}: {reason}")
                    else:
                        wrong.append(f"{name} {customer!r}: {status} {body[:200]}")
            return answered and a.assigned_shards() == PARTITIONS

        itlib.wait_for("a and the outreach service to answer for b's customers again",
                       all_answered, 120, interval=0.2)
        log(f"answers for b's {len(b_customers)} customers back "
            f"{time.monotonic() - stopped_at:.1f} s after b stopped")
        for reason in sorted(reasons)[:8]:
            log(f"  503 meanwhile: {reason}")
        checks.check("during the takeover every answer was the owner's body or a 503 with a "
                     "one-line reason", not wrong, "\n  ".join(wrong[:6]))
        mismatches = [c for c in customers if c in expected and (
            ask(a, c, processor_auth) != expected[c] or ask(o, c, rep_auth) != expected[c])]
        checks.check("after the takeover a and the outreach service answer as before for every "
                     "customer", not mismatches, str(mismatches[:6]))
        for text in (a.log_text(), o.log_text()):
            leaked = [c for c in known if c in text]
            checks.check("no customer id in the logs (info level)", not leaked, str(leaked[:3]))
    finally:
        for inst in (o, a, b):
            code = inst.stop()
            if inst is not b and inst.proc is not None:
                checks.check(f"{inst.command} at {inst.listen()} exits 0 on SIGTERM", code == 0,
                             str(code))


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
