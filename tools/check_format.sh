#!/usr/bin/env bash
# Fails when a C++ file under the project's folders differs from .clang-format's layout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mapfile -t files < <(git ls-files '*.h' '*.cpp' | grep -E '^(schemas|state|processors|generate|runtime|tests|bench)/')
if [ ${#files[@]} -eq 0 ]; then exit 0; fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/cxpulse-format.log; then
  echo "check_format: these files need 'clang-format -i':" >&2
  grep -oE '^[^:]+\.(h|cpp)' /tmp/cxpulse-format.log | sort -u >&2
  exit 1
fi
echo "check_format: ${#files[@]} files ok"
