# The JSON Schemas and their examples must agree (the C++ side is tests/schemas/examples_test.cpp).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME schemas.check_examples
         COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/tests/schemas/check_examples.py
                 ${CMAKE_SOURCE_DIR}/schemas/json ${CMAKE_SOURCE_DIR}/schemas/examples)
set_tests_properties(schemas.check_examples PROPERTIES LABELS unit)
