# Replay benchmark tools (bench/README.md): decode-only baselines and the state-size probe.
add_library(cxpulse_bench_lines STATIC ${CMAKE_CURRENT_SOURCE_DIR}/padded_lines.cpp)

add_executable(simdjson_baseline ${CMAKE_CURRENT_SOURCE_DIR}/simdjson_baseline.cpp)
target_link_libraries(simdjson_baseline PRIVATE cxpulse_bench_lines cxpulse_schemas
  simdjson::simdjson)

add_executable(state_size ${CMAKE_CURRENT_SOURCE_DIR}/state_size.cpp)
target_link_libraries(state_size PRIVATE cxpulse_state_store)

set_target_properties(simdjson_baseline state_size PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
