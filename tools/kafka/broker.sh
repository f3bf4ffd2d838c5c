#!/usr/bin/env bash
# A single-node Apache Kafka 3.9 broker (KRaft, combined broker+controller) on 127.0.0.1 for
# cxpulse's tests. See README.md. Settings come from the environment; see common.sh.
#
#   broker.sh start    fetch jars if needed, write config, format storage if new, start, wait
#   broker.sh stop     TERM, then KILL after $KAFKA_STOP_TIMEOUT s; data is kept
#   broker.sh status   prints "running (pid N) on 127.0.0.1:PORT" or "stopped"; exit 0 / 3
#   broker.sh wait     wait until the broker answers (up to $KAFKA_START_TIMEOUT s)
#   broker.sh fetch    only fetch the jars
#   broker.sh clean    stop, then delete $KAFKA_DIR (all topics and data)
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PID_FILE="$KAFKA_DIR/kafka.pid"
CONFIG="$KAFKA_DIR/server.properties"
DATA_DIR="$KAFKA_DIR/data"
LOG_DIR="$KAFKA_DIR/logs"

usage() {
  echo "usage: $0 start|stop|status|wait|fetch|clean" >&2
  exit 2
}

# Prints the pid of this instance's broker if it is alive, else nothing (returns 1).
running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  # Guard against a recycled pid: it must be a broker started with this instance's config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# kill -0 alone also succeeds on a zombie.
alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]]
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when the broker answers a metadata request and lists itself as a broker.
broker_answers() {
  if command -v kcat >/dev/null; then
    kcat -L -b "$KAFKA_BOOTSTRAP" -m 2 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$KAFKA_PORT"
  elif /usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null; then
    /usr/bin/python3 - "$KAFKA_BOOTSTRAP" <<'EOF' 2>/dev/null
import sys
from confluent_kafka.admin import AdminClient
md = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=2)
sys.exit(0 if md.brokers else 1)
EOF
  else
    port_open "$KAFKA_PORT"
  fi
}

# True while the process whose pid `start` wrote is alive.
started_pid_alive() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"
}

# Shows why a start failed: the JVM's own output, then what server.log got since this start.
log_tail() {
  local new_lines
  if [[ -s "$LOG_DIR/kafka.out" ]]; then
    echo "----- $LOG_DIR/kafka.out (last lines) -----" >&2
    tail -n 20 "$LOG_DIR/kafka.out" >&2
  fi
  if [[ -f "$LOG_DIR/server.log" ]]; then
    new_lines="$(tail -c "+$((${SERVER_LOG_START:-0} + 1))" "$LOG_DIR/server.log")"
    echo "----- $LOG_DIR/server.log: errors since this start -----" >&2
    grep -E '^\[[^]]*\] (ERROR|FATAL)' <<<"$new_lines" | head -n 10 >&2 || true
    echo "----- $LOG_DIR/server.log: last lines -----" >&2
    tail -n 25 <<<"$new_lines" >&2
  fi
}

# Waits for the broker to answer. With "stop_on_timeout", a broker that does not answer in time
# is stopped so that a failed start leaves nothing running.
wait_ready() {
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    # Alive, not running_pid: right after `start` forks, the child may not have exec'd java yet,
    # and its command line is still this script's (a loaded machine once failed a start so).
    if ! started_pid_alive; then
      log_tail
      kafka_die "broker process exited during startup (logs: $LOG_DIR)"
    fi
    if broker_answers; then
      return 0
    fi
    sleep 0.5
  done
  log_tail
  if [[ "${1:-}" == "stop_on_timeout" ]]; then
    cmd_stop >&2
  fi
  kafka_die "broker did not answer on $KAFKA_BOOTSTRAP within ${KAFKA_START_TIMEOUT}s (logs: $LOG_DIR)"
}

write_config() {
  cat >"$CONFIG.tmp" <<EOF
# Written by tools/kafka/broker.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1

auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
# After an unclean stop the old registration must expire before the broker is unfenced.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000

# Tests replay historical event times as record timestamps: never delete by age.
log.retention.ms=-1
log.retention.check.interval.ms=10000
log.segment.bytes=67108864
log.cleaner.backoff.ms=1000
EOF
  if [[ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]]; then
    # Later keys win (java.util.Properties), so these may also replace the listeners above.
    echo "# From KAFKA_EXTRA_PROPERTIES=$KAFKA_EXTRA_PROPERTIES" >>"$CONFIG.tmp"
    cat "$KAFKA_EXTRA_PROPERTIES" >>"$CONFIG.tmp"
  fi
  mv "$CONFIG.tmp" "$CONFIG"
}

format_storage_if_new() {
  local cluster_id
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  cluster_id="${KAFKA_CLUSTER_ID:-$(kafka_new_cluster_id)}"
  kafka_log "formatting new storage in $DATA_DIR (cluster id $cluster_id)"
  kafka_format_storage "$cluster_id" "$CONFIG" "$LOG_DIR/format.log"
}

cmd_start() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: already running (pid $pid) on $KAFKA_BOOTSTRAP"
    wait_ready
    return 0
  fi
  rm -f "$PID_FILE"
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$port"; then
      kafka_die "port 127.0.0.1:$port is taken by another process (set KAFKA_PORT or KAFKA_CONTROLLER_PORT)"
    fi
  done
  command -v "$KAFKA_JAVA" >/dev/null || kafka_die "java not found (tools/install_deps.sh kafka)"
  kafka_fetch_jars
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  write_config
  format_storage_if_new

  local started=$SECONDS
  SERVER_LOG_START="$(stat -c %s "$LOG_DIR/server.log" 2>/dev/null || echo 0)"
  # setsid: the broker outlives this script and is not hit by the caller's Ctrl-C.
  setsid nohup "$KAFKA_JAVA" -Xms256m "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j.configuration="file:$KAFKA_TOOLS_DIR/log4j.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$CONFIG" >"$LOG_DIR/kafka.out" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  wait_ready stop_on_timeout
  echo "kafka: started (pid $(cat "$PID_FILE")) on $KAFKA_BOOTSTRAP in $((SECONDS - started))s; data in $DATA_DIR"
}

cmd_stop() {
  local pid deadline
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "kafka: stopped"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if alive "$pid"; then
    kafka_log "broker (pid $pid) still alive after ${KAFKA_STOP_TIMEOUT}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do
      sleep 0.1
    done
  fi
  rm -f "$PID_FILE"
  echo "kafka: stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "running (pid $pid) on $KAFKA_BOOTSTRAP"
  else
    echo "stopped"
    return 3
  fi
}

cmd_wait() {
  running_pid >/dev/null || kafka_die "broker is not running (run: $0 start)"
  wait_ready
  echo "kafka: ready on $KAFKA_BOOTSTRAP"
}

cmd_clean() {
  cmd_stop
  rm -rf "$KAFKA_DIR"
  echo "kafka: removed $KAFKA_DIR"
}

[[ $# -eq 1 ]] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  fetch) kafka_fetch_jars ;;
  clean) cmd_clean ;;
  *) usage ;;
esac
