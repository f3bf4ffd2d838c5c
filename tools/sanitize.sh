#!/usr/bin/env bash
# Builds and runs the unit tests under a sanitizer, in its own build directory:
#   tools/sanitize.sh thread    # ThreadSanitizer (CXPULSE_TSAN), build-tsan/
#   tools/sanitize.sh address   # AddressSanitizer + UndefinedBehaviorSanitizer (CXPULSE_SANITIZE), build-asan/
# Extra arguments go to ctest (e.g. -R Http); under `thread`, to each test binary (e.g.
# --gtest_filter='Http*'). Exit code 0 only if every test passed without a sanitizer report.
# Suppressions, each with its reason, live in tools/sanitizers/*.supp.
# `address` then also runs the integration tests labelled `sanitize` (tests/integration/tests.cmake)
# against build-asan's cxpulse, with their own Kafka broker on CXPULSE_IT_KAFKA_PORT (the build
# dir's cache; default 19192); CXPULSE_SANITIZE_INTEGRATION=0 skips them. The time of each step
# is printed ("sanitize: ... took N s").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
kind="${1:-thread}"
shift || true
case "$kind" in
  thread) build=build-tsan; option=-DCXPULSE_TSAN=ON ;;
  address) build=build-asan; option=-DCXPULSE_SANITIZE=ON ;;
  *) echo "sanitize: expected thread or address, got '$kind'" >&2; exit 2 ;;
esac
# Warnings are errors in the normal build already; here GCC's extra, sanitizer-only warnings
# (-Wmaybe-uninitialized under ASan) must not stop the run that looks for real faults.
# With ccache installed (not on a fresh CI machine), objects come from the shared cache when
# unchanged: CCACHE_BASEDIR (default: the parent of the checkout) lets other checkouts share them.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$root")}"
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# -O1 -g1 (line tables only): the optimisation level the sanitizers' documentation suggests, and
# enough debug information for symbolized reports (function, file and line of every frame).
# Compiling runtime/kafka/live_processor.cpp with ASan+UBSan took 39 s of CPU this way against
# 91 s at RelWithDebInfo's -O2 -g (2026-12-02), which is what makes both builds fit in CI.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DCXPULSE_BENCH=OFF -DCXPULSE_WERROR=OFF "$option" "${launcher[@]}" >/dev/null
# ThreadSanitizer: only the unit-test binaries of the threaded code (the HTTP server and client,
# the notifier, the metrics probe, the live processor's customer lookups and the other pure
# parts of runtime/kafka, the outreach service's parts, the
# shard's batch written on another thread while it keeps processing: ShardCommit.*, the
# replay's reading and output-writing threads: DecodedLinesTest.*, JsonLinesFileTest.*); the
# rest is single-threaded and covered by the address build. CXPULSE_TSAN_TESTS="a b" narrows the
# list.
read -r -a tsan_tests <<<"${CXPULSE_TSAN_TESTS:-http_tests notify_tests metrics_tests kafka_tests outreach_service_tests shard_tests replay_tests}"
started=$SECONDS
if [ "$kind" = thread ]; then
  cmake --build "$build" -j "$(nproc)" --target "${tsan_tests[@]}"
else
  cmake --build "$build" -j "$(nproc)"
fi
echo "sanitize: build of $build took $((SECONDS - started)) s"
supp="$root/tools/sanitizers"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1${TSAN_EXTRA:+ $TSAN_EXTRA}"
[ -f "$supp/tsan.supp" ] && TSAN_OPTIONS+=" suppressions=$supp/tsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Under TSan, a test that starts a librdkafka client crashes inside TSan's allocator: Debian's
# librdkafka starts its threads with C11 thrd_create, which GCC 12's TSan runtime does not
# intercept, so those threads have no TSan state (seen in KafkaLog.MakeKafkaConf…). Such tests
# (KafkaLog.MakeKafkaConf…, GroupDirectoryTest.*: a librdkafka admin client,
# KafkaClients.SmallestFetchMaxIsAcceptedByLibrdkafka and
# ChangelogRestore.WithoutBrokersARestoreWaitsUntilStopped: a consumer), and the live
# integration tests, cannot run under TSan without an instrumented librdkafka.
# StateStoreTest.EachCommitIsAtomic is left out too: it checks RocksDB's own guarantee (a scan on
# a second thread during commits sees each commit whole), and Debian's librocksdb is not built
# with TSan, so the atomics with which its memtable skip list publishes new entries are invisible
# to TSan, which reports the intercepted memcpy of an insert against a concurrent reader's reads
# of that memory (1 run in 1-3; seen 2026-12-02) — a false report that no suppression can match
# reliably (the writer's stack is often lost). The rest of state_tests is single-threaded, so
# state_tests is not in the default list. ReplayTest.* is left out for the same report: a replay
# writes each commit's batch on a second thread while it reads customers from the store (13 of
# 13 reports in a run of its 6 tests were a memtable key comparison against an insert's memcpy,
# 2026-12-04); the replay's own threads are covered by the other replay_tests, its processing
# threads by ReplayOnThreadsTest.* (every customer in memory: no store read during a commit).
started=$SECONDS
if [ "$kind" = thread ]; then
  failed=()
  for t in "${tsan_tests[@]}"; do
    echo "sanitize: $t under ThreadSanitizer"
    (cd "$build/tests" && "./$t" --gtest_brief=1 --gtest_filter='-KafkaLog.MakeKafkaConf*:GroupDirectoryTest.*:KafkaClients.SmallestFetchMax*:ChangelogRestore.WithoutBrokers*:StateStoreTest.EachCommitIsAtomic:ReplayTest.*' "$@") ||
      failed+=("$t")
  done
  echo "sanitize: unit tests under $kind took $((SECONDS - started)) s"
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "sanitize: failed under ThreadSanitizer: ${failed[*]}" >&2
    exit 1
  fi
  exit 0
fi
# k8s_manifests checks the image's Dockerfile against the shared libraries of the binary it ships;
# an instrumented binary links libasan/libubsan, so that check is for the normal build only.
ctest --test-dir "$build" -L unit -E '^k8s_manifests$' --output-on-failure -j 2 "$@"
echo "sanitize: unit tests under $kind took $((SECONDS - started)) s"
if [ "${CXPULSE_SANITIZE_INTEGRATION:-1}" != 0 ]; then
  # One at a time (RUN_SERIAL); each script sets its own ASAN_OPTIONS/UBSAN_OPTIONS (--sanitized).
  started=$SECONDS
  ctest --test-dir "$build" -L sanitize --output-on-failure "$@"
  echo "sanitize: integration tests under $kind took $((SECONDS - started)) s"
fi
