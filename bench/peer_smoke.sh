#!/usr/bin/env bash
# bench/peer_smoke.sh BUILD_DIR — the CI smoke run of the peer benchmark (bench/peer_smoke.cmake):
# the peer's jar with its unit tests (Maven; dependencies from Maven Central into ~/.m2 on first
# use, as tools/kafka/broker.sh fetches the broker), then bench/peer_bench.sh on 300 customers
# (equal work must hold; one drain of each processor) against the broker at $KAFKA_PORT. Results
# go to BUILD_DIR/peer-smoke, not to bench/RESULTS.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$(realpath "${1:?usage: peer_smoke.sh BUILD_DIR}")"
OUT="$BUILD/peer-smoke"
rm -rf "$OUT"
mkdir -p "$OUT"
mvn -q -B -f "$ROOT/bench/peers/kafka-streams/pom.xml" package
BUILD="$BUILD" CXPULSE_PEERBENCH_DATA="$OUT/data" CXPULSE_PEERBENCH_RESULTS="$OUT" \
  bash "$ROOT/bench/peer_bench.sh" --runs 1 --customers 300 --equal-customers 300 \
  --no-latency --no-report | tee "$OUT/smoke.log"
LOG="$(ls "$OUT"/2*.log)"
for want in equal_work ceiling; do
  grep -q "RESULT step=$want" "$LOG" || { echo "peer_smoke: no $want result" >&2; exit 1; }
done
drains="$(grep 'RESULT step=drain' "$LOG" || true)"
[[ "$(grep -c . <<<"$drains")" -eq 4 ]] || { echo "peer_smoke: not 4 drain results" >&2; exit 1; }
if grep -Ev 'exit=(0|143)$' <<<"$drains" | grep -q . || grep -q 'events_per_s=nan' <<<"$drains"; then
  echo "peer_smoke: a drain did not finish" >&2
  exit 1
fi
echo "peer_smoke: ok"
