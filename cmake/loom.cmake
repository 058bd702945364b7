# The refresh coordination in src/cache.rs, model-checked with loom: every
# interleaving of three callers (one forced, one whose fetch fails) up to the
# preemption bound set in the test (LOOM_MAX_PREEMPTIONS overrides it).
#
# `--cfg loom` changes every crate's build, so it gets its own target
# directory instead of invalidating the shared one.
if(AUTH_BUILD_TESTS)
  add_test(NAME loom_cache
    COMMAND "${CMAKE_COMMAND}" -E env
            "RUSTFLAGS=--cfg loom"
            "CARGO_TARGET_DIR=${AUTH_CARGO_TARGET_DIR}/loom"
            "${AUTH_CARGO}" test --release --lib
            --manifest-path "${CMAKE_CURRENT_LIST_DIR}/../Cargo.toml"
            loom
    WORKING_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/..")
  set_tests_properties(loom_cache PROPERTIES TIMEOUT 900)
endif()
