#!/usr/bin/env bash
# Builds the decoder fuzzer with clang-14 (libFuzzer + ASan + UBSan) in build-fuzz/, seeds its
# corpus from schemas/examples and runs it for N seconds (default 30).
# Usage: tests/fuzz/run_fuzz.sh [seconds]
set -euo pipefail
seconds="${1:-30}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${root}/build-fuzz"
cxx="${CXX_FUZZ:-clang++-14}"
mkdir -p "${build}/corpus" "${build}/artifacts"

sources=(tests/fuzz/decoder_fuzz.cpp schemas/decoder.cpp schemas/event_builder.cpp
         schemas/field_slots.cpp schemas/decode_error.cpp schemas/timestamp.cpp)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -Wall -Wextra -Werror -I"${root}")
binary="${build}/decoder_fuzz"
(cd "${root}" && "${cxx}" "${flags[@]}" "${sources[@]}" -lsimdjson -o "${binary}")

cp "${root}"/schemas/examples/valid/*.json "${root}"/schemas/examples/invalid/*.json \
   "${build}/corpus/"
"${binary}" "${build}/corpus" -max_total_time="${seconds}" -max_len=70000 \
  -artifact_prefix="${build}/artifacts/" -print_final_stats=1
