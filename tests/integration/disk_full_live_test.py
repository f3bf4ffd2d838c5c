#!/usr/bin/python3
"""`cxpulse run` with state.dir on a filesystem that fills up (a tmpfs filled by a file
to 40 MiB free once its shards are open): the processor stops writing, logs one line naming the state dir and the free
space, and exits non-zero, never SIGABRT; once space is freed it restarts cleanly, catches up
and its alerts and signals equal `cxpulse replay`'s.

Needs root to mount the tmpfs; exits 77 (ctest: skipped) with the reason when it cannot.
"""
import json
import os
import shutil
import subprocess
import sys

import itlib

SKIP = 77
PARTITIONS = 2
CUSTOMERS = 60000
FS_MIB = 192
FREE_MIB = 40


def free_mib(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / (1 << 20)


def main(checks, fs):
    args = ARGS
    work = args.work_dir
    lines, input_path, (expected_alerts, expected_signals, _) = itlib.prepare_input(
        args, CUSTOMERS, PARTITIONS)
    itlib.log(f"{len(lines)} events; replay: {len(expected_alerts)} alerts")
    prefix, group = itlib.fresh_topics(args.bootstrap, "diskfull", PARTITIONS)

    state_dir = os.path.join(fs, "state")
    # The input comes while the processor runs (below); the strict merge (idle_input_wait)
    # orders it by timestamp as it would a backlog produced before the start.
    config = itlib.write_config(os.path.join(work, "live.yaml"), state_dir, args.bootstrap, group,
                                prefix, "i1", extra_kafka={"idle_input_wait": "1s"})
    # Small memtables: the state reaches the disk as SST files while the backlog is processed
    # (a 16 MiB memtable would stay in its preallocated WAL).
    with open(config) as f:
        settings = json.load(f)
    settings["state"]["write_buffer_mb"] = 1
    with open(config, "w") as f:
        json.dump(settings, f)
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log")).start()
    # Once the shards' stores are open the processor is paused, the filler leaves a little more
    # than the 32 MiB reserve, and only then is the input produced and the processor resumed:
    # the growing state reaches the reserve. (With the input produced before the start, a
    # processor fast enough had the whole backlog in its state before the filler was written,
    # and the disk never filled.) All of the input is in Kafka before the processor reads any
    # of it, and the strict merge (idle_input_wait) orders it as replay does.
    processor.wait_assigned()
    processor.pause()
    filler = os.path.join(fs, "filler")
    with open(filler, "wb") as f:
        f.write(b"\0" * (int(free_mib(fs)) - FREE_MIB) * (1 << 20))
    itlib.log(f"{free_mib(fs):.1f} MiB free on the {FS_MIB} MiB tmpfs")
    itlib.produce(args.bootstrap, input_path, prefix)
    processor.resume()
    try:
        processor.proc.wait(180)
    except subprocess.TimeoutExpired:
        processor.stop()
    code = processor.proc.returncode
    processor.log_file.close()
    log_text = processor.current_log()
    checks.check("processor exits 1 on the full disk (not a signal)", code == 1,
                 f"exit {code}\n{log_text[-1500:]}")
    checks.check("no RocksDB assertion", "Assertion" not in log_text, log_text[-1500:])
    named = [line for line in log_text.splitlines()
             if state_dir in line and "MiB free" in line]
    checks.check("one line names the state dir and the free space", len(named) >= 1,
                 log_text[-1500:])
    for line in named[:2]:
        itlib.log(f"  {line}")

    os.remove(filler)
    itlib.log(f"filler removed: {free_mib(fs):.1f} MiB free")
    processor.start()
    try:
        processor.wait_assigned()
        itlib.wait_caught_up(args.bootstrap, group, prefix, PARTITIONS, 240, [processor])
    finally:
        code = processor.stop()
    checks.check("restart after freeing space catches up and stops cleanly", code == 0,
                 f"exit {code}")
    alerts, signals, _ = itlib.read_outputs(args.bootstrap, prefix, work)
    diff = itlib.multiset_diff(alerts, expected_alerts)
    checks.check(f"alerts == replay alerts ({len(alerts)})", not diff, diff)
    diff = itlib.multiset_diff(signals, expected_signals)
    checks.check(f"signals == replay signals ({len(signals)})", not diff, diff)


if __name__ == "__main__":
    ARGS = itlib.parse_args()
    fs_dir = os.path.join(ARGS.work_dir, "fs")
    os.makedirs(fs_dir)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_MIB}m", "tmpfs", fs_dir],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        print(f"SKIP: cannot mount a {FS_MIB} MiB tmpfs at {fs_dir} (needs root): "
              f"{mounted.stderr.strip()}", flush=True)
        sys.exit(SKIP)
    try:
        checks = itlib.Checks()
        try:
            main(checks, fs_dir)
        except Exception as e:  # noqa: BLE001 - any error fails the test with its traceback
            import traceback
            traceback.print_exc()
            checks.check("test ran to its end", False, f"{type(e).__name__}: {str(e)[-1500:]}")
    finally:
        subprocess.run(["umount", "-l", fs_dir], check=False)
        shutil.rmtree(fs_dir, ignore_errors=True)
    checks.finish()
