#!/usr/bin/python3
"""Offline checks of the Grafana dashboards (ctest grafana_dashboards, label unit):

- the JSON files are what dashboards/grafana/build_dashboards.py writes;
- importable shape: schemaVersion 38-39, unique uid and panel ids, a `DS_PROMETHEUS` template
  variable of type datasource (query prometheus) used by every panel and every target;
- every panel has a title and a description, every non-row panel a unit and at least one target;
- every expression parses (promtool check rules on a rule file made of them) after Grafana's
  variables are substituted;
- every metric an expression reads is documented in dashboards/METRICS.md or recorded by
  dashboards/prometheus/rules.yaml, and every documented metric appears on a dashboard.

usage: check_dashboards.py PROMTOOL
"""
import json
import subprocess
import sys
import tempfile

import yaml

import promql_exprs as px

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}")


def check_board(path, uids):
    board = json.loads(path.read_text())
    name = path.name
    if not 38 <= board.get("schemaVersion", 0) <= 39:
        fail(f"{name}: schemaVersion {board.get('schemaVersion')} is not 38-39")
    if not board.get("uid") or board["uid"] in uids:
        fail(f"{name}: missing or duplicate uid {board.get('uid')!r}")
    uids.add(board.get("uid"))
    variables = {v["name"]: v for v in board.get("templating", {}).get("list", [])}
    ds = variables.get("DS_PROMETHEUS")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail(f"{name}: no DS_PROMETHEUS variable of type datasource with query prometheus")
    ids = set()
    for panel in px.all_panels(board):
        where = f"{name} panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("id") in ids:
            fail(f"{where}: duplicate id")
        ids.add(panel.get("id"))
        if not panel.get("title"):
            fail(f"{where}: no title")
        if panel.get("type") == "row":
            continue
        if not panel.get("description"):
            fail(f"{where}: no description")
        if panel.get("datasource") != {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}:
            fail(f"{where}: datasource is not ${{DS_PROMETHEUS}}")
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            fail(f"{where}: no unit")
        if not panel.get("targets"):
            fail(f"{where}: no targets")
        for t in panel.get("targets", []):
            if t.get("datasource") != panel.get("datasource"):
                fail(f"{where} {t.get('refId')}: target datasource differs from the panel's")
            if not t.get("expr", "").strip():
                fail(f"{where} {t.get('refId')}: empty expr")


def check_parse(promtool, exprs):
    doc = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": px.substitute(e)} for i, (_, e) in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump(doc, f)
        f.flush()
        result = subprocess.run([promtool, "check", "rules", f.name], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"promtool rejects a dashboard expression:\n{result.stdout}{result.stderr}")
    else:
        print(f"ok   promtool parses all {len(exprs)} dashboard expressions")


def check_names(exprs):
    documented = px.documented_metrics()
    recorded = {r["record"] for _, r in px.rules() if "record" in r}
    used = set()
    for origin, expr in exprs + px.rule_exprs():
        for metric in px.metric_names(px.substitute(expr)):
            used.add(metric)
            if metric not in documented and metric not in recorded and metric != "up":
                fail(f"{origin}: {metric} is neither in METRICS.md nor recorded in rules.yaml")
    dashboard_used = set()
    for _, expr in exprs:
        dashboard_used |= px.metric_names(px.substitute(expr))
    for _, r in px.rules():
        if r.get("record") in dashboard_used:
            dashboard_used |= px.metric_names(r["expr"])
    for metric in sorted(documented):
        base = metric.removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")
        if metric == base and not any(u == metric or u.startswith(metric + "_") for u in dashboard_used):
            fail(f"METRICS.md lists {metric} but no dashboard panel shows it")
    print(f"ok   metric names checked ({len(used)} used)")


def main():
    promtool = sys.argv[1]
    build = subprocess.run(["/usr/bin/python3", str(px.ROOT / "dashboards/grafana/build_dashboards.py"),
                            "--check"], capture_output=True, text=True)
    if build.returncode != 0:
        fail(build.stderr.strip() or build.stdout.strip())
    uids = set()
    for path in px.DASHBOARDS:
        check_board(path, uids)
    exprs = px.dashboard_exprs()
    check_parse(promtool, exprs)
    check_names(exprs)
    print(f"{len(exprs)} expressions in {len(px.DASHBOARDS)} dashboards; "
          f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
