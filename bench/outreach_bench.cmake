# The outreach case fold micro-benchmark (bench/README.md, "Outreach case fold").
find_package(benchmark REQUIRED)
add_executable(case_fold_bench ${CMAKE_CURRENT_SOURCE_DIR}/case_fold_bench.cpp)
target_link_libraries(case_fold_bench PRIVATE cxpulse_outreach benchmark::benchmark)
set_target_properties(case_fold_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
