#!/usr/bin/python3
"""`cxpulse replay --state-dir` killed with SIGKILL at random points and run again on the same
state dir, until it finishes, gives byte for byte the outputs of an uninterrupted run (alerts,
signals, dead letters); running it again on its finished state dir is refused with exit 2 and
one line, the outputs untouched; a different input on an interrupted state dir is refused the
same way, and the right input then resumes it.

Before the fix (issue 14, defect 1) this failed: a re-run truncated the outputs while the state
said the events before the kill were applied (46 % of the alerts lost), and a re-run of a
finished replay raised thousands of new, false alerts.

usage: replay_resume_test.py --cxpulse BIN --work-dir DIR [--kills N] [--seed S]
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys

from checks import Checks, log
import time

OUTPUTS = ("alerts", "signals", "dead")


def replay_cmd(cxpulse, config, input_path, state_dir, out_dir):
    return [cxpulse, "-q", "replay", "--config", config, "--input", input_path,
            "--state-dir", state_dir,
            "--output", os.path.join(out_dir, "alerts"),
            "--signals", os.path.join(out_dir, "signals"),
            "--dead-letter", os.path.join(out_dir, "dead")]


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return result.returncode, result.stderr


def finished_before(code, stderr):
    """A kill after the final commit (while the store closes) leaves a finished replay: the next
    run is then refused as already replayed, which is right."""
    return code == 2 and "already replayed" in stderr


def run_and_kill(cmd, after):
    """Starts cmd, SIGKILLs it after `after` seconds; True when it was killed mid-run."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.wait(timeout=after)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if finished_before(process.returncode, stderr):
        return False
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"replay exited {process.returncode}: {stderr[-800:]}")
    return process.returncode == -signal.SIGKILL


def read(path):
    with open(path, "rb") as f:
        return f.read()


def read_if_there(path):
    """The bytes of path, or None when it does not exist yet: a kill can land before the replay
    has opened its outputs (a slow start on a loaded machine)."""
    try:
        return read(path)
    except FileNotFoundError:
        return None


def same_outputs(checks, name, out_dir, reference):
    for output in OUTPUTS:
        got, want = read(os.path.join(out_dir, output)), reference[output]
        detail = ""
        if got != want:
            got_lines, want_lines = got.count(b"\n"), want.count(b"\n")
            detail = f"{got_lines} lines vs {want_lines} uninterrupted, {len(got)} vs {len(want)} bytes"
        checks.check(f"{name}: {output} byte for byte as uninterrupted", got == want, detail)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxpulse", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--customers", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    log(f"seed {args.seed} (--seed to repeat)")
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    checks = Checks()

    # Struggling customers (alerts), duplicates and bad lines (dead letters); small commits and
    # a small cache, so that a kill lands between many commits and states go through RocksDB.
    input_path = os.path.join(work, "input.jsonl")
    other_path = os.path.join(work, "other.jsonl")
    for path, seed in ((input_path, 11), (other_path, 12)):
        subprocess.run([args.cxpulse, "-q", "generate", "--customers", str(args.customers),
                        "--seed", str(seed), "--struggle-ratio", "0.5", "--duplicate-ratio",
                        "0.02", "--invalid-ratio", "0.01", "--output", path],
                       check=True, timeout=300)
    config = os.path.join(work, "config.yaml")
    with open(config, "w") as f:
        f.write("state:\n  commit_every_events: 2000\n  cache_customers: 3000\n")

    # The uninterrupted run.
    ref_dir = os.path.join(work, "ref")
    os.makedirs(ref_dir)
    started = time.monotonic()
    code, stderr = run(replay_cmd(args.cxpulse, config, input_path,
                                  os.path.join(work, "ref-state"), ref_dir))
    duration = time.monotonic() - started
    checks.check("uninterrupted run: exit 0", code == 0, stderr[-800:])
    reference = {output: read(os.path.join(ref_dir, output)) for output in OUTPUTS}
    alert_count = reference["alerts"].count(b"\n")
    dead_count = reference["dead"].count(b"\n")
    log(f"uninterrupted: {duration:.1f} s, {alert_count} alerts, {dead_count} dead letters")
    checks.check("the input raises alerts", alert_count > 1000, str(alert_count))

    # Killed N times at random points, run again each time, then run to the end.
    state = os.path.join(work, "state")
    out = os.path.join(work, "out")
    os.makedirs(out)
    cmd = replay_cmd(args.cxpulse, config, input_path, state, out)
    kills, series, series_kills = 0, 1, 0
    while kills < args.kills:
        after = rng.uniform(0.05, 0.35) * duration
        if run_and_kill(cmd, after):
            kills += 1
            series_kills += 1
            so_far = (read_if_there(os.path.join(out, "alerts")) or b"").count(b"\n")
            log(f"  kill {kills} after {after:.2f} s: {so_far} alerts in the output")
            continue
        # It finished before the kill: the series so far must match too; start another.
        log(f"  finished before the kill at {after:.2f} s")
        same_outputs(checks, f"series {series} ({series_kills} kills)", out, reference)
        shutil.rmtree(state)
        for output in OUTPUTS:
            os.remove(os.path.join(out, output))
        series, series_kills = series + 1, 0
    code, stderr = run(cmd)
    checks.check("the last run: exit 0 (or finished before)",
                 code == 0 or finished_before(code, stderr), stderr[-800:])
    same_outputs(checks, f"series {series} ({series_kills} kills)", out, reference)

    # A finished replay run again on its state dir: refused, nothing written.
    code, stderr = run(cmd)
    lines = [line for line in stderr.splitlines() if line.strip()]
    checks.check("finished input again: exit 2 with one line", code == 2 and len(lines) == 1,
                 f"exit {code}: {stderr[-800:]}")
    checks.check("finished input again: says it was replayed already",
                 "already replayed" in stderr, stderr[-400:])
    same_outputs(checks, "finished input again", out, reference)

    # A different input on an interrupted state dir: refused, outputs untouched; the right
    # input then resumes it.
    state2 = os.path.join(work, "state2")
    out2 = os.path.join(work, "out2")
    os.makedirs(out2)
    cmd2 = replay_cmd(args.cxpulse, config, input_path, state2, out2)
    while not run_and_kill(cmd2, rng.uniform(0.3, 0.6) * duration):
        shutil.rmtree(state2)
    before = {output: read_if_there(os.path.join(out2, output)) for output in OUTPUTS}
    code, stderr = run(replay_cmd(args.cxpulse, config, other_path, state2, out2))
    lines = [line for line in stderr.splitlines() if line.strip()]
    checks.check("different input on an interrupted state dir: exit 2 with one line",
                 code == 2 and len(lines) == 1, f"exit {code}: {stderr[-800:]}")
    checks.check("different input: names the interrupted input",
                 "interrupted" in stderr and input_path in stderr, stderr[-400:])
    checks.check("different input: outputs untouched",
                 all(read_if_there(os.path.join(out2, o)) == before[o] for o in OUTPUTS))
    code, stderr = run(cmd2)
    checks.check("the right input resumes: exit 0", code == 0, stderr[-800:])
    same_outputs(checks, "resumed after a refusal", out2, reference)

    if checks.failed == 0:
        shutil.rmtree(work, ignore_errors=True)
    log(f"{checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
