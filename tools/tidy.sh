#!/usr/bin/env bash
# clang-tidy (.clang-tidy: bugprone-*, performance-*, modernize-*) on the C++ sources changed
# against a base revision (default: main; all = every source), using build/compile_commands.json.
# Kept fast on purpose: only the changed files, in parallel. Exit code 0 only if clean.
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
if [ "$base" = all ]; then
  mapfile -t files < <(git ls-files '*.cpp' | grep -E '^(schemas|state|processors|generate|runtime)/')
else
  mapfile -t files < <({ git diff --name-only --diff-filter=AMR "$base" -- '*.cpp';
                         git ls-files --others --exclude-standard -- '*.cpp'; } |
                       grep -E '^(schemas|state|processors|generate|runtime)/' | sort -u)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy: no changed C++ sources"
  exit 0
fi
echo "tidy: ${#files[@]} file(s)"
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null
