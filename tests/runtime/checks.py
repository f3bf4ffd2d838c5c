"""Shared by the scripts of tests/runtime/ (run as scripts, so this folder is on sys.path): a
flushed log line and a tally of named checks."""


def log(message):
    print(message, flush=True)


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, name, ok, detail=""):
        log(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + detail))
        self.failed += 0 if ok else 1
