# Misuse of the C API from C (tests/c/test_misuse.c): NULLs, non-UTF-8
# text, unknown enum values, frees of NULL. Needs no server.
if(AUTH_BUILD_TESTS)
  add_executable(test_misuse tests/c/test_misuse.c)
  target_link_libraries(test_misuse PRIVATE auth::auth)
  target_compile_options(test_misuse PRIVATE ${AUTH_C_WARNINGS})
  set_target_properties(test_misuse PROPERTIES
    C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)

  add_test(NAME test_misuse COMMAND test_misuse)
  set_tests_properties(test_misuse PROPERTIES
    TIMEOUT 60
    PASS_REGULAR_EXPRESSION "test_misuse: all checks passed")
endif()
