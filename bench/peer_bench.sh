#!/usr/bin/env bash
# cxpulse side by side with its Kafka Streams peer on one local broker (bench/README.md, "Peer
# benchmark"). One command:
#
#   bench/peer_bench.sh [--runs R] [--customers N] [--instances 1|2] [--rocksdb default|tuned]
#                       [--rate EVENTS_PER_S] [--latency-seconds S] [--no-latency]
#                       [--no-equal-work] [--equal-customers N] [--no-report]
#                       [--jvm-opts "FLAGS"] [--modes "PROCESSOR:MODE ..."] [--max-records N]
#                       [--first N] [--equal-first] [--compare-alerts]
#                       [--workload generate|first-sighting]
#
# 1. builds what is missing: build/cxpulse, consume_ceiling and rate_producer (cmake --build
#    $BUILD), the peer's jar (mvn package in bench/peers/kafka-streams);
# 2. starts its own broker (tools/kafka/, KAFKA_DIR=/tmp/peer-kafka, KAFKA_PORT=19380) unless it
#    is running;
# 3. equal work: `peer_bench.py equal-work` on a small file (3 000 customers): the alerts of the
#    peer and of `cxpulse replay` must be the same (exit 1 otherwise);
# 4. generates N customers (default 20 000; struggle 0.5, 2 % duplicates, 1 % bad lines) and
#    preloads them into pb<N>. + the four input topics, 4 partitions each (once; reused);
#    --workload first-sighting: bench/first_sighting_load.py instead (2 records per customer, a
#    call queued and abandoned: every customer reached, no duplicates or bad lines), into
#    pbfs<N>.;
#    --first N: only the first N records of that workload (the generator writes in event-time
#    order, so a prefix of the same bytes), into pb<N>.first<M>. (a whole drain of it is then
#    the prefix; for workloads too large to generate or drain whole); --equal-first: equal
#    work on those records too (`peer_bench.py equal-work --file`, replay against the peer);
# 5. R rounds, alternating: the librdkafka consume ceiling, then drain by cxpulse exactly-once,
#    cxpulse at-least-once, the peer EOS v2, the peer at-least-once (each with I instances in one
#    group, fresh group, outputs and state; --modes picks some of these four, e.g.
#    "cxpulse:exactly_once peer:exactly_once_v2"; --max-records N drains only the first N
#    records, the same for each); --compare-alerts: after the round, the alerts of each
#    processor's last drain against the first one's (`peer_bench.py compare-alerts`);
# 6. latency: a fresh file (generated once the processor is ready) produced at a fixed rate (default: half the peer's EOS v2 drain rate,
#    so that every processor keeps up) for about S seconds (default 20) into fresh topics, each
#    processor and mode once per round;
# 7. writes the log to bench/peer_results/ and the tables of every log there into
#    bench/RESULTS.md (section "Peer benchmark"), with the machine and its load.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
PY=/usr/bin/python3
BENCH="$ROOT/bench/peer_bench.py"
LIVE="$ROOT/bench/live_bench.py"
PEER_DIR="$ROOT/bench/peers/kafka-streams"
DATA="${CXPULSE_PEERBENCH_DATA:-/tmp/peerbench-data}"
export KAFKA_DIR="${KAFKA_DIR:-/tmp/peer-kafka}" KAFKA_PORT="${KAFKA_PORT:-19380}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
RUNS=2
CUSTOMERS=20000
INSTANCES=1
ROCKSDB=default
RATE=""
LATENCY_SECONDS=20
LATENCY=1
EQUAL=1
EQUAL_CUSTOMERS=3000
REPORT=1
JVM_OPTS=""
MODES="cxpulse:exactly_once cxpulse:at_least_once peer:exactly_once_v2 peer:at_least_once"
MAX_RECORDS=0
FIRST=0
EQUAL_FIRST=0
COMPARE=0
WORKLOAD=generate

usage() {
  sed -n '5,10p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
  exit 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --customers) CUSTOMERS="$2"; shift 2 ;;
    --instances) INSTANCES="$2"; shift 2 ;;
    --rocksdb) ROCKSDB="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --latency-seconds) LATENCY_SECONDS="$2"; shift 2 ;;
    --no-latency) LATENCY=0; shift ;;
    --no-equal-work) EQUAL=0; shift ;;
    --equal-customers) EQUAL_CUSTOMERS="$2"; shift 2 ;;
    --no-report) REPORT=0; shift ;;
    --jvm-opts) JVM_OPTS="$2"; shift 2 ;;
    --modes) MODES="$2"; shift 2 ;;
    --max-records) MAX_RECORDS="$2"; shift 2 ;;
    --first) FIRST="$2"; shift 2 ;;
    --equal-first) EQUAL_FIRST=1; shift ;;
    --compare-alerts) COMPARE=1; shift ;;
    --workload) WORKLOAD="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ "$FIRST" =~ ^[0-9]+$ ]] || { echo "--first must be a whole number" >&2; exit 2; }
