# The outreach-page browser test (headless Chromium via playwright-core) against a real
# `cxpulse run` and `cxpulse outreach` on the test broker (fixture kafka_broker,
# tests/integration/tests.cmake).
# Needs `tools/install_deps.sh kafka browser`; node_modules comes from `npm ci` (fixture below).
# The broker's port is CXPULSE_IT_KAFKA_PORT (declared here too: this file is read before
# tests/integration/tests.cmake; the first declaration wins).
set(CXPULSE_IT_KAFKA_PORT 19192 CACHE STRING "Client port of the integration tests' own Kafka broker")
find_program(CXPULSE_NODE NAMES node)
find_program(CXPULSE_NPM NAMES npm)
if(CXPULSE_NODE AND CXPULSE_NPM)
  set(browser_dir ${CMAKE_CURRENT_SOURCE_DIR}/browser)
  add_test(NAME browser_npm_ci
    COMMAND ${CXPULSE_NPM} ci --no-audit --no-fund --prefer-offline
    WORKING_DIRECTORY ${browser_dir})
  set_tests_properties(browser_npm_ci PROPERTIES
    FIXTURES_SETUP browser_node_modules LABELS integration TIMEOUT 300)
  add_test(NAME browser_outreach_page
    COMMAND ${CXPULSE_NODE} ${browser_dir}/outreach_test.mjs
    WORKING_DIRECTORY ${browser_dir})
  set_tests_properties(browser_outreach_page PROPERTIES
    RUN_SERIAL TRUE
    FIXTURES_REQUIRED "kafka_broker;browser_node_modules"
    LABELS integration
    TIMEOUT 300
    SKIP_RETURN_CODE 77
    ENVIRONMENT "CXPULSE_BIN=$<TARGET_FILE:cxpulse>;KAFKA_BOOTSTRAP=127.0.0.1:${CXPULSE_IT_KAFKA_PORT};WORK_DIR=${CMAKE_BINARY_DIR}/browser")
endif()
