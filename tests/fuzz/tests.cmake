# The fuzz targets (libFuzzer's LLVMFuzzerTestOneInput in tests/fuzz/<name>_fuzz.cpp), each a
# regular test, fuzz.<name>: its seed corpus replayed, then a bounded number of random mutations
# by fuzz_driver.cpp (seconds; under ASan+UBSan too, through tools/sanitize.sh address). With
# -DCXPULSE_FUZZ=ON and clang they link libFuzzer instead, for long coverage-guided runs
# (tests/fuzz/run_fuzz.sh). The same command line runs either build; libFuzzer writes the inputs
# it finds to the first directory, build/fuzz-corpus/<name>, never to the committed seeds.
set(CXPULSE_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

# cxpulse_fuzzer(<name> RUNS <n> MAX_LEN <bytes> CORPUS <dir>... LIBS <target>...)
function(cxpulse_fuzzer name)
  cmake_parse_arguments(FUZZ "" "RUNS;MAX_LEN" "CORPUS;LIBS" ${ARGN})
  set(target ${name}_fuzz)
  if(CXPULSE_FUZZ)
    add_executable(${target} ${CXPULSE_FUZZ_DIR}/${target}.cpp)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${target} ${CXPULSE_FUZZ_DIR}/${target}.cpp ${CXPULSE_FUZZ_DIR}/fuzz_driver.cpp)
  endif()
  target_link_libraries(${target} PRIVATE ${FUZZ_LIBS})
  set(found ${CMAKE_BINARY_DIR}/fuzz-corpus/${name})
  file(MAKE_DIRECTORY ${found})
  set(dict "")
  if(EXISTS ${CXPULSE_FUZZ_DIR}/${name}.dict)
    set(dict -dict=${CXPULSE_FUZZ_DIR}/${name}.dict)
  endif()
  add_test(NAME fuzz.${name}
    COMMAND ${target} -runs=${FUZZ_RUNS} -max_total_time=60 -seed=1 -max_len=${FUZZ_MAX_LEN}
            ${dict} -artifact_prefix=${CMAKE_BINARY_DIR}/fuzz-artifacts/ ${found} ${FUZZ_CORPUS})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS "unit;fuzz" TIMEOUT 300)
endfunction()

cxpulse_fuzzer(decoder RUNS 30000 MAX_LEN 4096
  CORPUS ${CMAKE_SOURCE_DIR}/schemas/examples/valid ${CMAKE_SOURCE_DIR}/schemas/examples/invalid
  LIBS cxpulse_schemas)
cxpulse_fuzzer(state_codec RUNS 50000 MAX_LEN 4096
  CORPUS ${CXPULSE_FUZZ_DIR}/corpus/state_codec LIBS cxpulse_state_types)
cxpulse_fuzzer(config RUNS 2000 MAX_LEN 16384
  CORPUS ${CXPULSE_FUZZ_DIR}/corpus/config LIBS cxpulse_config)
cxpulse_fuzzer(http_request RUNS 30000 MAX_LEN 32768
  CORPUS ${CXPULSE_FUZZ_DIR}/corpus/http_request LIBS cxpulse_http)
