#!/usr/bin/env bash
# Counts the instructions a replay executes (valgrind's callgrind), per input line and by
# function. Instruction counts do not move with the machine's load, so on a shared machine they
# compare two builds where a timing cannot (±15–20 % between alternated runs): run it for both
# binaries on the same input. They are not a time: cache misses (the customer tables at 1 M
# customers) and multiply chains cost more than their count, so confirm a gain in time too.
#
#   bench/replay_instructions.sh [--top N] CXPULSE_BINARY INPUT.jsonl
#
# Prints the total (processing thread and RocksDB's background threads), instructions per
# input line, and the N functions (default 25) with the most instructions of their own. The
# replay runs ≈ 50× slower than natively: 200 000 lines take 3–5 minutes. Needs valgrind
# (Debian package `valgrind`); a binary with symbols (RelWithDebInfo) names the functions.
set -euo pipefail

top=25
if [[ "${1:-}" == "--top" ]]; then
  top="${2:?--top needs a number}"
  shift 2
fi
if [[ $# -ne 2 ]]; then
  echo "usage: bench/replay_instructions.sh [--top N] CXPULSE_BINARY INPUT.jsonl" >&2
  exit 2
fi
binary="$1"
input="$2"
for tool in valgrind callgrind_annotate; do
  if ! command -v "$tool" >/dev/null; then
    echo "replay_instructions: $tool not found (apt-get install valgrind)" >&2
    exit 2
  fi
done
[[ -x "$binary" ]] || { echo "replay_instructions: $binary is not an executable" >&2; exit 2; }
[[ -r "$input" ]] || { echo "replay_instructions: cannot read $input" >&2; exit 2; }

work="$(mktemp -d -t cxpulse-instructions.XXXXXX)"
trap 'rm -rf "$work"' EXIT

lines="$(wc -l <"$input")"
echo "replay_instructions: $binary on $input ($lines lines) under callgrind…" >&2
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "$binary" replay --input "$input" --output "$work/alerts.jsonl" \
  --signals "$work/signals.jsonl" --dead-letter "$work/dead.jsonl" \
  --state-dir "$work/state" >"$work/replay.log" 2>"$work/valgrind.log" || {
  echo "replay_instructions: the replay failed; its log:" >&2
  cat "$work/replay.log" "$work/valgrind.log" >&2
  exit 1
}

total="$(grep -m1 -oP 'Collected : \K[0-9]+' "$work/valgrind.log")"
echo "binary        $binary"
echo "input         $input ($lines lines)"
echo "outputs md5   $(cat "$work/alerts.jsonl" "$work/signals.jsonl" | md5sum | cut -c1-8)"
echo "instructions  $total"
echo "per line      $((total / (lines > 0 ? lines : 1)))"
echo
echo "functions with the most instructions of their own (inlined code counts in its caller's"
echo "source line; see callgrind_annotate --auto=yes for lines):"
callgrind_annotate "$work/callgrind.out" 2>/dev/null |
  awk '/^-+$/ {rule++; next} rule >= 5 && NF > 0 && $1 != "Ir"' | head -n "$top" | cut -c1-160
