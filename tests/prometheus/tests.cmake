# Grafana dashboards and Prometheus rules (dashboards/). Unit: promtool check/test rules, the
# k8s PrometheusRule derived from rules.yaml, the dashboards' shape and expressions. Integration:
# Debian's Prometheus scrapes a live `cxpulse run` fed by generated traffic and a live
# `cxpulse outreach` over its alerts (with rep claims and resolves), and every dashboard and rule
# expression must return series (tools/install_deps.sh prometheus kafka).
find_program(CXPULSE_PROMTOOL NAMES promtool PATHS /usr/bin NO_DEFAULT_PATH)
find_program(CXPULSE_PROMETHEUS NAMES prometheus PATHS /usr/bin NO_DEFAULT_PATH)

if(CXPULSE_PROMTOOL)
  add_test(NAME prometheus_rules_check
    COMMAND ${CXPULSE_PROMTOOL} check rules ${CMAKE_SOURCE_DIR}/dashboards/prometheus/rules.yaml)
  add_test(NAME prometheus_rules_test
    COMMAND ${CXPULSE_PROMTOOL} test rules rules_test.yaml
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/dashboards/prometheus)
  add_test(NAME grafana_dashboards
    COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_dashboards.py ${CXPULSE_PROMTOOL})
  set_tests_properties(prometheus_rules_check prometheus_rules_test grafana_dashboards
    PROPERTIES LABELS unit TIMEOUT 120)
  # The contact-reason rules (CxContactReasonSpike): 8 days of series, so a file of its own.
  add_test(NAME prometheus_reasons_rules_test
    COMMAND ${CXPULSE_PROMTOOL} test rules reasons_rules_test.yaml
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/dashboards/prometheus)
  set_tests_properties(prometheus_reasons_rules_test PROPERTIES LABELS unit TIMEOUT 300)
else()
  message(STATUS "promtool not found: Prometheus rule and dashboard tests skipped "
                 "(tools/install_deps.sh prometheus)")
endif()

add_test(NAME prometheus_rules_k8s_in_sync
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_SOURCE_DIR}/dashboards/prometheus/prometheusrule.py --check)
set_tests_properties(prometheus_rules_k8s_in_sync PROPERTIES LABELS unit TIMEOUT 60)

if(CXPULSE_PROMETHEUS)
  add_test(NAME prometheus_live
    COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/live_check.py
      --cxpulse $<TARGET_FILE:cxpulse> --prometheus ${CXPULSE_PROMETHEUS}
      --work-dir ${CMAKE_BINARY_DIR}/prometheus_live --bootstrap ${CXPULSE_IT_BOOTSTRAP})
  set_tests_properties(prometheus_live PROPERTIES
    LABELS integration TIMEOUT 600 RUN_SERIAL TRUE FIXTURES_REQUIRED kafka_broker)
endif()
