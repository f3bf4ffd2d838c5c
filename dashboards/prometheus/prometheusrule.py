#!/usr/bin/python3
"""Derives k8s/base/prometheusrule.yaml (Prometheus Operator) from dashboards/prometheus/rules.yaml.

The rule groups are copied verbatim (comments included) under `spec:`, so Prometheus without
the Operator and the PrometheusRule always carry the same rules.

usage: prometheusrule.py --write    rewrite k8s/base/prometheusrule.yaml
       prometheusrule.py --check    exit 1 if it differs from what --write would produce
       prometheusrule.py            print it
"""
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = ROOT / "dashboards/prometheus/rules.yaml"
TARGET = ROOT / "k8s/base/prometheusrule.yaml"

HEADER = """\
# GENERATED from dashboards/prometheus/rules.yaml by dashboards/prometheus/prometheusrule.py;
# edit that file and run `/usr/bin/python3 dashboards/prometheus/prometheusrule.py --write`.
# Recording and alerting rules of cxpulse (the issue 4 list). Metric names are those the
# processor exports on /metrics (dashboards/METRICS.md).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: cxpulse
  labels:
    app.kubernetes.io/name: cxpulse
spec:
"""


def render(source_text):
    """The PrometheusRule text for the rules file `source_text`."""
    lines = source_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    body = ["  " + line if line.strip() else "" for line in lines[start:]]
    text = HEADER + "\n".join(body) + "\n"
    rendered = yaml.safe_load(text)["spec"]["groups"]
    if rendered != yaml.safe_load(source_text)["groups"]:
        sys.exit("prometheusrule.py: the copied groups do not parse to the source's groups")
    return text


def main():
    text = render(SOURCE.read_text())
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "--write":
        TARGET.write_text(text)
    elif mode == "--check":
        if not TARGET.exists() or TARGET.read_text() != text:
            sys.exit(f"{TARGET.relative_to(ROOT)} is not derived from {SOURCE.relative_to(ROOT)}; "
                     "run /usr/bin/python3 dashboards/prometheus/prometheusrule.py --write")
        print(f"{TARGET.relative_to(ROOT)} matches {SOURCE.relative_to(ROOT)}")
    elif mode == "":
        sys.stdout.write(text)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
