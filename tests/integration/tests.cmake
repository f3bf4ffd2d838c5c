# Integration tests against a real Kafka 3.9 broker (tools/kafka/broker.sh), label `integration`.
# `ctest` alone starts a broker of its own (fixture kafka_broker: data under the build dir, port
# CXPULSE_IT_KAFKA_PORT), runs them one at a time and stops it. Unit tests only: `ctest -L unit`
# (or `ctest -LE integration`). Needs `tools/install_deps.sh kafka`. See tests/integration/README.md.
set(CXPULSE_IT_KAFKA_PORT 19192 CACHE STRING "Client port of the integration tests' own Kafka broker")
# kafka_security's own broker: SASL_SSL on this port, PLAINTEXT (the test's clients) and the
# controller on the next two.
math(EXPR CXPULSE_IT_KAFKA_SECURE_PORT "${CXPULSE_IT_KAFKA_PORT} + 5")
set(CXPULSE_IT_KAFKA_DIR ${CMAKE_BINARY_DIR}/kafka)
set(CXPULSE_IT_BOOTSTRAP 127.0.0.1:${CXPULSE_IT_KAFKA_PORT})
set(CXPULSE_IT_ENV KAFKA_DIR=${CXPULSE_IT_KAFKA_DIR} KAFKA_PORT=${CXPULSE_IT_KAFKA_PORT})

# A fresh broker per ctest run: `clean` stops one left over from an interrupted run and deletes
# its data, then `start` formats new storage and waits until the broker answers.
add_test(NAME integration.broker_start
  COMMAND bash -c "'${CMAKE_SOURCE_DIR}/tools/kafka/broker.sh' clean && '${CMAKE_SOURCE_DIR}/tools/kafka/broker.sh' start")
add_test(NAME integration.broker_stop
  COMMAND bash ${CMAKE_SOURCE_DIR}/tools/kafka/broker.sh stop)
set_tests_properties(integration.broker_start PROPERTIES FIXTURES_SETUP kafka_broker TIMEOUT 300)
set_tests_properties(integration.broker_stop PROPERTIES FIXTURES_CLEANUP kafka_broker TIMEOUT 120)
# After every integration test that ran (a cleanup of the same fixture): no customer id or
# payload value of any test's data in any process log above debug or in any metric label of
# the tests' work dirs written since this run's broker was formatted.
add_test(NAME integration.log_scan
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/log_scan_test.py
          --integration-dir ${CMAKE_BINARY_DIR}/integration
          --since ${CXPULSE_IT_KAFKA_DIR}/data/meta.properties)
set_tests_properties(integration.log_scan PROPERTIES FIXTURES_CLEANUP kafka_broker TIMEOUT 600
  SKIP_RETURN_CODE 77 LABELS integration RUN_SERIAL TRUE)

# The soak's check of what the input topics hold (itlib.check_inputs_hold), on given topic
# contents: no broker.
add_test(NAME integration.input_hold_check
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/input_hold_check_test.py)
set_tests_properties(integration.input_hold_check PROPERTIES LABELS unit TIMEOUT 60)

# In an ASan+UBSan build (-DCXPULSE_SANITIZE=ON, tools/sanitize.sh address) the tests drive
# that build's cxpulse with --sanitized: every cxpulse process stops at its first sanitizer
# report (halt_on_error), and any report (an ASan/LSan file in <work dir>/sanitizer-reports/, a
# UBSan line in a process log or captured stderr) fails the test, however the process ended
# (itlib.collect_sanitizer_reports).
set(CXPULSE_IT_SANITIZED_ARG "")
if(CXPULSE_SANITIZE)
  set(CXPULSE_IT_SANITIZED_ARG --sanitized)
endif()
# name, script, timeout (s), then any further arguments of the script; each gets its own
# scratch dir and fresh topics, group and state.
function(cxpulse_integration_test name script timeout)
  add_test(NAME integration.${name}
    COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/${script}
            --cxpulse $<TARGET_FILE:cxpulse> --bootstrap ${CXPULSE_IT_BOOTSTRAP}
            --kafka-dir ${CXPULSE_IT_KAFKA_DIR}
            --work-dir ${CMAKE_BINARY_DIR}/integration/${name} ${CXPULSE_IT_SANITIZED_ARG} ${ARGN})
  set_tests_properties(integration.${name} PROPERTIES
    FIXTURES_REQUIRED kafka_broker TIMEOUT ${timeout} RUN_SERIAL TRUE)
endfunction()

# One processing thread per process (processing.threads: 1), and the same with two threads per
# process (each its own group member and transactional producer): outputs equal to replay's.
cxpulse_integration_test(live_equals_replay live_equals_replay_test.py 300 --threads 1)
cxpulse_integration_test(live_equals_replay_threads2 live_equals_replay_test.py 300 --threads 2)
# kafka.prefetch_kb 16: the processor pauses and resumes its input partitions all the time
# (ShardInputs), drops paused inputs when the second thread joins (or the surviving instance
# takes the partitions over), and its outputs still equal replay's.
cxpulse_integration_test(live_equals_replay_paused_inputs live_equals_replay_test.py 300
  --threads 2 --prefetch-kb 16)
