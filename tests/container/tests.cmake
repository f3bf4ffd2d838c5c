# The container image (tools/image.sh) run with the StatefulSet's security context against the
# integration tests' broker (fixture kafka_broker from tests/integration/tests.cmake), label
# `container` (and `integration`, as every test that needs the broker, so `ctest -LE
# integration` stays broker-free). Builds the image from this build's binary; the base layer is
# cached in podman's storage, so only the first run pays for mmdebstrap. Reported as skipped
# (exit 77) with the reason where containers cannot run: not root, `tools/install_deps.sh
# container` missing, no namespaces. `ctest -L container` runs it with its broker.
set(CXPULSE_IT_KAFKA_PORT 19192 CACHE STRING "Client port of the integration tests' own Kafka broker")
set(CXPULSE_CONTAINER_HTTP_PORT 19380 CACHE STRING "Loopback HTTP port of the container test")
add_test(NAME container.image_runs_like_the_statefulset
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/container_test.py
          --cxpulse $<TARGET_FILE:cxpulse> --bootstrap 127.0.0.1:${CXPULSE_IT_KAFKA_PORT}
          --kafka-dir ${CMAKE_BINARY_DIR}/kafka --work-dir ${CMAKE_BINARY_DIR}/container)
set_tests_properties(container.image_runs_like_the_statefulset PROPERTIES
  LABELS "container;integration" FIXTURES_REQUIRED kafka_broker RUN_SERIAL TRUE TIMEOUT 900
  SKIP_RETURN_CODE 77 ENVIRONMENT "CXPULSE_CONTAINER_HTTP_PORT=${CXPULSE_CONTAINER_HTTP_PORT}")
