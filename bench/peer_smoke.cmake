# CI smoke run of the peer benchmark (bench/README.md, "Peer benchmark"): builds the Kafka
# Streams peer with Maven (its unit tests included), then bench/peer_bench.sh on a tiny workload
# against the integration tests' broker (fixture kafka_broker): equal work on 300 customers and
# one drain of each processor. Label `integration`; about 2-3 minutes on an idle machine.
if(CXPULSE_TESTS)
  add_test(NAME integration.peer_smoke
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/peer_smoke.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(integration.peer_smoke PROPERTIES
    FIXTURES_REQUIRED kafka_broker TIMEOUT 600 RUN_SERIAL TRUE LABELS integration
    ENVIRONMENT "KAFKA_DIR=${CMAKE_BINARY_DIR}/kafka;KAFKA_PORT=${CXPULSE_IT_KAFKA_PORT}")
endif()
