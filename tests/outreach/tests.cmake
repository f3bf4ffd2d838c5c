# The outreach JSON Schemas (case, command) and their examples must agree; the C++ side is
# tests/outreach/command_json_test.cpp (examples) and scenarios_test.cpp (fold output).
add_test(NAME outreach.check_examples
         COMMAND ${CXPULSE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/schemas/check_examples.py --named
                 ${CMAKE_SOURCE_DIR}/schemas/json ${CMAKE_SOURCE_DIR}/schemas/examples/outreach)
set_tests_properties(outreach.check_examples PROPERTIES LABELS unit)
