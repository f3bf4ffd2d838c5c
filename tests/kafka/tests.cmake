# tools/kafka: the broker's storage format takes any random cluster id (also one beginning with
# '-'). Needs java and mvn (tools/install_deps.sh kafka); skipped without them.
add_test(NAME kafka_cluster_id
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cluster_id_test.sh)
set_tests_properties(kafka_cluster_id PROPERTIES LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77
  RESOURCE_LOCK cxpulse_kafka_jars)
