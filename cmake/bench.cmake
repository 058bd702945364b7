# bench/: libauth's C API against golang.org/x/oauth2/clientcredentials on
# one loopback endpoint. The full run is a target, not a test, since its
# figures are for reading, not for passing:
#
#   cmake --build build --target bench      (the same as bench/run.sh)
#
# The test runs the C benchmark under valgrind's leak check at reduced
# counts: the cached path, forced fetches and a 64-thread stampede must
# leave no leak and no memory error.
if(AUTH_BUILD_TESTS)
  set(AUTH_BENCH_ENV
    "${CMAKE_COMMAND}" -E env
    "AUTH_BENCH_DIR=${CMAKE_CURRENT_BINARY_DIR}/bench"
    "CARGO_TARGET_DIR=${AUTH_CARGO_TARGET_DIR}"
    "CC=${CMAKE_C_COMPILER}")

  add_custom_target(bench
    COMMAND ${AUTH_BENCH_ENV} "${AUTH_BASH}" "${CMAKE_CURRENT_LIST_DIR}/../bench/run.sh"
    DEPENDS auth_cargo_build
    COMMENT "Benchmark: libauth against golang.org/x/oauth2 on loopback"
    USES_TERMINAL
    VERBATIM)

  add_test(NAME bench_c_valgrind
    COMMAND ${AUTH_BENCH_ENV} "${AUTH_BASH}" "${CMAKE_CURRENT_LIST_DIR}/../bench/run.sh" --valgrind)
  set_tests_properties(bench_c_valgrind PROPERTIES TIMEOUT 300)
endif()
