#!/usr/bin/env bash
# Runs cxpulse under heaptrack's preload library and *execs* it, so that the caller's pid is
# cxpulse itself (bench/live_bench.py samples /proc/<pid> and stops it with SIGTERM; the
# `heaptrack` script would put a shell in between). Use it as live_bench.py's --cxpulse:
#
#   HT_BIN=build/cxpulse HT_OUT=/tmp/ht-run bench/live_bench.py drain ... --cxpulse bench/heaptrack_exec.sh
#   heaptrack_print -f /tmp/ht-run.zst -F /tmp/stacks.txt --flamegraph-cost-type peak
#   bench/heap_parts.py /tmp/stacks.txt
#
# HT_LDPATH: LD_LIBRARY_PATH for cxpulse only, e.g. a librdkafka built with symbols (Debian's is
# stripped). Needs heaptrack (Debian package) and zstd. bench/README.md, "Heap profile".
set -euo pipefail
bin="${HT_BIN:?HT_BIN: the cxpulse to profile}"
out="${HT_OUT:-/tmp/heaptrack.cxpulse.$$}"
pipe="$(mktemp -u /tmp/heaptrack-fifo.XXXXXX)"
mkfifo "$pipe"
# The interpreter reads until cxpulse closes the pipe (exits), then removes it.
( /usr/lib/heaptrack/libexec/heaptrack_interpret <"$pipe" | zstd -q -c >"$out.zst"; rm -f "$pipe" ) &
exec env ${HT_LDPATH:+LD_LIBRARY_PATH="$HT_LDPATH"} \
  LD_PRELOAD=/usr/lib/heaptrack/libheaptrack_preload.so DUMP_HEAPTRACK_OUTPUT="$pipe" "$bin" "$@"
