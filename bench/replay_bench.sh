#!/usr/bin/env bash
# Replay benchmark (bench/README.md). For each customer count: generate the input once into the
# cache dir, run the decode-only baselines, run `cxpulse replay` pinned to one core (or on every
# core: --core all) under /usr/bin/time -v, then compact the kept state dir and measure its bytes
# per customer.
#
# usage: bench/replay_bench.sh [--build DIR] [--cache DIR] [--work DIR] [--core N|all] [--runs R]
#                              [--config FILE] [--no-decode] CUSTOMERS...
#   e.g. bench/replay_bench.sh 1000000 10000000
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
cache="${CXPULSE_BENCH_CACHE:-/work/bench-cache}"
work="${CXPULSE_BENCH_WORK:-/tmp/cxpulse-bench}"
core=1
runs=1
config=""
decode=1
sizes=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --core) core=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --no-decode) decode=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000000)
# The replay's threads (reading, processing, commit writes, RocksDB's) on one core, or on all.
pin=(taskset -c "$core")
where="pinned to core $core"
if [[ "$core" == all ]]; then
  pin=()
  where="on every core"
fi

cxpulse="$build/cxpulse"
baseline="$build/bench/simdjson_baseline"
state_size="$build/bench/state_size"
for tool in "$cxpulse" "$baseline" "$state_size" /usr/bin/time taskset; do
  [[ -x "$tool" ]] || command -v "$tool" >/dev/null ||
    { echo "missing $tool (build: ninja -C $build cxpulse simdjson_baseline state_size;" \
           "/usr/bin/time: apt-get install time)" >&2; exit 1; }
done
mkdir -p "$cache" "$work"

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores," \
     "$(free -g | awk '/^Mem:/{print $2}') GiB RAM; replay $where"
echo "# commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

for customers in "${sizes[@]}"; do
  input="$cache/customers-$customers-seed-1.jsonl"
  if [[ ! -s "$input" ]]; then
    echo "## generating $input"
    /usr/bin/time -f "generate: %e s wall, %M KiB peak RSS" \
      "$cxpulse" generate --customers "$customers" --seed 1 --output "$input.tmp" 2>&1 |
      grep -v ' info generate: '
    mv "$input.tmp" "$input"
  fi
  bytes=$(stat -c %s "$input")
  echo "## $customers customers: $input ($((bytes / 1000000)) MB)"

  if [[ $decode -eq 1 ]]; then
    taskset -c "${core/all/1}" "$baseline" "$input" lines simdjson decoder padded
  fi

  for run in $(seq 1 "$runs"); do
    state="$work/state-$customers"
    rm -rf "$state" "$work/alerts.jsonl" "$work/signals.jsonl" "$work/dead.jsonl"
    args=(replay --input "$input" --output "$work/alerts.jsonl" --signals "$work/signals.jsonl"
          --dead-letter "$work/dead.jsonl" --state-dir "$state")
    [[ -n "$config" ]] && args+=(--config "$config")
    /usr/bin/time -v -o "$work/time.txt" "${pin[@]}" "$cxpulse" "${args[@]}" \
      2> "$work/replay.log"
    summary=$(grep 'replay done' "$work/replay.log")
    applied=$(sed -E 's/.* ([0-9]+) events applied.*/\1/' <<<"$summary")
    seconds=$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<<"$summary")
    rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
    size_report=$("$state_size" "$state" "$customers")
    per_customer=$(sed -n 's/^bytes_per_customer //p' <<<"$size_report")
    sst=$(sed -n 's/^sst_bytes //p' <<<"$size_report")
    sst_before=$(sed -n 's/^sst_bytes_before_compaction //p' <<<"$size_report")
    echo "replay run $run: ${summary#*replay done: }"
    awk -v a="$applied" -v s="$seconds" -v r="$rss_kib" -v w="$wall" -v p="$per_customer" \
        -v b="$sst" -v b0="$sst_before" 'BEGIN {
      printf "  events/s %.0f | peak RSS %.0f MiB | wall %s | state %.1f bytes/customer " \
             "(%.1f MB after compaction, %.1f MB before)\n", a / s, r / 1024, w, p, b / 1e6, b0 / 1e6 }'
    echo "  alerts $(wc -l < "$work/alerts.jsonl"), signals $(wc -l < "$work/signals.jsonl")," \
         "dead letters $(wc -l < "$work/dead.jsonl")"
  done
  rm -rf "$work/alerts.jsonl" "$work/signals.jsonl" "$work/dead.jsonl"
done
