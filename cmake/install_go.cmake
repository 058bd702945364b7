# The Go binding (bindings/go/auth): `go test` against the staged install
# and the local provider, and the README's Go snippet built as a module of
# its own. Go's caches live in the build tree, so CI needs no $HOME.
find_program(AUTH_GO go)
if(NOT AUTH_GO)
  # Looked up again in PATH when the tests run; they fail, clearly, when it
  # is still missing.
  set(AUTH_GO go)
  message(WARNING "go not found: the Go binding tests will fail until Go "
    ">= 1.19 (Debian: golang-go) is installed")
endif()

set(AUTH_GO_CONSUME
  ${AUTH_WITH_PROVIDER} "${AUTH_CONSUMERS_DIR}/provider"
  "${CMAKE_COMMAND}" -E env ${AUTH_CONSUME_ENV}
  "GO=${AUTH_GO}"
  "GO_PACKAGE=${CMAKE_CURRENT_SOURCE_DIR}/bindings/go/auth"
  "GOCACHE=${CMAKE_CURRENT_BINARY_DIR}/go/cache"
  "GOPATH=${CMAKE_CURRENT_BINARY_DIR}/go/path"
  ${AUTH_CONSUME_SCRIPT})

add_test(NAME go_binding_tests
  COMMAND ${AUTH_GO_CONSUME} go-test "${AUTH_CONSUMERS_DIR}/go-test" @ISSUER@)
add_test(NAME readme_go_snippet
  COMMAND ${AUTH_GO_CONSUME} readme-go "${AUTH_CONSUMERS_DIR}/readme-go" @ISSUER@
          "${CMAKE_CURRENT_SOURCE_DIR}/README.md")
set_tests_properties(go_binding_tests readme_go_snippet PROPERTIES
  FIXTURES_REQUIRED auth_stage
  # Both fill the same Go build cache.
  RESOURCE_LOCK auth_go_cache
  TIMEOUT 600)
