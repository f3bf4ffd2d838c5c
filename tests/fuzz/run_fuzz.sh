#!/usr/bin/env bash
# Long, coverage-guided fuzzing by hand (CI runs each fuzzer briefly as the ctest test
# fuzz.<name>). Builds the fuzz targets with clang-14 and libFuzzer under ASan+UBSan
# (-DCXPULSE_FUZZ=ON) in build-fuzz/, then runs each for N seconds (default 30) over its seed
# corpus; what libFuzzer finds goes to build-fuzz/fuzz-corpus/<name>, crashes to
# build-fuzz/fuzz-artifacts/. Fuzzers: decoder (default), state_codec, config, http_request.
# Usage: tests/fuzz/run_fuzz.sh [seconds] [fuzzer...]
#   e.g. tests/fuzz/run_fuzz.sh 3600 state_codec config http_request
# Without clang, the GCC build's targets run long with the same flags, without coverage guidance:
#   build/tests/config_fuzz -runs=100000000 -max_total_time=3600 -seed=$RANDOM \
#     -dict=tests/fuzz/config.dict build/fuzz-corpus/config tests/fuzz/corpus/config
set -euo pipefail
seconds="${1:-30}"
shift || true
fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(decoder)
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${root}/build-fuzz"
cmake -S "${root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++-14}" -DCXPULSE_FUZZ=ON -DCXPULSE_BENCH=OFF -DCXPULSE_WERROR=OFF >/dev/null
cmake --build "${build}" -j "$(nproc)" --target "${fuzzers[@]/%/_fuzz}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for name in "${fuzzers[@]}"; do
  case "${name}" in
    decoder) seeds=("${root}/schemas/examples/valid" "${root}/schemas/examples/invalid") ;;
    *) seeds=("${root}/tests/fuzz/corpus/${name}") ;;
  esac
  dict=()
  [ -f "${root}/tests/fuzz/${name}.dict" ] && dict=(-dict="${root}/tests/fuzz/${name}.dict")
  mkdir -p "${build}/fuzz-corpus/${name}" "${build}/fuzz-artifacts"
  echo "run_fuzz: ${name} for ${seconds} s"
  "${build}/tests/${name}_fuzz" -max_total_time="${seconds}" -max_len=70000 "${dict[@]}" \
    -artifact_prefix="${build}/fuzz-artifacts/" -print_final_stats=1 \
    "${build}/fuzz-corpus/${name}" "${seeds[@]}"
done
