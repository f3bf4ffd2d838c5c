#!/usr/bin/env bash
# Growth series of the peer benchmark (issue 13, item 4), one command:
#
#   bench/peer_growth.sh [--customers "10000 100000 1000000 10000000"] [--instances "1 2"]
#                        [--rocksdb "default tuned"] [--runs R]
#                        [--modes "cxpulse:exactly_once peer:exactly_once_v2"]
#                        [--budget-minutes M] [--jvm-opts "FLAGS"] [--no-plot]
#                        [--max-records N] [--first N] [--equal-first] [--compare-alerts]
#                        [--workload generate|first-sighting] [--dir DIR]
#
# For each customer count (ascending), each instance count and each peer RocksDB config, one
# `bench/peer_bench.sh` drain round (no equal-work, no latency step): the librdkafka ceiling, then
# the modes in alternation on the same preloaded topics, so every cxpulse/peer ratio comes from
# one round. The peer's `tuned` config is its RocksDBConfigSetter (TunedRocksDbConfig: shared
# block cache and write-buffer budget, the Kafka Streams memory-management docs' recipe); two
# instances are two processes in one consumer group on the same cores.
#
# --max-records N drains only the first N records of each backlog (both processors the same
# records: equal work, but only the customers those records reach) when a whole drain would not
# fit the time. --first N instead generates and preloads only the first N records of each
# workload (the generator's output is in event-time order, so the prefix is where the state
# grows: first sightings) and drains all of them: for sizes whose whole workload does not fit the
# disk or the time (10 M customers: ≈ 173 M records, ≈ 35 GB); the table says "first N of ≈ M"
# and how many customers the prefix reaches; its topics and file are deleted after the size.
# --equal-first: equal work on those records (replay against the peer, once per size);
# --compare-alerts: the alerts of each drain against cxpulse exactly-once's (drains run both
# processors without an idle watermark, so that they do the same work: peer_bench.py drain).
# --workload first-sighting: bench/first_sighting_load.py instead of `cxpulse generate` (2 records
# per customer, so a whole workload reaches every customer: 1 M customers = 2 M records); the
# table labels those rows with their records per customer.
# A (customers, instances, config) run is skipped (and said so in the table) when
# its estimated time, from the slowest events/s measured so far at the largest count, exceeds
# what is left of --budget-minutes (default: no budget). Logs go to
# bench/peer_results/growth-<stamp>/ (or --dir: an earlier series, whose logs then count too);
# the table replaces the "peer-growth" section of bench/RESULTS.md; the plot (throughput and
# peak RSS against customers) is written to bench/peer_results/peer_growth.png when matplotlib
# is there (Debian: python3-matplotlib, `tools/install_deps.sh bench`), otherwise skipped with a
# message.
# Run it under `nice -n 10` on a shared machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY=/usr/bin/python3
CUSTOMERS="10000 100000 1000000 10000000"
INSTANCES="1 2"
ROCKSDB="default tuned"
RUNS=1
MODES="cxpulse:exactly_once peer:exactly_once_v2"
BUDGET_MIN=0
JVM_OPTS=""
PLOT=1
MAX_RECORDS=0
FIRST=0
EQUAL_FIRST=0
COMPARE=0
DIR=""
WORKLOAD=generate
EVENTS_PER_CUSTOMER=17.3  # measured: 344 728 records for 20 000 customers

usage() {
  sed -n '4,10p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --customers) CUSTOMERS="$2"; shift 2 ;;
    --instances) INSTANCES="$2"; shift 2 ;;
    --rocksdb) ROCKSDB="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --budget-minutes) BUDGET_MIN="$2"; shift 2 ;;
    --jvm-opts) JVM_OPTS="$2"; shift 2 ;;
    --no-plot) PLOT=0; shift ;;
    --max-records) MAX_RECORDS="$2"; shift 2 ;;
    --first) FIRST="$2"; shift 2 ;;
    --equal-first) EQUAL_FIRST=1; shift ;;
    --compare-alerts) COMPARE=1; shift ;;
    --dir) DIR="$2"; shift 2 ;;
    --workload) WORKLOAD="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$FIRST" =~ ^[0-9]+$ ]] || { echo "--first must be a whole number" >&2; exit 2; }
[[ "$BUDGET_MIN" =~ ^[0-9]+$ ]] || { echo "--budget-minutes must be a whole number" >&2; exit 2; }
for c in $CUSTOMERS; do [[ "$c" =~ ^[0-9]+$ ]] || { echo "--customers: '$c' is not a number" >&2; exit 2; }; done
for i in $INSTANCES; do [[ "$i" =~ ^[12]$ ]] || { echo "--instances: 1 and/or 2" >&2; exit 2; }; done
[[ "$WORKLOAD" == first-sighting ]] && EVENTS_PER_CUSTOMER=2
for r in $ROCKSDB; do [[ "$r" == default || "$r" == tuned ]] || { echo "--rocksdb: default and/or tuned" >&2; exit 2; }; done

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
DIR="${DIR:-$ROOT/bench/peer_results/growth-$STAMP}"  # --dir: add to an earlier series
mkdir -p "$DIR"
SKIPPED="$DIR/skipped.txt"
touch "$SKIPPED"
STARTED=$(date +%s)
read -r -a sizes <<<"$(tr ' ' '\n' <<<"$CUSTOMERS" | sort -n | tr '\n' ' ')"
slowest=""  # events/s: the slowest mode at the largest size run so far

