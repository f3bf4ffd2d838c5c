# Kubernetes manifests (k8s/): kustomize build of every overlay, strict schema decoding and
# checks against what the processor and the outreach service serve and read, with
# `cxpulse run --dry-run` and `cxpulse outreach --dry-run` on each overlay's configs; and the
# validator's own tests (each check fails on a broken manifest).
# The first run fetches Go modules through the Go module proxy and compiles them (~2 min).
add_test(NAME k8s_manifests
  COMMAND bash ${CMAKE_SOURCE_DIR}/tools/k8s/validate.sh --cxpulse $<TARGET_FILE:cxpulse>)
add_test(NAME k8s_validator_selftest
  COMMAND bash ${CMAKE_SOURCE_DIR}/tools/k8s/validate.sh --self-test)
set_tests_properties(k8s_manifests k8s_validator_selftest PROPERTIES
  LABELS unit TIMEOUT 900 RESOURCE_LOCK cxpulse_go_k8s)
