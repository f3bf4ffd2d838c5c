#!/usr/bin/env bash
# Live benchmark of `cxpulse run` on a real local Kafka broker (bench/README.md, "Live benchmark").
#
#   bench/live_bench.sh [--runs R] [--customers N] [--rate EVENTS_PER_S] [--latency-seconds S]
#                       [--latency-only] [--threads "1 2"] [--modes "exactly_once"]
#                       [--drain-only]
#
# BASELINE=/path/to/other/cxpulse also runs every drain and latency step with that binary,
# alternating with $BUILD/cxpulse, so before/after ratios come from one run (RESULT lines carry
# binary=baseline|build).
#
# 1. starts its own broker (KAFKA_DIR=/tmp/livebench-kafka, KAFKA_PORT=19392) unless running,
#    with Kafka's default group.initial.rebalance.delay.ms (3 s) where the test broker has 0: the
#    processing threads of one `cxpulse run` then join the group together, as against a
#    production broker, instead of one thread holding every shard until its next heartbeat
#    (bench/RESULTS.md, "The drain bench's broker joins the group as production brokers do");
# 2. generates N customers (default 200 000, ≈ 2.3 M events) of past traffic and preloads them
#    into lb.drain<N>. + the four input topics (once; reused when the topics exist);
# 3. ceiling: consume_ceiling on those topics, R times;
# 4. drain: `cxpulse run` on the backlog, exactly_once then at_least_once, R times each;
# 5. latency: a fresh file with journeys starting now and spread over the production time,
#    produced at --rate (default: half the mean exactly-once drain rate) for about S seconds
#    (default 30) by bench/rate_producer, both modes, R times. --latency-only (needs --rate)
#    skips steps 2-4.
# --threads "T1 T2 ..." runs every drain with each processing.threads value in turn (alternating
# within a run; RESULT lines carry threads=T); --modes limits the drain and latency steps to the
# modes given; --drain-only skips the latency step.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build-livebench}"
PY=/usr/bin/python3
BENCH="$ROOT/bench/live_bench.py"
DATA="${CXPULSE_LIVEBENCH_DATA:-/tmp/livebench-data}"
export KAFKA_DIR="${KAFKA_DIR:-/tmp/livebench-kafka}" KAFKA_PORT="${KAFKA_PORT:-19392}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
HTTP_PORT="${LIVEBENCH_HTTP_PORT:-19480}"
declare -A BINARIES=([build]="$BUILD/cxpulse")
[[ -n "${BASELINE:-}" ]] && BINARIES[baseline]="$BASELINE"
RUNS=2
CUSTOMERS=200000
RATE=""
LATENCY_SECONDS=30
LATENCY_ONLY=0
DRAIN_ONLY=0
THREADS=""
MODES="exactly_once at_least_once"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --customers) CUSTOMERS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --latency-seconds) LATENCY_SECONDS="$2"; shift 2 ;;
    --latency-only) LATENCY_ONLY=1; shift ;;
    --drain-only) DRAIN_ONLY=1; shift ;;
    --threads) THREADS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    *) echo "usage: $0 [--runs R] [--customers N] [--rate N] [--latency-seconds S] [--latency-only] [--threads LIST] [--modes LIST] [--drain-only]" >&2
       exit 2 ;;
  esac
done

