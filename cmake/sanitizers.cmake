# The C tests and the example, built again with AddressSanitizer and
# UndefinedBehaviorSanitizer, and the plain builds run under valgrind.
#
# The Rust library itself is not instrumented (that needs a nightly
# compiler), but ASan replaces malloc and free for the whole process, so
# leaks, double frees and frees of the wrong pointer across the C boundary
# are caught in either direction. Any report fails the test: UBSan does not
# recover, and ASan and LeakSanitizer exit non-zero.
if(AUTH_BUILD_TESTS)
  set(AUTH_SANITIZE_FLAGS
    -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer -g -O1)
  set(AUTH_SANITIZER_ENV
    "ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

  function(auth_sanitized_executable name)
    add_executable(${name} ${ARGN})
    target_link_libraries(${name} PRIVATE auth::auth Threads::Threads)
    target_compile_options(${name} PRIVATE ${AUTH_C_WARNINGS} ${AUTH_SANITIZE_FLAGS})
    target_link_options(${name} PRIVATE ${AUTH_SANITIZE_FLAGS})
    set_target_properties(${name} PROPERTIES
      C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  endfunction()

  auth_sanitized_executable(test_c_api_asan tests/c/test_c_api.c)
  auth_sanitized_executable(test_misuse_asan tests/c/test_misuse.c)
  auth_sanitized_executable(client_credentials_asan examples-c/client_credentials.c)

  # The canary: built the same way, minus the warnings its bugs would raise.
  add_executable(sanitizer_canary tests/c/sanitizer_canary.c)
  target_compile_options(sanitizer_canary PRIVATE ${AUTH_SANITIZE_FLAGS})
  target_link_options(sanitizer_canary PRIVATE ${AUTH_SANITIZE_FLAGS})

  # Proof that the builds are instrumented: the canary's bugs are reported,
  # and the test programs reference both runtimes.
  add_test(NAME sanitizer_canary_use_after_free
    COMMAND sanitizer_canary use-after-free)
  set_tests_properties(sanitizer_canary_use_after_free PROPERTIES
    ENVIRONMENT "${AUTH_SANITIZER_ENV}"
    PASS_REGULAR_EXPRESSION "ERROR: AddressSanitizer: heap-use-after-free")
  add_test(NAME sanitizer_canary_signed_overflow
    COMMAND sanitizer_canary signed-overflow)
  set_tests_properties(sanitizer_canary_signed_overflow PROPERTIES
    ENVIRONMENT "${AUTH_SANITIZER_ENV}"
    PASS_REGULAR_EXPRESSION "runtime error: signed integer overflow")
  add_test(NAME sanitized_builds_are_instrumented
    COMMAND "${AUTH_BASH}" -c
      "for f in \"$@\"; do nm \"$f\" | grep -q __asan_init || { echo \"$f: no ASan\"; exit 1; }; nm \"$f\" | grep -q __ubsan_handle_ || { echo \"$f: no UBSan\"; exit 1; }; done; echo instrumented"
      sh $<TARGET_FILE:test_c_api_asan> $<TARGET_FILE:test_misuse_asan>
         $<TARGET_FILE:client_credentials_asan>)
  set_tests_properties(sanitized_builds_are_instrumented PROPERTIES
    PASS_REGULAR_EXPRESSION "^instrumented")

  add_test(NAME test_misuse_asan COMMAND test_misuse_asan)
  set_tests_properties(test_misuse_asan PROPERTIES
    ENVIRONMENT "${AUTH_SANITIZER_ENV}"
    TIMEOUT 120
    FAIL_REGULAR_EXPRESSION "Sanitizer|runtime error")

  add_test(NAME test_c_api_asan
    COMMAND ${AUTH_WITH_PROVIDER} "${CMAKE_CURRENT_BINARY_DIR}/test_c_api_asan.provider"
            "${CMAKE_COMMAND}" -E env ${AUTH_SANITIZER_ENV}
            "$<TARGET_FILE:test_c_api_asan>" @ISSUER@)
  set_tests_properties(test_c_api_asan PROPERTIES
    TIMEOUT 300
    FAIL_REGULAR_EXPRESSION "Sanitizer|runtime error")

  add_test(NAME example_client_credentials_asan
    COMMAND ${AUTH_WITH_PROVIDER} "${CMAKE_CURRENT_BINARY_DIR}/example_asan.provider"
            "${CMAKE_COMMAND}" -E env ${AUTH_SANITIZER_ENV}
            "AUTH_CLIENT_SECRET=${AUTH_TEST_BASIC_CLIENT_SECRET}"
            "$<TARGET_FILE:client_credentials_asan>"
            --issuer @ISSUER@ --client-id "${AUTH_TEST_BASIC_CLIENT_ID}"
            --scope "api:read api:write")
  # Exit status and output both count: the example must do its work, and no
  # sanitizer may have anything to say about it.
  set_tests_properties(example_client_credentials_asan PROPERTIES
    TIMEOUT 300
    FAIL_REGULAR_EXPRESSION "Sanitizer|runtime error")

  # ---------------------------------------------------------------------------
  # valgrind, on the plain builds.
  # ---------------------------------------------------------------------------
  find_program(AUTH_VALGRIND valgrind)
  if(AUTH_VALGRIND)
    set(AUTH_VALGRIND_COMMAND "${AUTH_VALGRIND}"
      --error-exitcode=1 --leak-check=full
      --errors-for-leak-kinds=definite,indirect
      --show-leak-kinds=definite,indirect
      "--suppressions=${CMAKE_CURRENT_SOURCE_DIR}/tests/c/valgrind.supp"
      --gen-suppressions=all)
  else()
    # Failing loudly rather than skipping: a leak check that silently does not
    # run looks exactly like one that passed.
    message(WARNING "valgrind not found: the valgrind tests will fail until it is installed")
    set(AUTH_VALGRIND_COMMAND "${AUTH_BASH}" -c "echo 'valgrind not found' >&2; exit 1" sh)
  endif()

  add_test(NAME test_misuse_valgrind
    COMMAND ${AUTH_VALGRIND_COMMAND} "$<TARGET_FILE:test_misuse>")
  # valgrind's exit status is the program's, or 1 for any error or leak.
  set_tests_properties(test_misuse_valgrind PROPERTIES
    TIMEOUT 300
    FAIL_REGULAR_EXPRESSION "ERROR SUMMARY: [1-9]")

  add_test(NAME test_c_api_valgrind
    COMMAND ${AUTH_WITH_PROVIDER} "${CMAKE_CURRENT_BINARY_DIR}/test_c_api_valgrind.provider"
            ${AUTH_VALGRIND_COMMAND} "$<TARGET_FILE:test_c_api>" @ISSUER@)
  set_tests_properties(test_c_api_valgrind PROPERTIES
    TIMEOUT 600
    FAIL_REGULAR_EXPRESSION "ERROR SUMMARY: [1-9]")

  add_test(NAME example_client_credentials_valgrind
    COMMAND ${AUTH_WITH_PROVIDER} "${CMAKE_CURRENT_BINARY_DIR}/example_valgrind.provider"
            "${CMAKE_COMMAND}" -E env "AUTH_CLIENT_SECRET=${AUTH_TEST_BASIC_CLIENT_SECRET}"
            ${AUTH_VALGRIND_COMMAND} "$<TARGET_FILE:client_credentials>"
            --issuer @ISSUER@ --client-id "${AUTH_TEST_BASIC_CLIENT_ID}"
            --scope "api:read api:write")
  set_tests_properties(example_client_credentials_valgrind PROPERTIES
    TIMEOUT 600
    FAIL_REGULAR_EXPRESSION "ERROR SUMMARY: [1-9]")
endif()
