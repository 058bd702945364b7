# A short smoke run of every fuzz target in fuzz/ (see fuzz/README.md): each
# must survive its seeds and a few seconds of new inputs. The long runs whose
# figures fuzz/README.md records are done by hand.
#
# The instrumented build is a test fixture rather than part of the normal
# build: it changes every crate's compilation, takes its own target
# directory (fuzz/target), and only these tests need it.
if(AUTH_BUILD_TESTS)
  set(AUTH_FUZZ_TARGETS token_response discovery retry_after jwt url form)
  set(AUTH_FUZZ_SMOKE_SECONDS 6 CACHE STRING "seconds of fuzzing per target in CTest")

  add_test(NAME fuzz_build
    COMMAND "${AUTH_BASH}" "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz.sh" build
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  set_tests_properties(fuzz_build PROPERTIES
    FIXTURES_SETUP fuzz_binaries
    TIMEOUT 900)

  foreach(target IN LISTS AUTH_FUZZ_TARGETS)
    add_test(NAME fuzz_smoke_${target}
      COMMAND "${AUTH_BASH}" "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz.sh"
              smoke ${target} ${AUTH_FUZZ_SMOKE_SECONDS}
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    set_tests_properties(fuzz_smoke_${target} PROPERTIES
      FIXTURES_REQUIRED fuzz_binaries
      TIMEOUT 120)
  endforeach()
endif()