[[ "$INSTANCES" =~ ^[12]$ ]] || { echo "--instances must be 1 or 2" >&2; exit 2; }
[[ "$ROCKSDB" == default || "$ROCKSDB" == tuned ]] || { echo "--rocksdb default|tuned" >&2; exit 2; }
[[ "$WORKLOAD" == generate || "$WORKLOAD" == first-sighting ]] ||
  { echo "--workload generate|first-sighting" >&2; exit 2; }
for pm in $MODES; do
  case "$pm" in
    cxpulse:exactly_once | cxpulse:at_least_once | peer:exactly_once_v2 | peer:at_least_once) ;;
    *) echo "--modes: unknown '$pm' (cxpulse:exactly_once cxpulse:at_least_once peer:exactly_once_v2 peer:at_least_once)" >&2; exit 2 ;;
  esac
done

# 1. builds
if [[ ! -x "$BUILD/cxpulse" || ! -x "$BUILD/bench/consume_ceiling" || ! -x "$BUILD/bench/rate_producer" ]]; then
  cmake --build "$BUILD" -j2 --target cxpulse consume_ceiling rate_producer
fi
JAR="$PEER_DIR/target/cxpulse-streams-peer.jar"
if [[ ! -s "$JAR" ]]; then
  mvn -q -B -f "$PEER_DIR/pom.xml" package -DskipTests
fi

# 2. broker
RESULTS_DIR="${CXPULSE_PEERBENCH_RESULTS:-$ROOT/bench/peer_results}"
mkdir -p "$DATA" "$RESULTS_DIR"
"$ROOT/tools/kafka/broker.sh" start
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
LOG="$RESULTS_DIR/$STAMP-c$CUSTOMERS-i$INSTANCES-$ROCKSDB.log"
{
  echo "# date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine=$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "# cxpulse_build=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)"
  echo "# java=$(java -version 2>&1 | head -1)"
  echo "# rocksdb=$ROCKSDB"
  echo "# jvm_opts=${JVM_OPTS:-default}"
  echo "# modes=$MODES"
  echo "# max_records=$MAX_RECORDS"
  echo "# first=$FIRST"
  echo "# workload=$WORKLOAD"
  echo "# drain_idle_watermark_ms=0"
} >"$LOG"
COMMON=(--bootstrap "$BOOTSTRAP" --cxpulse "$BUILD/cxpulse" --peer-jar "$JAR"
        --instances "$INSTANCES" --rocksdb "$ROCKSDB" --customers "$CUSTOMERS")
[[ -n "$JVM_OPTS" ]] && COMMON+=(--jvm-opts="$JVM_OPTS")
record() { tee -a "$LOG"; }
load() { awk '{print $1}' /proc/loadavg; }
LOADS=()

# 3. equal work
if ((EQUAL)); then
  $PY "$BENCH" equal-work --bootstrap "$BOOTSTRAP" --cxpulse "$BUILD/cxpulse" --peer-jar "$JAR" \
    --customers "$EQUAL_CUSTOMERS" | record
fi

