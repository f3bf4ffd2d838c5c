#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs dependencies, builds with warnings as
# errors, checks formatting, runs clang-tidy on the C++ files changed against main, runs every
# ctest test (unit and integration, the fuzzers' bounded runs among them), then (see
# CXPULSE_SANITIZE_CI below) the unit tests, the fuzzers' bounded runs and a subset of the
# integration tests again under ASan+UBSan (tools/sanitize.sh address; any sanitizer report
# fails), in CI the threaded code's unit tests under TSan (tools/sanitize.sh thread), then fuzzes the decoder with
# libFuzzer for a short time. Exit code 0 only if everything passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash tools/install_deps.sh kafka browser prometheus container
bash tools/check_format.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCXPULSE_WERROR=ON >/dev/null
cmake --build build -j "$(nproc)"
# Changed files only: on a 2-core machine clang-tidy takes 10-60 s per file, so the 172 sources
# (production, tests, benchmarks) take tens of minutes (83 of them took 57 min on a shared,
# heavily loaded 2-core machine); `tools/tidy.sh all` runs over every source
# (CXPULSE_TIDY_BASE=all here).
bash tools/tidy.sh "${CXPULSE_TIDY_BASE:-main}" build
ctest --test-dir build --output-on-failure -j 2 --timeout 900
# The ASan+UBSan step (a second build without benchmarks, then the unit tests and the
# integration tests labelled `sanitize`: live_equals_replay, crash_recovery, oversized_record,
# bad_input_campaign and the sanitizer_reports canary): CXPULSE_SANITIZE_CI=1 runs it, 0 skips
# it. Its default under CI=true is CXPULSE_SANITIZE_IN_CI below (RELIABILITY.md "Sanitizers" has
# the times).
CXPULSE_SANITIZE_IN_CI=1
default_sanitize=0
[ "${CI:-}" = true ] && default_sanitize="$CXPULSE_SANITIZE_IN_CI"
if [ "${CXPULSE_SANITIZE_CI:-$default_sanitize}" != 0 ]; then
  bash tools/sanitize.sh address --timeout 900
fi
# ThreadSanitizer over the unit tests of the threaded code (tools/sanitize.sh thread's list:
# the HTTP server, client, router and alert feed, the notifier, the metrics probe, the live
# processor's customer lookups, the outreach service, the shard's commit on a second thread,
# the replay's reading and writing threads), in build-tsan/; in CI (CI=true) or with CXPULSE_TSAN_CI=1. RELIABILITY.md "Sanitizers" has the
# figures; CXPULSE_TSAN_TESTS picks other binaries.
if [ "${CI:-}" = true ] || [ "${CXPULSE_TSAN_CI:-0}" != 0 ]; then
  bash tools/sanitize.sh thread
fi
bash tests/fuzz/run_fuzz.sh "${CXPULSE_FUZZ_SECONDS:-30}"