for customers in "${sizes[@]}"; do
  equal_first=$EQUAL_FIRST  # once per size
  # Default RocksDB first (1, then 2 instances), then tuned: the budget cuts the tuned runs first.
  for rocksdb in $ROCKSDB; do
    for instances in $INSTANCES; do
      if ((BUDGET_MIN > 0)) && [[ -n "$slowest" ]]; then
        # One drain of the backlog per mode and round; the slowest mode dominates.
        estimate=$(awk -v c="$customers" -v e="$EVENTS_PER_CUSTOMER" -v r="$slowest" \
          -v k="$RUNS" -v m="$(wc -w <<<"$MODES")" -v cap="$((FIRST > 0 ? FIRST : MAX_RECORDS))" \
          'BEGIN { n = c * e; if (cap > 0 && cap < n) n = cap; printf "%d", (n / r * 1.15 + 60 * m) * k }')
        left=$((BUDGET_MIN * 60 - ($(date +%s) - STARTED)))
        if ((estimate > left)); then
          echo "$customers $instances $rocksdb $estimate $left $slowest" >>"$SKIPPED"
          echo "peer_growth: $customers customers, $instances instance(s), $rocksdb skipped: ≈ $((estimate / 60)) min at $slowest events/s, $((left / 60)) min left" >&2
          continue
        fi
      fi
      echo "peer_growth: $customers customers, $instances instance(s), peer RocksDB $rocksdb" >&2
      args=(--runs "$RUNS" --customers "$customers" --instances "$instances" --rocksdb "$rocksdb"
            --modes "$MODES" --max-records "$MAX_RECORDS" --no-latency --no-equal-work --no-report)
      [[ -n "$JVM_OPTS" ]] && args+=(--jvm-opts "$JVM_OPTS")
      ((FIRST > 0)) && args+=(--first "$FIRST")
      ((COMPARE)) && args+=(--compare-alerts)
      args+=(--workload "$WORKLOAD")
      ((FIRST > 0 && equal_first)) && args+=(--equal-first) && equal_first=0
      CXPULSE_PEERBENCH_RESULTS="$DIR" "$ROOT/bench/peer_bench.sh" "${args[@]}"
      if ((FIRST > 0)); then
        # This round's outputs, changelogs and the peer's internal topics.
        log="$(printf '%s\n' "$DIR"/*-c"$customers"-i"$instances"-"$rocksdb".log | sort | tail -1)"
        read -r -a runs <<<"$(sed -n 's/^RESULT step=drain .* run=\([0-9a-f]*\) .*/pb.\1. peer-\1-/p' "$log" | tr '\n' ' ')"
        ((${#runs[@]} == 0)) || $PY "$ROOT/bench/peer_bench.py" delete-topics \
          --bootstrap "127.0.0.1:${KAFKA_PORT:-19380}" "${runs[@]}"
      fi
      # The slowest mode measured so far at the largest size run (the estimate for what follows).
      rate=$(grep -h 'step=drain' "$DIR"/*.log | grep "customers=$customers " |
        sed -n 's/.* events_per_s=\([0-9]*\) .*/\1/p' | sort -n | head -1)
      [[ -n "$rate" && "$rate" -gt 0 ]] && slowest="$rate"
    done
  done
  if ((FIRST > 0)); then
    wl=""
    [[ "$WORKLOAD" == first-sighting ]] && wl=fs
    $PY "$ROOT/bench/peer_bench.py" delete-topics --bootstrap "127.0.0.1:${KAFKA_PORT:-19380}" \
      "pb$wl$customers.first$FIRST."
    rm -f "${CXPULSE_PEERBENCH_DATA:-/tmp/peerbench-data}/drain-$wl$customers-first$FIRST.jsonl"
  fi
done

$PY "$ROOT/bench/peer_bench.py" growth-report "$DIR"/*.log --skipped "$SKIPPED" \
  --csv "$DIR/drain.csv" >/dev/null
if ((PLOT)); then
  if $PY -c 'import matplotlib' 2>/dev/null; then
    $PY "$ROOT/bench/peer_plot.py" "$DIR/drain.csv" --out "$ROOT/bench/peer_results/peer_growth.png"
  else
    echo "peer_growth: plot skipped: matplotlib missing (apt-get install python3-matplotlib, or tools/install_deps.sh bench)" >&2
  fi
fi
echo "peer_growth: logs in $DIR; table in bench/RESULTS.md (peer-growth)"
