"""The PromQL expressions of cxpulse's Grafana dashboards and Prometheus rules, shared by
check_dashboards.py (offline) and live_check.py (against a running Prometheus)."""
import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DASHBOARDS = [ROOT / "dashboards/grafana/cx-operations.json",
              ROOT / "dashboards/grafana/pipeline-health.json"]
RULES = ROOT / "dashboards/prometheus/rules.yaml"
METRICS_DOC = ROOT / "dashboards/METRICS.md"

# What Grafana puts in for its built-in variables; the live check's data covers minutes, so
# ranges are short but longer than a few 1 s scrapes.
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "5m",
    "${__range}": "5m",
    "$__range_s": "300",
}

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
             "unless", "offset", "bool", "inf", "nan"}


def substitute(expr):
    for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, GRAFANA_VARIABLES[name])
    if "$" in expr:
        raise ValueError(f"unknown Grafana variable in {expr!r}")
    return expr


def all_panels(board):
    """Every panel, including those inside collapsed rows."""
    for panel in board.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_exprs():
    """[(origin, raw expression)] of every target of every dashboard panel."""
    out = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())
        for panel in all_panels(board):
            for t in panel.get("targets", []):
                origin = f"{path.name} panel {panel['id']} \"{panel['title']}\" {t['refId']}"
                out.append((origin, t.get("expr", "")))
    return out


def rules():
    """[(group name, rule dict)] of rules.yaml."""
    doc = yaml.safe_load(RULES.read_text())
    return [(g["name"], r) for g in doc["groups"] for r in g["rules"]]


def rule_exprs():
    """[(origin, expression)] of every rule; recording rules also contribute their own name
    (the recorded series must exist too)."""
    out = []
    for group, r in rules():
        name = r.get("alert") or r.get("record")
        out.append((f"rules.yaml {group} {name}", r["expr"].strip()))
        if "record" in r:
            out.append((f"rules.yaml {group} {name} (recorded series)", r["record"]))
    return out


def selectors(expr):
    """The vector selectors in `expr` (metric name with its {matchers}), without range or
    offset (`offset 1d` is dropped), e.g. 'up{job="cxpulse-metrics"}'. A small scanner: enough
    for the expressions here (no string literals outside matchers)."""
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\boffset\s+-?[0-9][0-9a-z]*", " ", text)
    out = []
    for m in re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)?\s*(\{[^}]*\})?", text):
        name, matchers = m.group(1), m.group(2)
        if not name and not matchers:
            continue
        rest = text[m.end():].lstrip()
        if name and not matchers and (rest.startswith("(") or name.lower() in _KEYWORDS):
            continue
        if name and name[0].isdigit():
            continue
        out.append((name or "") + (matchers or ""))
    return out


def metric_names(expr):
    return {s.split("{")[0] for s in selectors(expr) if not s.startswith("{")}


def documented_metrics():
    """Metric names in METRICS.md; histograms also as _bucket, _sum and _count."""
    names = set(re.findall(r"\b(cxpulse_[a-z_]+)", METRICS_DOC.read_text()))
    histograms = set(re.findall(r"^- (cxpulse_[a-z_]+)[^\n]*\bhistogram\b", METRICS_DOC.read_text(),
                                re.MULTILINE))
    for h in histograms:
        names |= {h + "_bucket", h + "_sum", h + "_count"}
    return names
