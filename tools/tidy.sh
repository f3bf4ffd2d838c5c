#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone-*, performance-*, modernize-*) on the C++ sources changed
# (added or modified; pure renames excluded) against a base revision (default: main), or on
# every C++ source of the tree with `all` (production, tests and benchmarks: the one-command
# whole-tree run), using build/compile_commands.json (configure with -DCXPULSE_BENCH=ON for the
# benchmarks). The project's headers are checked through the sources that include them.
# Only the changed files by default, in parallel (CXPULSE_TIDY_JOBS, default nproc). Exit code
# 0 only if clean; the files with findings are listed at the end.
#   tools/tidy.sh [base-revision|all] [build-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
base="${1:-main}"
build="${2:-build}"
if ! command -v clang-tidy >/dev/null; then
  echo "tidy: clang-tidy is not installed (tools/install_deps.sh)" >&2
  exit 1
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "tidy: $build/compile_commands.json is missing: configure with cmake first" >&2
  exit 1
fi
if [ "$base" != all ] && ! git rev-parse --verify --quiet "$base" >/dev/null; then
  if git rev-parse --verify --quiet "origin/$base" >/dev/null; then
    base="origin/$base"
  else
    base="HEAD~1"  # e.g. a shallow CI checkout: the files of the last commit
  fi
fi
dirs='^(schemas|state|processors|generate|reasons|outreach|runtime|tests|bench)/'
if [ "$base" = all ]; then
  mapfile -t candidates < <(git ls-files '*.cpp' | grep -E "$dirs")
else
  since="$(git merge-base "$base" HEAD)"  # what this branch changed, not what the base gained
  mapfile -t candidates < <({ git diff -M --name-only --diff-filter=AM "$since" -- '*.cpp';
                              git ls-files --others --exclude-standard -- '*.cpp'; } |
                            grep -E "$dirs" | sort -u)
fi
# Only the sources this build compiles (bench/ needs -DCXPULSE_BENCH=ON).
files=()
for f in "${candidates[@]}"; do
  if grep -q "\"file\": \"$root/$f\"" "$build/compile_commands.json"; then
    files+=("$f")
  fi
done
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy: no changed C++ sources"
  exit 0
fi
echo "tidy: ${#files[@]} file(s)"
started=$SECONDS
failed="$(mktemp)"
trap 'rm -f "$failed"' EXIT
# Boost 1.74's Asio enables co_await under clang only with libc++'s <experimental/coroutine>;
# clang 14 with libstdc++ 12 has C++20 coroutines (as g++ does), so say so, or every source
# that uses boost::asio::awaitable fails to parse (runtime/notify, the outreach service).
asio_coroutines=(--extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 --extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1)
printf '%s\n' "${files[@]}" |
  xargs -P "${CXPULSE_TIDY_JOBS:-$(nproc)}" -I{} sh -c \
    'clang-tidy -p "$1" --quiet "$4" "$5" "$2" 2>/dev/null || echo "$2" >>"$3"' \
    _ "$build" {} "$failed" "${asio_coroutines[@]}" ||
  true
echo "tidy: $(( SECONDS - started )) s"
if [ -s "$failed" ]; then
  echo "tidy: findings in:" >&2
  sort "$failed" >&2
  exit 1
fi
