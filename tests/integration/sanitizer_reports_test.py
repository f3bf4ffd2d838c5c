#!/usr/bin/python3
"""A sanitizer report from any process an integration test starts fails that test.

Runs only in an ASan+UBSan build (tests/integration/tests.cmake, label `sanitize`), without a
broker: a child Python process does what an integration script under --sanitized does
(itlib.collect_sanitizer_reports, then Checks), but the process it starts is
sanitizer_canary with a heap overflow (ASan: a report file) or a signed overflow (UBSan: its
stderr, which goes to a *.log file in the work dir as a Processor's does). The child must exit 1
with "FAIL no sanitizer report" naming the fault, although it ignores the canary's exit code;
with a clean canary run it must pass.
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = """
import os, subprocess, sys
sys.path.insert(0, {here!r})
import itlib
itlib.collect_sanitizer_reports(os.path.join({work!r}, "sanitizer-reports"))
checks = itlib.Checks()
with open(os.path.join({work!r}, "canary.log"), "w") as out:
    subprocess.run([{canary!r}, {mode!r}], stdout=out, stderr=subprocess.STDOUT)  # exit ignored
checks.check("the canary ran", True)
checks.finish()
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--canary", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    failed = 0
    for mode, expected_exit, expected in (("heap", 1, "heap-buffer-overflow"),
                                          ("undefined", 1, "signed integer overflow"),
                                          ("none", 0, "2 passed, 0 failed")):
        work = os.path.join(args.work_dir, mode)
        os.makedirs(work)
        code = CHILD.format(here=HERE, work=work, canary=args.canary, mode=mode)
        child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120)
        ok = child.returncode == expected_exit and expected in child.stdout
        if expected_exit:
            ok = ok and "FAIL no sanitizer report from any cxpulse process" in child.stdout
        print(f"{'PASS' if ok else 'FAIL'} {mode}: exit {child.returncode}", flush=True)
        if not ok:
            failed += 1
            print(child.stdout[-3000:], child.stderr[-3000:], sep="\n", flush=True)
    print(f"{3 - failed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
