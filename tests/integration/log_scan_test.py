#!/usr/bin/python3
"""No customer id or payload in any log line above debug level or in any metric label (SPEC §6,
issue 14 "Security"), over everything the integration tests of this ctest run produced.

ctest runs it as a cleanup of the fixture kafka_broker, so after every integration test that ran
(whichever were selected). It reads each test's work dir under --integration-dir that was
written since this run's broker was formatted (--since: its meta.properties):
- the secrets: values of customer_id, event_id, contact_id, session_id, agent_id, query and
  comment in every JSON / JSON Lines file there (the generated inputs, the hostile corpora, the
  outputs);
- the logs: every *.log (the processes' own output: `cxpulse run`, `cxpulse outreach`, at their
  default level, through bad input, rebalances, takeovers, kill -9, broker outages, notifier
  failures) and every *.metrics.txt (the last /metrics of each process, saved by
  itlib.Processor.stop).
A value (4 characters or more) made of letters, digits and `_.@:-` counts as a whole word of a
line, any other (free text) anywhere in it. Lines logged at debug or trace level are skipped.
Exit 77 (skipped) when no broker was started in this run.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

FIELDS = ("customer_id", "event_id", "contact_id", "session_id", "agent_id", "query", "comment")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
WORD = re.compile(r"[A-Za-z0-9_.@:-]{4,}")
LEVEL = re.compile(r"^\S+ (debug|trace) ")
FREE_TEXT = re.compile(rb'"(?:query|comment)": ?"((?:[^"\\]|\\.)*)"')


def grep(options, patterns, files):
    """GNU grep (C locale, fixed strings from `patterns` or one regex) over `files`; the lines
    it prints. Fast where Python regexes over the suite's ~0.6 GB of JSON Lines are not."""
    if not files or not patterns:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".patterns") as f:
        f.write("\n".join(patterns) + "\n")
        f.flush()
        result = subprocess.run(["grep", *options, "-f", f.name, "--", *files],
                                capture_output=True, env=dict(os.environ, LC_ALL="C"),
                                timeout=600)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"grep: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode(errors="replace").splitlines()


def log_texts(logs, integration_dir):
    """[(where, text)]: every log line not at debug/trace level, and the label values of every
    metric sample."""
    out = []
    for path in sorted(logs):
        with open(path, errors="replace") as f:
            for n, line in enumerate(f, 1):
                if path.endswith(".metrics.txt"):
                    if line.startswith("#"):
                        continue
                    text = " ".join(value for _, value in LABEL.findall(line))
                elif LEVEL.match(line):
                    continue
                else:
                    text = line
                if text.strip():
                    out.append((f"{os.path.relpath(path, integration_dir)}:{n}", text.rstrip()))
    return out


def leaked_values(texts, data_files):
    """The customer ids and payload values of `data_files` that occur in `texts`: an id-like
    value as a whole word, free text (a query, a comment) anywhere. Two passes of grep -F: which
    words of the logs occur in the data at all, then which of those are a field's whole value."""
    words = sorted({w.strip(".:") for _, text in texts for w in WORD.findall(text)})
    present = sorted(set(grep(["-ohwF"], words, data_files)))
    patterns = [f'"{field}":{space}"{word}"' for word in present for field in FIELDS
                for space in ("", " ")]
    values = {line.split('"')[3] for line in grep(["-ohF"], patterns, data_files)}
    for line in grep(["-ohE"], ['"(query|comment)": ?"[^"]*"'], data_files):
        match = FREE_TEXT.match(line.encode())
        if match:
            try:
                value = json.loads(b'"' + match.group(1) + b'"')
            except ValueError:
                continue
            if len(value) >= 4 and not WORD.fullmatch(value):
                values.add(value)
    found = []
    for where, text in texts:
        line_words = {w.strip(".:") for w in WORD.findall(text)}
        for value in values:
            if (value in line_words) if WORD.fullmatch(value) else (value in text):
                found.append(f"{where}: {value!r} in {text[:300]}")
    return found, len(words), len(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--integration-dir", required=True)
    parser.add_argument("--since", required=True, help="a file written when this run began")
    args = parser.parse_args()
    if not os.path.exists(args.since):
        print(f"skipped: {args.since} does not exist (no broker was started in this run)")
        sys.exit(77)
    since = os.path.getmtime(args.since)
    logs, dirs = [], set()
    for root, _, files in os.walk(args.integration_dir):
        if "CURRENT" in files or "IDENTITY" in files:
            continue  # a RocksDB directory: its NNNNNN.log files are write-ahead logs
        for name in files:
            path = os.path.join(root, name)
            if name.endswith((".log", ".metrics.txt")) and os.path.getmtime(path) >= since:
                logs.append(path)
                dirs.add(os.path.relpath(path, args.integration_dir).split(os.sep)[0])
    data_files = []
    for test in sorted(dirs):
        for root, _, files in os.walk(os.path.join(args.integration_dir, test)):
            data_files += [os.path.join(root, n) for n in files if n.endswith((".jsonl", ".json"))]
    texts = log_texts(logs, args.integration_dir)
    print(f"{len(logs)} logs and metric snapshots ({len(texts)} lines) of {len(dirs)} tests: "
          f"{', '.join(sorted(dirs))}; {len(data_files)} data files")
    found, words, values = leaked_values(texts, data_files)
    print(f"{words} distinct words in the logs; {values} customer ids and payload values of the "
          f"data to look for in them (those words that are one, and every free-text value)")
    for line in found[:30]:
        print("LEAK " + line)
    print(f"{0 if found else 1} passed, {1 if found else 0} failed")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
