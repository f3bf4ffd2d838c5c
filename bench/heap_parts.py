#!/usr/bin/env python3
"""Sums a heaptrack stack file written with `heaptrack_print -F STACKS --flamegraph-cost-type
peak` (bytes allocated and not yet freed when the total heap was highest) into the parts of
bench/RESULTS.md, "Memory breakdown": each stack goes to the first part one of whose frames
matches (a frame starting with a key, or containing a key that does not start with "rd_").

usage: heap_parts.py STACKS"""
import collections
import sys

PARTS = [
    ("librdkafka: one op per fetched record", ["rd_kafka_msgset_reader"]),
    ("librdkafka: fetch response buffers", ["rd_buf_alloc_segment"]),
    ("librdkafka: producer records", ["rd_kafka_producev", "rd_kafka_msg_new"]),
    ("librdkafka: other", ["rd_"]),
    ("RocksDB memtables", ["MemTable::Add", "ConstructNewMemtable"]),
    ("RocksDB block cache (reads)", ["BlockBasedTable", "rocksdb::Version::Get", "TableCache"]),
    ("RocksDB WAL, flush, compaction, open, statistics", ["rocksdb::"]),
    ("outputs kept during a commit, alerts", ["Transactions::Keep", "Transactions::Produce",
                                              "LiveOutputs::"]),
    ("customer cache (states loaded and grown)", ["CustomerCache", "Shard::Load", "ApplyEvent",
                                                  "Shard::Process"]),
    ("decoder", ["Decoder"]),
    ("other", [""]),
]


def matches(frame, key):
    return frame.startswith(key) or (len(key) > 3 and not key.startswith("rd_") and key in frame)


def main():
    sums = collections.Counter()
    total = 0
    with open(sys.argv[1]) as f:
        for line in f:
            stack, _, size = line.rstrip("\n").rpartition(" ")
            total += int(size)
            frames = [frame for frame in stack.split(";") if frame]
            part = next(name for name, keys in PARTS
                        if any(matches(frame, key) for frame in frames for key in keys))
            sums[part] += int(size)
    print(f"{total / 2**20:7.1f} MiB  total at the peak")
    for name, _ in PARTS:
        print(f"{sums[name] / 2**20:7.1f} MiB  {name}")


if __name__ == "__main__":
    main()
