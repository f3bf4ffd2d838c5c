#!/usr/bin/env bash
# Topic admin for the test broker started by broker.sh (same KAFKA_PORT), using Kafka's own
# TopicCommand from the jars in $KAFKA_LIB. Each call starts a JVM (~1-2 s).
#
#   topics.sh create NAME PARTITIONS [compact]   replication factor 1; no-op if it exists
#   topics.sh delete NAME                        no-op if it does not exist
#   topics.sh list
#   topics.sh describe [NAME]
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
  echo "usage: $0 create NAME PARTITIONS [compact] | delete NAME | list | describe [NAME]" >&2
  exit 2
}

topic_command() {
  (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null ||
    kafka_die "no broker on $KAFKA_BOOTSTRAP (start one: tools/kafka/broker.sh start)"
  kafka_fetch_jars
  # Drops TopicCommand's advice against '.' in topic names; cxpulse's topics are named cx.*.
  kafka_run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" "$@" |
    sed -u '/^WARNING: Due to limitations in metric names/d'
}

[[ $# -ge 1 ]] || usage
case "$1" in
  create)
    [[ $# -eq 3 || $# -eq 4 ]] || usage
    [[ "$3" =~ ^[1-9][0-9]*$ ]] || kafka_die "PARTITIONS must be a positive integer, got '$3'"
    args=(--create --if-not-exists --topic "$2" --partitions "$3" --replication-factor 1)
    if [[ $# -eq 4 ]]; then
      [[ "$4" == "compact" ]] || usage
      args+=(--config cleanup.policy=compact)
    fi
    topic_command "${args[@]}"
    ;;
  delete)
    [[ $# -eq 2 ]] || usage
    topic_command --delete --if-exists --topic "$2"
    ;;
  list)
    [[ $# -eq 1 ]] || usage
    topic_command --list
    ;;
  describe)
    [[ $# -le 2 ]] || usage
    if [[ $# -eq 2 ]]; then
      topic_command --describe --topic "$2"
    else
      topic_command --describe
    fi
    ;;
  *) usage ;;
esac
