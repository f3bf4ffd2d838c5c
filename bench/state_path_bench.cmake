# The state path micro-benchmark (bench/README.md, "State path per event", issue 12).
find_package(benchmark REQUIRED)
add_executable(state_path_bench ${CMAKE_CURRENT_SOURCE_DIR}/state_path_bench.cpp)
target_link_libraries(state_path_bench PRIVATE cxpulse_shard benchmark::benchmark)
set_target_properties(state_path_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# Where the customer cache's memory goes per customer (bench/README.md, "Customer cache memory").
add_executable(cache_memory ${CMAKE_CURRENT_SOURCE_DIR}/cache_memory.cpp)
target_link_libraries(cache_memory PRIVATE cxpulse_shard cxpulse_bench_lines)
# With the binary's allocator (jemalloc), so that the bytes it measures are the ones a replay
# holds: its size classes round differently from glibc's headers.
if(CXPULSE_LINK_JEMALLOC)
  target_link_libraries(cache_memory PRIVATE PkgConfig::JEMALLOC)
  target_compile_definitions(cache_memory PRIVATE CXPULSE_CACHE_MEMORY_JEMALLOC=1)
endif()
set_target_properties(cache_memory PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
