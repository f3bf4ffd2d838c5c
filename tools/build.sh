#!/usr/bin/env bash
# Installs the system dependencies (if missing) and builds cxpulse into build/ (build/cxpulse).
# Usage: tools/build.sh [extra cmake -D options]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash tools/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j "$(nproc)"
echo "build: ok -> build/cxpulse"