# 4. backlog
generate() {
  if [[ "$WORKLOAD" == first-sighting ]]; then
    $PY "$ROOT/bench/first_sighting_load.py" --customers "$CUSTOMERS" /dev/stdout
    return
  fi
  "$BUILD/cxpulse" generate --customers "$CUSTOMERS" --seed 1 \
    --struggle-ratio 0.5 --duplicate-ratio 0.02 --invalid-ratio 0.01 \
    --start 2026-11-10T00:00:00Z 2>/dev/null
}
WL=""
[[ "$WORKLOAD" == first-sighting ]] && WL="fs"
if ((FIRST > 0)); then
  FILE="$DATA/drain-$WL$CUSTOMERS-first$FIRST.jsonl"
  # head closes the pipe after N lines: the generator stops there (SIGPIPE), nothing more is made.
  [[ -s "$FILE" ]] || { generate || true; } | head -n "$FIRST" >"$FILE"
  PREFIX="pb$WL$CUSTOMERS.first$FIRST."
  # How many customers the prefix reaches (of $CUSTOMERS): the state it can grow to.
  echo "# customers_reached=$(grep -o '"customer_id":"[^"]*"' "$FILE" | sort -u | wc -l)" >>"$LOG"
else
  FILE="$DATA/drain-$WL$CUSTOMERS.jsonl"
  [[ -s "$FILE" ]] || generate >"$FILE"
  PREFIX="pb$WL$CUSTOMERS."
fi
RECORDS="$(wc -l <"$FILE")"
echo "# records_per_customer=$(awk -v r="$RECORDS" -v c="$CUSTOMERS" 'BEGIN { printf "%.1f", r / c }')" >>"$LOG"
if ((FIRST > 0 && RECORDS != FIRST)); then
  echo "--first $FIRST: the workload of $CUSTOMERS customers gave $RECORDS records ($FILE)" >&2
  exit 1
fi
if ! kcat -L -b "$BOOTSTRAP" -t "${PREFIX}cx.surveys" 2>/dev/null | grep -q 'partition 0'; then
  $PY "$LIVE" preload --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" "$FILE" | record
fi

if ((FIRST > 0 && EQUAL_FIRST)); then
  $PY "$BENCH" equal-work --bootstrap "$BOOTSTRAP" --cxpulse "$BUILD/cxpulse" --peer-jar "$JAR" \
    --customers "$CUSTOMERS" --file "$FILE" | record
fi

# 5. drain, alternating
declare -A RATES RUN_IDS
for ((r = 1; r <= RUNS; r++)); do
  LOADS+=("$(load)")
  $PY "$LIVE" ceiling --bootstrap "$BOOTSTRAP" --prefix "$PREFIX" --records "$RECORDS" \
    --ceiling "$BUILD/bench/consume_ceiling" | record
  for pm in $MODES; do
    line="$($PY "$BENCH" drain "${COMMON[@]}" --prefix "$PREFIX" --processor "${pm%%:*}" \
      --mode "${pm#*:}" --max-records "$MAX_RECORDS" | record)"
    RATES[$pm]+=" $(sed -n 's/.* events_per_s=\([0-9]*\).*/\1/p' <<<"$line")"
    RUN_IDS[$pm]="$(sed -n 's/.* run=\([0-9a-f]*\) .*/\1/p' <<<"$line")"
  done
done
# Equal work on the drained records: each processor's alerts against the first mode's.
if ((COMPARE)); then
  read -r -a pms <<<"$MODES"
  for pm in "${pms[@]:1}"; do
    $PY "$BENCH" compare-alerts --bootstrap "$BOOTSTRAP" --customers "$CUSTOMERS" \
      --a "${pms[0]}:${RUN_IDS[${pms[0]}]}" --b "$pm:${RUN_IDS[$pm]}" | record
  done
fi

# 6. latency at a fixed rate
if ((LATENCY)); then
  if [[ -z "$RATE" ]]; then
    [[ -n "${RATES[peer:exactly_once_v2]:-}" ]] || { echo "latency: give --rate (no peer EOS v2 drain)" >&2; exit 2; }
    RATE="$(awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%d", s / NF / 2 }' \
      <<<"${RATES[peer:exactly_once_v2]}")"
  fi
  LAT_CUSTOMERS="$(awk -v r="$RATE" -v s="$LATENCY_SECONDS" 'BEGIN { printf "%d", r * s / 16.7 }')"
  for ((r = 1; r <= RUNS; r++)); do
    for pm in $MODES; do
      LOADS+=("$(load)")
      $PY "$BENCH" latency "${COMMON[@]}" --processor "${pm%%:*}" --mode "${pm#*:}" \
        --generate "$LAT_CUSTOMERS" --seed "$r" --span "$LATENCY_SECONDS" \
        --rate "$RATE" --producer "$BUILD/bench/rate_producer" | record
    done
  done
fi
LOADS+=("$(load)")
echo "# load=$(IFS=-; echo "$(printf '%s\n' "${LOADS[@]}" | sort -n | head -1)–$(printf '%s\n' "${LOADS[@]}" | sort -n | tail -1)")" >>"$LOG"

# 7. tables
if ((REPORT)); then
  $PY "$BENCH" report "$ROOT"/bench/peer_results/*.log --csv "$ROOT/bench/peer_results/drain.csv" \
    --header "$(cat "$ROOT/bench/peer_results/HEADER.md")" >/dev/null
  echo "peer_bench: log $LOG; tables in bench/RESULTS.md"
fi
