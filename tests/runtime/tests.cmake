# A full disk under `cxpulse replay --state-dir` (mounts a tmpfs: needs root, else skipped).
add_test(NAME runtime.disk_full
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/disk_full_test.py
          --cxpulse $<TARGET_FILE:cxpulse> --work-dir ${CMAKE_BINARY_DIR}/disk_full)
set_tests_properties(runtime.disk_full PROPERTIES
  LABELS disk SKIP_RETURN_CODE 77 TIMEOUT 600 RUN_SERIAL TRUE)

# `cxpulse demo` runs the outreach service on its own port: /cases with the printed demo rep
# token, a claim read back from the embedded broker (no setup, no external broker).
add_test(NAME runtime.demo_outreach
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/demo_outreach_test.py
          --cxpulse $<TARGET_FILE:cxpulse>)
set_tests_properties(runtime.demo_outreach PROPERTIES LABELS unit TIMEOUT 240)

# `cxpulse replay --state-dir` killed with SIGKILL at random points (10 times) and run again:
# outputs byte for byte as an uninterrupted run; a finished or different input is refused.
add_test(NAME runtime.replay_resume
  COMMAND ${CXPULSE_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/replay_resume_test.py
          --cxpulse $<TARGET_FILE:cxpulse> --work-dir ${CMAKE_BINARY_DIR}/replay_resume)
set_tests_properties(runtime.replay_resume PROPERTIES LABELS "unit;replay" TIMEOUT 600)
