#!/usr/bin/python3
"""Plots drain throughput and peak RSS against customers for cxpulse and its Kafka Streams peer
from bench/peer_results/drain.csv (written by `peer_bench.py report --csv`).

usage: bench/peer_plot.py [CSV] [--out bench/peer_results/peer_growth.png]

Needs matplotlib (Debian: apt-get install python3-matplotlib, or tools/install_deps.sh bench). One line per (processor, mode,
instances, peer RocksDB config), the median of the runs at each customer count; a point from
drains of only the first records of a backlog (--max-records, or --first: only those records
generated) is named under the plot, and left out where a whole drain of that size exists.
"""
import argparse
import csv
import os
import statistics
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", nargs="?", default=os.path.join(HERE, "peer_results", "drain.csv"))
    parser.add_argument("--out", default=os.path.join(HERE, "peer_results", "peer_growth.png"))
    parser.add_argument("--note", default="", help="one more line under the plot")
    args = parser.parse_args()

    series = defaultdict(lambda: defaultdict(lambda: {"rate": [], "rss": [], "part": None}))
    capped = {}  # customers -> (records drained, backlog): a --max-records drain
    with open(args.csv) as f:
        for row in csv.DictReader(f):
            try:
                rate, rss = float(row["events_per_s"]), float(row["peak_rss_mb"])
            except ValueError:
                continue
            label = f"{row['processor']} {row['mode']}, {row['instances']} inst."
            if row["processor"] == "peer":
                label += f", RocksDB {row['rocksdb'] or 'default'}"
            if row.get("workload") == "first-sighting":
                # Its own points: another workload (2 records per customer, all reached).
                label += f", first-sighting load ({row.get('records_per_customer')} rec./customer)"
            point = series[label][int(row["customers"])]
            part = bool(row.get("backlog") and row.get("records")
                        and row["records"] != row["backlog"])
            if point["part"] is False and part:
                continue  # a whole drain at this size is there: partial drains are left out
            if point["part"] and not part:
                point.update(rate=[], rss=[])
            point["part"] = part
            point["rate"].append(rate)
            point["rss"].append(rss)
            if part:
                capped[int(row["customers"])] = (int(row["records"]), int(row["backlog"]),
                                                 row.get("first") == "1")

    fig, (ax_rate, ax_rss) = plt.subplots(1, 2, figsize=(13, 5))
    for label in sorted(series):
        xs = sorted(series[label])
        style = "-o" if label.startswith("cxpulse") else "--s"
        if "first-sighting" in label:
            style = "*" if label.startswith("cxpulse") else "X"
        ax_rate.plot(xs, [statistics.median(series[label][x]["rate"]) for x in xs], style,
                     label=label)
        ax_rss.plot(xs, [statistics.median(series[label][x]["rss"]) for x in xs], style,
                    label=label)
    for ax, title, unit in ((ax_rate, "drain throughput", "events/s"),
                            (ax_rss, "peak RSS", "MB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("customers")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    low, high = ax_rate.get_ylim()
    ax_rate.set_ylim(low, high * 12)  # room above the lines for the legend
    ax_rate.legend(fontsize=6, loc="upper center", ncol=2)
    if capped:
        note = "; ".join(f"{c:,}: first {r:,} of {'≈ ' if first else ''}{b:,}"
                         for c, (r, b, first) in sorted(capped.items()))
        note = ("records drained where no whole drain was measured (customers: first N of the "
                "workload's records): " + note)
        fig.text(0.5, 0.03 if args.note else 0.01, note, ha="center", fontsize=7)
    if args.note:
        fig.text(0.5, 0.005, args.note, ha="center", fontsize=7)
    fig.suptitle("cxpulse vs Kafka Streams peer (bench/peer_bench.sh; shared 2-vCPU machine)")
    fig.tight_layout(rect=(0, (0.04 if capped else 0) + (0.03 if args.note else 0), 1, 1))
    fig.savefig(args.out, dpi=110)
    print(args.out)


if __name__ == "__main__":
    main()
