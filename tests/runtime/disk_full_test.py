#!/usr/bin/python3
"""`cxpulse replay --state-dir` on a filesystem that fills up: exits 1 with one line naming the
state dir and the free space, never SIGABRT (RocksDB 7.8 aborted through the assertion
`sync_without_flush_called_` when it logged the error to its LOG file on the full disk); once
space is freed, a re-run on the same state dir starts cleanly and finishes.

The small filesystem is a tmpfs mounted here, so the test needs root (or CAP_SYS_ADMIN); it
exits 77 (ctest: skipped) with the reason when it cannot mount.

usage: disk_full_test.py --cxpulse BIN --work-dir DIR
"""
import argparse
import os
import shutil
import subprocess
import sys

from checks import Checks, log

SKIP = 77
FS_MIB = 96
CUSTOMERS = 160000  # their state needs ~42 MiB on disk (no write-ahead log)
FREE_MIB = 20
COMMIT_FREE_MIB = 60  # opens (32 MiB reserve); a commit is refused once the state has grown


def free_mib(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / (1 << 20)


def fill(path, mib):
    with open(path, "wb") as f:
        f.write(b"\0" * int(mib) * (1 << 20))


def replay(cxpulse, input_path, state_dir, out_dir, config=None):
    cmd = [cxpulse, "-q", "replay", "--input", input_path, "--state-dir", state_dir,
           "--output", os.path.join(out_dir, "alerts.jsonl")]
    if config:
        cmd += ["--config", config]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return result.returncode, result.stderr


def check_clean_failure(checks, name, code, stderr, state_dir):
    lines = [line for line in stderr.splitlines() if line.strip()]
    checks.check(f"{name}: exit 1, not a signal", code == 1, f"exit {code}; {stderr[-800:]}")
    checks.check(f"{name}: no assertion", "Assertion" not in stderr and "abort" not in stderr.lower(),
                 stderr[-800:])
    checks.check(f"{name}: exactly one line", len(lines) == 1, f"{len(lines)} lines: {stderr[-800:]}")
    text = lines[0] if lines else ""
    checks.check(f"{name}: the line names the state dir and the free space",
                 state_dir in text and "MiB free" in text, text)
    log(f"  {name}: {text}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()
    work = os.path.abspath(args.work_dir)
    if os.path.ismount(os.path.join(work, "fs")):
        subprocess.run(["umount", "-l", os.path.join(work, "fs")], check=False)
    shutil.rmtree(work, ignore_errors=True)
    fs = os.path.join(work, "fs")
    os.makedirs(fs)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_MIB}m", "tmpfs", fs],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        log(f"SKIP: cannot mount a {FS_MIB} MiB tmpfs at {fs} (needs root): "
            f"{mounted.stderr.strip()}")
        return SKIP
    checks = Checks()
    try:
        input_path = os.path.join(work, "input.jsonl")
        subprocess.run([args.cxpulse, "-q", "generate", "--customers", str(CUSTOMERS),
                        "--seed", "7", "--output", input_path], check=True, timeout=300)
        out = os.path.join(work, "out")
        os.makedirs(out)
        filler = os.path.join(fs, "filler")
        fill(filler, free_mib(fs) - COMMIT_FREE_MIB)
        log(f"{free_mib(fs):.1f} MiB free on the {FS_MIB} MiB tmpfs")

        # 1. The default reserve (state.min_free_mb 32): the store opens, a commit is refused
        # before RocksDB hits the wall.
        at_commit = os.path.join(fs, "at-commit")
        code, stderr = replay(args.cxpulse, input_path, at_commit, out)
        check_clean_failure(checks, "default reserve, at a commit", code, stderr, at_commit)
        checks.check("default reserve, at a commit: refused at a commit", "to commit" in stderr,
                     stderr)
        shutil.rmtree(at_commit)

        # ... and with less free than the reserve, at open.
        filler_more = os.path.join(fs, "filler-more")
        fill(filler_more, free_mib(fs) - FREE_MIB)
        log(f"{free_mib(fs):.1f} MiB free")
        reserved = os.path.join(fs, "reserved")
        code, stderr = replay(args.cxpulse, input_path, reserved, out)
        check_clean_failure(checks, "default reserve, at open", code, stderr, reserved)

        # 2. No reserve: RocksDB itself runs out of space (a flush, or its log).
        no_reserve = os.path.join(work, "no-reserve.yaml")
        with open(no_reserve, "w") as f:
            f.write("state:\n  min_free_mb: 0\n")
        full = os.path.join(fs, "full")
        code, stderr = replay(args.cxpulse, input_path, full, out, no_reserve)
        check_clean_failure(checks, "full disk", code, stderr, full)

        # 3. Space freed: a re-run on each state dir starts cleanly and finishes.
        os.remove(filler)
        os.remove(filler_more)
        log(f"filler removed: {free_mib(fs):.1f} MiB free")
        for name, state_dir in (("after the full disk", full), ("after the refusal", reserved)):
            shutil.rmtree(os.path.join(fs, "reserved" if state_dir == full else "full"),
                          ignore_errors=True)  # room for one complete state at a time
            code, stderr = replay(args.cxpulse, input_path, state_dir, out)
            checks.check(f"re-run {name}: exit 0", code == 0, f"exit {code}: {stderr[-800:]}")
    finally:
        subprocess.run(["umount", "-l", fs], check=False)
        shutil.rmtree(work, ignore_errors=True)
    log(f"{checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
