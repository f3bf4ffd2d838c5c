# Live benchmark tool (bench/README.md, "Live benchmark"): the librdkafka consume ceiling.
add_executable(consume_ceiling ${CMAKE_CURRENT_SOURCE_DIR}/consume_ceiling.cpp)
target_link_libraries(consume_ceiling PRIVATE PkgConfig::RDKAFKA)
set_target_properties(consume_ceiling PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# The fixed-rate producer of the latency step.
add_executable(rate_producer ${CMAKE_CURRENT_SOURCE_DIR}/rate_producer.cpp)
target_link_libraries(rate_producer PRIVATE cxpulse_schemas simdjson::simdjson PkgConfig::RDKAFKA)
set_target_properties(rate_producer PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