cxpulse_integration_test(failover_paused_inputs failover_test.py 420 --threads 1 --prefetch-kb 16)
cxpulse_integration_test(crash_recovery crash_recovery_test.py 420)
cxpulse_integration_test(failover failover_test.py 420 --threads 1)
cxpulse_integration_test(failover_threads2 failover_test.py 420 --threads 2)
# One processing thread: with two, the first takes all partitions and can commit all the input
# before the second joins, so the outage would not land mid-input.
cxpulse_integration_test(broker_outage broker_outage_test.py 480 --threads 1)
# SIGTERM with the broker frozen mid-commit (two processing threads): the process ends within
# ProcessorGroup::kStopBound, and a restart's output equals replay's.
cxpulse_integration_test(stop_bound stop_bound_test.py 420 --threads 2)
cxpulse_integration_test(idle_deadline idle_deadline_test.py 180)
# A restarted, caught-up exactly-once processor reports lag 0 for every input partition.
cxpulse_integration_test(caught_up_lag caught_up_lag_test.py 180)
# Caught-up instances merge newly arrived data by timestamp (with kafka.idle_input_wait: 1s; see
# the script's docstring and "Arrival order" in tests/integration/README.md).
cxpulse_integration_test(arrival_order arrival_order_test.py 300)
cxpulse_integration_test(outreach_service outreach_service_test.py 300)
# /customers/{id} on two processors and an outreach service, before and after a takeover.
cxpulse_integration_test(customer_routing customer_routing_test.py 420)
# Events -> cxpulse run -> cx.alerts -> cxpulse outreach -> a case claimed and resolved.
cxpulse_integration_test(case_end_to_end case_end_to_end_test.py 360)
# The notifiers against local HTTP(S) receivers (tests/integration/http_receiver.py).
cxpulse_integration_test(notify notify_test.py 600)
cxpulse_integration_test(oversized_record oversized_record_test.py 420)
# A null or foreign Kafka key: a key_mismatch dead letter, nothing else changes.
cxpulse_integration_test(key_mismatch key_mismatch_test.py 300)
# A damaged RocksDB shard dir (garbage MANIFEST, truncated SST): rebuilt from the changelog.
cxpulse_integration_test(corrupt_store corrupt_store_test.py 300)
# A shard handed over while the previous owner's last transaction is open: the new owner
# restores what that transaction commits before resuming from the offsets it commits.
cxpulse_integration_test(handover_transaction handover_transaction_test.py 300)
# A member paused past its session timeout fires its idle timers on its return: that commit
# (no input consumed) is fenced, so each breach is published once, by the new owner.
cxpulse_integration_test(zombie_fence zombie_fence_test.py 300 --threads 1)
cxpulse_integration_test(zombie_fence_threads2 zombie_fence_test.py 300 --threads 2)
# Mounts a tmpfs for the state dir: needs root, else skipped (exit 77).
cxpulse_integration_test(disk_full_live disk_full_live_test.py 600)
set_tests_properties(integration.disk_full_live PROPERTIES SKIP_RETURN_CODE 77)

set_tests_properties(integration.broker_start integration.broker_stop
  integration.live_equals_replay integration.crash_recovery integration.failover
  integration.live_equals_replay_threads2 integration.failover_threads2
  integration.live_equals_replay_paused_inputs integration.failover_paused_inputs
  integration.broker_outage integration.stop_bound integration.idle_deadline integration.caught_up_lag
  integration.arrival_order
  integration.outreach_service integration.customer_routing integration.case_end_to_end
  integration.notify
  integration.oversized_record integration.key_mismatch integration.corrupt_store integration.handover_transaction
  integration.zombie_fence integration.zombie_fence_threads2 integration.disk_full_live PROPERTIES LABELS integration ENVIRONMENT "${CXPULSE_IT_ENV}" RUN_SERIAL TRUE)

# Hostile records of every class (SPEC §2) among valid traffic, both processing modes: each a
# dead letter with its code, the valid part's output equal to its replay, no restart.
cxpulse_integration_test(bad_input_campaign bad_input_campaign_test.py 420)
set_tests_properties(integration.bad_input_campaign PROPERTIES LABELS integration
  ENVIRONMENT "${CXPULSE_IT_ENV}")

# Its own broker with a SASL_SSL (SCRAM-SHA-512) listener and a CA made by the test: run and
# outreach over TLS+SASL, refusals of a wrong password and an untrusted CA.
cxpulse_integration_test(kafka_security kafka_security_test.py 420)
set_tests_properties(integration.kafka_security PROPERTIES LABELS integration
  ENVIRONMENT "${CXPULSE_IT_ENV};CXPULSE_IT_KAFKA_SECURE_PORT=${CXPULSE_IT_KAFKA_SECURE_PORT}")

# Steady traffic for CXPULSE_SOAK_SECONDS (default 120) with kill -9s, a broker restart and a
# second instance joining and leaving, under the strict merge: output equal to replay, lag back
# to 0 after every fault, RSS flat (see the script's docstring; a long run: RELIABILITY.md).
cxpulse_integration_test(soak soak_test.py 1200)
set_tests_properties(integration.soak PROPERTIES LABELS integration
  ENVIRONMENT "${CXPULSE_IT_ENV}")
# The integration tests that `tools/sanitize.sh address` runs under ASan+UBSan (label
# `sanitize`): the live exactly-once path with and without kill -9, with paused inputs, the
# oversized-record path and every hostile-input class through the broker.
set_property(TEST integration.live_equals_replay integration.crash_recovery
  integration.live_equals_replay_paused_inputs integration.oversized_record integration.bad_input_campaign APPEND PROPERTY LABELS sanitize)
# A deliberate heap overflow and signed overflow in a child process must fail a --sanitized
# script (no broker; ASan+UBSan builds only).
if(CXPULSE_SANITIZE)
  add_executable(sanitizer_canary ${CMAKE_CURRENT_LIST_DIR}/sanitizer_canary.cpp)
  add_test(NAME integration.sanitizer_reports
    COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/sanitizer_reports_test.py
            --canary $<TARGET_FILE:sanitizer_canary>
            --work-dir ${CMAKE_BINARY_DIR}/integration/sanitizer_reports)
  set_tests_properties(integration.sanitizer_reports PROPERTIES LABELS sanitize TIMEOUT 300)
endif()
