# The module maps that Swift uses, checked with clang's module support:
# Swift itself is not required (nor checked). `@import Auth;` uses the
# installed include/module.modulemap; `@import CAuth;` the module map of the
# Swift package in bindings/swift, as a Swift target depending on it would.
find_program(AUTH_CLANG clang)
if(NOT AUTH_CLANG)
  set(AUTH_CLANG clang)
  message(WARNING "clang not found: the module map tests will fail until "
    "it is installed")
endif()

set(AUTH_MODULE_CONSUME
  ${AUTH_WITH_PROVIDER} "${AUTH_CONSUMERS_DIR}/provider"
  "${CMAKE_COMMAND}" -E env ${AUTH_CONSUME_ENV}
  "CLANG=${AUTH_CLANG}"
  "SWIFT_PACKAGE=${CMAKE_CURRENT_SOURCE_DIR}/bindings/swift"
  ${AUTH_CONSUME_SCRIPT})

add_test(NAME module_map_import_auth
  COMMAND ${AUTH_MODULE_CONSUME} clang-module-auth "${AUTH_CONSUMERS_DIR}/module-auth" @ISSUER@)
add_test(NAME swift_package_module_map_import_cauth
  COMMAND ${AUTH_MODULE_CONSUME} clang-module-cauth "${AUTH_CONSUMERS_DIR}/module-cauth" @ISSUER@)
set_tests_properties(module_map_import_auth swift_package_module_map_import_cauth PROPERTIES
  FIXTURES_REQUIRED auth_stage
  TIMEOUT 300)
