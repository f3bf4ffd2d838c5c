#!/usr/bin/env bash
# tools/kafka formats new broker storage with a random cluster id, which is URL-safe base64 and
# begins with '-' one time in 64: the format command must still take it as the id, not as an
# option (a new user's first `ctest` failed on that). Checks the generator's shape over many
# draws, then formats real storage with an id that begins with '-' (skipped, exit 77, without
# java or mvn).
set -euo pipefail

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KAFKA_DIR="$work/kafka"
# shellcheck source=../../tools/kafka/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../tools/kafka/common.sh"

# Draw until an id begins with '-' (1 in 64; none in 2000 draws happens once in 10^13 runs).
dash_id=""
for _ in $(seq 1 2000); do
  id="$(kafka_new_cluster_id)"
  [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || { echo "malformed cluster id: $id" >&2; exit 1; }
  if [[ "$id" == -* ]]; then
    dash_id="$id"
    break
  fi
done
[[ -n "$dash_id" ]] || { echo "no id beginning with '-' in 2000 draws" >&2; exit 1; }

if ! command -v "$KAFKA_JAVA" >/dev/null || ! command -v mvn >/dev/null; then
  echo "java or mvn missing: storage format not checked" >&2
  exit 77
fi
kafka_fetch_jars
mkdir -p "$KAFKA_DIR"
cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:1
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:2,CONTROLLER://127.0.0.1:1
log.dirs=$KAFKA_DIR/data
PROPS
kafka_format_storage "$dash_id" "$KAFKA_DIR/server.properties" "$KAFKA_DIR/format.log"
grep -qx "cluster.id=$dash_id" "$KAFKA_DIR/data/meta.properties" || {
  echo "meta.properties does not hold cluster.id=$dash_id:" >&2
  cat "$KAFKA_DIR/data/meta.properties" >&2
  exit 1
}
echo "formatted storage with cluster id $dash_id"
