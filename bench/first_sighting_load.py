#!/usr/bin/env python3
"""Writes a first-sighting-heavy replay input (issue 12): every customer is seen twice, a call
queued and, ten minutes later, the same call abandoned (unanswered), so almost every event is a
customer's first sighting or the return of a customer last seen ten minutes of traffic ago, and
every call breaches its answer target. Deterministic: the same arguments give the same bytes.

usage: bench/first_sighting_load.py [--customers N] [--gap-ms MS] OUTPUT
"""
import argparse
import datetime
import heapq

START = datetime.datetime(2026, 10, 5, 8, 0, 0, tzinfo=datetime.timezone.utc)
ABANDON_AFTER_MS = 600_000


def stamp(ms):
    t = START + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def events(customers, gap_ms):
    for i in range(1, customers + 1):
        ms = i * gap_ms
        cid = f"c-{i:09d}"
        call = f"call-{i:09d}-1"
        yield (ms, 0, i, '{"event_id":"q-%09d","customer_id":"%s","type":"call","action":"queued",'
               '"ts":"%s","channel":"phone","tier":"standard","contact_id":"%s","queue":"billing",'
               '"reason":"billing"}' % (i, cid, stamp(ms), call))


def abandons(customers, gap_ms):
    for i in range(1, customers + 1):
        ms = i * gap_ms + ABANDON_AFTER_MS
        cid = f"c-{i:09d}"
        call = f"call-{i:09d}-1"
        yield (ms, 1, i, '{"event_id":"a-%09d","customer_id":"%s","type":"call","action":"abandoned",'
               '"ts":"%s","channel":"phone","contact_id":"%s"}' % (i, cid, stamp(ms), call))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--gap-ms", type=int, default=20, help="between two customers' calls")
    parser.add_argument("output")
    args = parser.parse_args()
    with open(args.output, "w", encoding="ascii") as out:
        for _, _, _, line in heapq.merge(events(args.customers, args.gap_ms),
                                         abandons(args.customers, args.gap_ms)):
            out.write(line)
            out.write("\n")


if __name__ == "__main__":
    main()
