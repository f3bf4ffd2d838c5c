# Shared settings and helpers for broker.sh and topics.sh. Sourced, not run.
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port on 127.0.0.1          default 19092
#   KAFKA_CONTROLLER_PORT  KRaft controller port on 127.0.0.1            default KAFKA_PORT+1
#   KAFKA_DIR              config, pid file, data (data/) and logs (logs/) default tools/kafka/run
#   KAFKA_LIB              where the jars are copied                      default tools/kafka/lib
#   KAFKA_HEAP             broker -Xmx                                    default 768m
#   KAFKA_START_TIMEOUT    seconds `start`/`wait` wait for the broker     default 90
#   KAFKA_STOP_TIMEOUT     seconds `stop` waits after TERM before KILL    default 30
#   KAFKA_CLUSTER_ID       cluster id when formatting new storage          default random
#   KAFKA_EXTRA_PROPERTIES a file appended to server.properties (its keys win), e.g. a SASL_SSL
#                          listener (tests/integration/kafka_security_test.py)
#   KAFKA_FORMAT_ARGS      extra arguments of the storage format (new storage only), split on
#                          spaces, e.g. --add-scram SCRAM-SHA-512=[name=u,password=p]
#   JAVA_HOME              java to use (else `java` on PATH)

KAFKA_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_DIR="$(realpath -m "${KAFKA_DIR:-$KAFKA_TOOLS_DIR/run}")"
KAFKA_LIB="$(realpath -m "${KAFKA_LIB:-$KAFKA_TOOLS_DIR/lib}")"
KAFKA_HEAP="${KAFKA_HEAP:-768m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  KAFKA_JAVA="$JAVA_HOME/bin/java"
else
  KAFKA_JAVA="java"
fi

kafka_log() { echo "kafka: $*" >&2; }
kafka_die() { echo "kafka: error: $*" >&2; exit 1; }

# Copies the Kafka jars named in pom.xml into $KAFKA_LIB unless that was already done for the
# current pom.xml. Maven caches them in ~/.m2, so a refetch after `rm -rf lib` is offline.
kafka_fetch_jars() {
  local stamp_want stamp_have=""
  command -v mvn >/dev/null || kafka_die "mvn not found (tools/install_deps.sh kafka)"
  mkdir -p "$KAFKA_LIB"
  stamp_want="$(sha256sum "$KAFKA_TOOLS_DIR/pom.xml" | cut -d' ' -f1)"
  (
    flock 9
    [[ -f "$KAFKA_LIB/.stamp" ]] && stamp_have="$(cat "$KAFKA_LIB/.stamp")"
    if [[ "$stamp_have" == "$stamp_want" ]]; then
      exit 0
    fi
    kafka_log "fetching Kafka jars with Maven into $KAFKA_LIB"
    rm -f "$KAFKA_LIB"/*.jar "$KAFKA_LIB/.stamp"
    if ! mvn -B -q -f "$KAFKA_TOOLS_DIR/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIB" >"$KAFKA_LIB/.mvn.log" 2>&1; then
      tail -n 30 "$KAFKA_LIB/.mvn.log" >&2
      kafka_die "Maven could not fetch the Kafka jars (log: $KAFKA_LIB/.mvn.log)"
    fi
    echo "$stamp_want" >"$KAFKA_LIB/.stamp"
    kafka_log "fetched $(ls "$KAFKA_LIB"/*.jar | wc -l) jars"
  ) 9>"$KAFKA_LIB/.lock"
}

# Runs a Kafka command-line tool class from the jars with a small heap; logs go to stderr.
kafka_run_tool() {
  local class="$1"
  shift
  "$KAFKA_JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_TOOLS_DIR/tools-log4j.properties" \
    -cp "$KAFKA_LIB/*" "$class" "$@"
}

# A random Kafka cluster id: 16 bytes as unpadded URL-safe base64 (22 characters), which may
# begin with '-' (so pass it as --cluster-id=ID, never as a separate argument).
kafka_new_cluster_id() {
  head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='
}

# Formats KRaft storage for the broker config CONFIG with cluster id ID (storage that is already
# formatted is kept); the tool's output goes to LOG and, on failure, to stderr.
kafka_format_storage() {
  local cluster_id="$1" config="$2" log="$3"
  local -a extra=()
  read -r -a extra <<<"${KAFKA_FORMAT_ARGS:-}"
  kafka_run_tool kafka.tools.StorageTool format --ignore-formatted \
    "--cluster-id=$cluster_id" --config "$config" "${extra[@]}" >"$log" 2>&1 || {
    cat "$log" >&2
    kafka_die "formatting storage failed (cluster id $cluster_id)"
  }
}