mkdir -p "$DATA"
REBALANCE_DELAY="group.initial.rebalance.delay.ms=3000"
if [[ -z "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
  export KAFKA_EXTRA_PROPERTIES="$DATA/broker-extra.properties"
  echo "$REBALANCE_DELAY" >"$KAFKA_EXTRA_PROPERTIES"
fi
"$ROOT/tools/kafka/broker.sh" start
if ! grep -qx "$REBALANCE_DELAY" "$KAFKA_DIR/server.properties" 2>/dev/null; then
  echo "live_bench: the running broker was started without $REBALANCE_DELAY; drains with" \
    "two processing threads start on one (restart it: KAFKA_DIR=$KAFKA_DIR tools/kafka/broker.sh stop)" >&2
fi
lscpu | grep -E '^(Model name|CPU\(s\)|L3)' || true
uptime

if ((LATENCY_ONLY)); then
  [[ -n "$RATE" ]] || { echo "--latency-only needs --rate" >&2; exit 2; }
else
  FILE="$DATA/drain-$CUSTOMERS.jsonl"
  [[ -s "$FILE" ]] || "$BUILD/cxpulse" generate --customers "$CUSTOMERS" --seed 1 \
    --start 2026-11-10T00:00:00Z --output "$FILE"
  RECORDS="$(wc -l <"$FILE")"
  PREFIX="lb.drain$CUSTOMERS."
  if ! kcat -L -b "$BOOTSTRAP" -t "${PREFIX}cx.surveys" 2>/dev/null | grep -q 'partition 0'; then
    $PY "$BENCH" preload --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" "$FILE"
  fi

  for ((r = 1; r <= RUNS; r++)); do
    $PY "$BENCH" ceiling --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --records "$RECORDS" \
      --ceiling "$BUILD/bench/consume_ceiling"
  done

  declare -A DRAIN_RATES
  for mode in $MODES; do
    for ((r = 1; r <= RUNS; r++)); do
      for label in "${!BINARIES[@]}"; do
        for threads in ${THREADS:-default}; do
          extra="{}"
          [[ "$threads" != default ]] && extra="{\"processing\": {\"threads\": $threads}}"
          line="$($PY "$BENCH" drain --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" \
            --records "$RECORDS" --mode "$mode" --cxpulse "${BINARIES[$label]}" \
            --http-port "$HTTP_PORT" --extra-config "$extra")"
          echo "$line binary=$label threads=$threads load=$(cut -d' ' -f1 /proc/loadavg)"
          [[ "$label" == build ]] &&
            DRAIN_RATES[$mode]+=" $(sed -n 's/.* events_per_s=\([0-9]*\).*/\1/p' <<<"$line")"
        done
      done
    done
  done

fi

((DRAIN_ONLY)) && exit 0
if [[ -z "$RATE" ]]; then
  # Half the mean exactly-once drain rate.
  RATE="$(awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%d", s / NF / 2 }' \
    <<<"${DRAIN_RATES[exactly_once]}")"
fi
EVENTS_PER_CUSTOMER=16.7  # generator, struggle ratio 0.5
LAT_CUSTOMERS="$(awk -v r="$RATE" -v s="$LATENCY_SECONDS" -v e="$EVENTS_PER_CUSTOMER" \
  'BEGIN { printf "%d", r * s / e }')"
echo "latency: rate $RATE events/s, $LAT_CUSTOMERS customers, struggle ratio 0.5"
for mode in $MODES; do
  for ((r = 1; r <= RUNS; r++)); do
    LFILE="$DATA/latency.jsonl"
    for label in "${!BINARIES[@]}"; do
      # Journeys start a few seconds from now (loading the file takes a while) and over the
      # production time; later events of a journey run ahead of the wall clock (max_future 30d).
      "$BUILD/cxpulse" generate --customers "$LAT_CUSTOMERS" --seed "$r" --struggle-ratio 0.5 \
        --start "$(date -u -d "+$((LAT_CUSTOMERS / 20000 + 8)) seconds" +%Y-%m-%dT%H:%M:%SZ)" \
        --span "${LATENCY_SECONDS}s" --output "$LFILE" 2>/dev/null
      line="$($PY "$BENCH" latency --bootstrap "$BOOTSTRAP" --rate "$RATE" --mode "$mode" \
        --http-port "$HTTP_PORT" --cxpulse "${BINARIES[$label]}" \
        --producer "$BUILD/bench/rate_producer" "$LFILE")"
      echo "$line binary=$label load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
