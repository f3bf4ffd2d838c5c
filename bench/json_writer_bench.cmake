# The output JSON writer micro-benchmark (bench/README.md, "Output JSON per record", issue 12).
find_package(benchmark REQUIRED)
add_executable(json_writer_bench ${CMAKE_CURRENT_SOURCE_DIR}/json_writer_bench.cpp)
target_link_libraries(json_writer_bench PRIVATE cxpulse_schemas benchmark::benchmark)
set_target_properties(json_writer_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
