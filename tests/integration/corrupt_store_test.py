#!/usr/bin/python3
"""A damaged local store is detected when `cxpulse run` starts and rebuilt from the changelog
(issue 14, "corrupt local store").

The processor consumes the first half of the traffic (in two runs) and stops; then each shard's
RocksDB directory is damaged (shard 0: its MANIFEST overwritten with garbage; shard 1: its
largest SST file truncated to a third). Started again on the second half, it must log one
warning line per damaged shard, set the store aside, rebuild it from the changelog and end with
the alerts, signals and customer states of `cxpulse replay` of the whole traffic. Before the fix
it failed at every start ("cannot restore shard 0: ... Corruption ...").
"""
import glob
import os
import random

import itlib

PARTITIONS = 2
CUSTOMERS = 400


def damage(shard_dir, partition, rng):
    """Damages one shard's store; returns what was done."""
    if partition == 0:
        manifest = sorted(glob.glob(os.path.join(shard_dir, "MANIFEST-*")))[-1]
        with open(manifest, "r+b") as f:
            f.write(bytes(rng.randrange(256) for _ in range(4096)))
        return f"garbage over {os.path.basename(manifest)}"
    ssts = sorted(glob.glob(os.path.join(shard_dir, "*.sst")), key=os.path.getsize)
    if ssts:
        os.truncate(ssts[-1], os.path.getsize(ssts[-1]) // 3)
        return f"{os.path.basename(ssts[-1])} truncated to a third"
    with open(os.path.join(shard_dir, "CURRENT"), "w") as f:
        f.write("garbage")
    return "garbage in CURRENT"


def run_damaged(args, checks, config, log_path, state, group, prefix):
    """Runs the processor on damaged stores until caught up; checks the warnings."""
    name = os.path.basename(log_path)
    processor = itlib.Processor(args.cxpulse, config, log_path)
    codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
    checks.check(f"{name}: processor starts on damaged stores and stops cleanly", codes == [0],
                 f"exit {codes}; {processor.log_text()[-1500:]}")
    log = processor.log_text().splitlines()
    warned = [line for line in log if "is damaged" in line and "rebuilt from the changelog" in line]
    checks.check(f"{name}: one warning line per damaged shard", len(warned) == PARTITIONS,
                 "\n".join(warned) or "none")
    for line in warned:
        itlib.log("  " + line[:300])
    checks.check(f"{name}: the damaged stores are set aside",
                 all(os.path.isdir(os.path.join(state, f"damaged-shard-{p}"))
                     for p in range(PARTITIONS)))


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    rng = random.Random(args.seed)
    lines, _, reference = itlib.prepare_input(args, CUSTOMERS, PARTITIONS)
    quarter = len(lines) // 4
    parts = [lines[:quarter], lines[quarter:2 * quarter], lines[2 * quarter:]]
    prefix, group = itlib.fresh_topics(args.bootstrap, "corrupt", PARTITIONS)
    state = os.path.join(work, "state")
    config = itlib.write_config(os.path.join(work, "live.yaml"), state, args.bootstrap, group,
                                prefix, "i1")

    # Two runs over the first half: RocksDB writes the first run's WAL into SST files when the
    # second opens the stores, so there are SST files to damage.
    for n, part in enumerate(parts[:2], 1):
        path = os.path.join(work, f"part-{n}.jsonl")
        itlib.write_jsonl(path, part)
        itlib.produce(args.bootstrap, path, prefix)
        processor = itlib.Processor(args.cxpulse, config, os.path.join(work, f"live-{n}.log"))
        codes = itlib.run_until_caught_up(args, group, prefix, PARTITIONS, [processor])
        checks.check(f"part {n}: processor stops cleanly", codes == [0], f"exit {codes}")

    for p in range(PARTITIONS):
        what = damage(os.path.join(state, f"shard-{p}"), p, rng)
        itlib.log(f"shard {p}: {what}")
    checks.check("shard 1 has an SST file to truncate",
                 bool(glob.glob(os.path.join(state, "shard-1", "*.sst"))))

    path = os.path.join(work, "part-3.jsonl")
    itlib.write_jsonl(path, parts[2])
    itlib.produce(args.bootstrap, path, prefix)
    run_damaged(args, checks, config, os.path.join(work, "live-3.log"), state, group, prefix)
    itlib.check_equals_replay(checks, args, prefix, reference, lines=lines, state_dirs=[state])


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
