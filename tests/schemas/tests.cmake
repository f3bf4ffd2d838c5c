# The JSON Schemas and their examples must agree (the C++ side is tests/schemas/examples_test.cpp).
add_test(NAME schemas.check_examples
         COMMAND ${CXPULSE_PYTHON} ${CMAKE_SOURCE_DIR}/tests/schemas/check_examples.py
                 ${CMAKE_SOURCE_DIR}/schemas/json ${CMAKE_SOURCE_DIR}/schemas/examples)
set_tests_properties(schemas.check_examples PROPERTIES LABELS unit)
