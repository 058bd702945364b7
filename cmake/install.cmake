# Installation, and the tests that use only what it installs.
#
#   cmake --install build --prefix P
#
# puts into P:
#   include/auth.h, include/module.modulemap     the header; the clang/Swift module Auth
#   lib/libauth.so.X.Y.Z, .so.X, .so             the shared library (SONAME libauth.so.X)
#   lib/libauth.a                                the static library
#   lib/cmake/auth/                              find_package(auth CONFIG): auth::auth, auth::auth_static
#   lib/pkgconfig/auth.pc                        pkg-config auth (Libs.private for --static)
#
# The tests install into build/stage (the fixture auth_stage) and build
# consumers against that prefix alone.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AUTH_SONAME "libauth.so.${PROJECT_VERSION_MAJOR}")
set(AUTH_SHARED_FILE "libauth.so.${PROJECT_VERSION}")

# The system libraries after libauth.a, as the linker flags pkg-config gives
# and as the link items of the CMake package.
set(AUTH_PC_LIBS_PRIVATE "")
set(AUTH_CONFIG_STATIC_LIBS "")
foreach(lib IN LISTS AUTH_NATIVE_STATIC_LIBS)
  if(lib STREQUAL "Threads::Threads")
    string(APPEND AUTH_PC_LIBS_PRIVATE " -lpthread")
  else()
    string(APPEND AUTH_PC_LIBS_PRIVATE " -l${lib}")
  endif()
  list(APPEND AUTH_CONFIG_STATIC_LIBS "${lib}")
endforeach()
string(STRIP "${AUTH_PC_LIBS_PRIVATE}" AUTH_PC_LIBS_PRIVATE)

install(FILES include/auth.h include/module.modulemap
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# cargo writes libauth.so; the installed file carries the full version and
# the two links the loader (SONAME) and the linker (-lauth) look for.
install(FILES "${AUTH_SHARED_LIBRARY}"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RENAME "${AUTH_SHARED_FILE}"
  PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
              WORLD_READ WORLD_EXECUTE)
install(CODE "
  set(auth_libdir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}\")
  file(CREATE_LINK \"${AUTH_SHARED_FILE}\" \"\${auth_libdir}/${AUTH_SONAME}\" SYMBOLIC)
  file(CREATE_LINK \"${AUTH_SONAME}\" \"\${auth_libdir}/libauth.so\" SYMBOLIC)
  message(STATUS \"Installing: \${auth_libdir}/${AUTH_SONAME} -> ${AUTH_SHARED_FILE}\")
  message(STATUS \"Installing: \${auth_libdir}/libauth.so -> ${AUTH_SONAME}\")
")
install(FILES "${AUTH_STATIC_LIBRARY}" DESTINATION "${CMAKE_INSTALL_LIBDIR}")

# The CMake package, relocatable: it finds the prefix from its own place.
set(AUTH_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/auth")
configure_package_config_file(cmake/authConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/package/authConfig.cmake"
  INSTALL_DESTINATION "${AUTH_CMAKE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
# One SONAME serves every release of a major version, so any of them
# satisfies a request for an earlier one.
write_basic_package_version_file(
  "${CMAKE_CURRENT_BINARY_DIR}/package/authConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/package/authConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/package/authConfigVersion.cmake"
  DESTINATION "${AUTH_CMAKE_DIR}")

# pkg-config needs the real prefix, known only when installing (--prefix).
install(CODE "
  set(AUTH_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  set(AUTH_PC_LIBS_PRIVATE \"${AUTH_PC_LIBS_PRIVATE}\")
  set(auth_pc \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/auth.pc\")
  message(STATUS \"Installing: \${auth_pc}\")
  configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/auth.pc.in\" \"\${auth_pc}\" @ONLY)
")

# ---------------------------------------------------------------------------
# Tests of the library file itself.
# ---------------------------------------------------------------------------
find_program(AUTH_NM NAMES nm)
find_program(AUTH_READELF NAMES readelf)
find_program(AUTH_PKG_CONFIG NAMES pkg-config pkgconf)

set(AUTH_CHECK_LIBRARY "${AUTH_BASH}" "${CMAKE_CURRENT_SOURCE_DIR}/cmake/scripts/check-library.sh")

add_test(NAME shared_library_exports_only_auth_symbols
  COMMAND ${AUTH_CHECK_LIBRARY} exports-only-auth "${AUTH_NM}" "${AUTH_SHARED_LIBRARY}")
add_test(NAME shared_library_exports_every_header_function
  COMMAND ${AUTH_CHECK_LIBRARY} exports-header "${AUTH_NM}" "${AUTH_SHARED_LIBRARY}"
          "${CMAKE_CURRENT_SOURCE_DIR}/include/auth.h")
add_test(NAME shared_library_soname_is_libauth_so_major
  COMMAND ${AUTH_CHECK_LIBRARY} soname "${AUTH_READELF}" "${AUTH_SHARED_LIBRARY}" "${AUTH_SONAME}")

# ---------------------------------------------------------------------------
# The staged install, and consumers that see nothing else.
# ---------------------------------------------------------------------------
set(AUTH_STAGE_DIR "${CMAKE_CURRENT_BINARY_DIR}/stage")
set(AUTH_CONSUMERS_DIR "${CMAKE_CURRENT_BINARY_DIR}/consumers")

# A fresh prefix each time, so that a file no longer installed cannot make a
# consumer test pass.
add_test(NAME install_stage
  COMMAND "${AUTH_BASH}" -c
          "\"$0\" -E rm -rf \"$1\" && \"$0\" --install \"$2\" --prefix \"$1\""
          "${CMAKE_COMMAND}" "${AUTH_STAGE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}")
set_tests_properties(install_stage PROPERTIES FIXTURES_SETUP auth_stage)

add_test(NAME installed_files_and_links
  COMMAND ${AUTH_CHECK_LIBRARY} layout "${AUTH_STAGE_DIR}" "${CMAKE_INSTALL_LIBDIR}"
          "${CMAKE_INSTALL_INCLUDEDIR}" "${AUTH_SHARED_FILE}" "${AUTH_SONAME}")
add_test(NAME installed_library_soname_is_libauth_so_major
  COMMAND ${AUTH_CHECK_LIBRARY} soname "${AUTH_READELF}"
          "${AUTH_STAGE_DIR}/${CMAKE_INSTALL_LIBDIR}/${AUTH_SHARED_FILE}" "${AUTH_SONAME}")
add_test(NAME installed_library_exports_only_auth_symbols
  COMMAND ${AUTH_CHECK_LIBRARY} exports-only-auth "${AUTH_NM}"
          "${AUTH_STAGE_DIR}/${CMAKE_INSTALL_LIBDIR}/${AUTH_SHARED_FILE}")

# consume.sh MODE WORK_DIR ISSUER [README], with the provider up; topic
# files add their own variables after AUTH_CONSUME_ENV.
set(AUTH_CONSUME_ENV
  "AUTH_CLIENT_ID=${AUTH_TEST_BASIC_CLIENT_ID}"
  "AUTH_CLIENT_SECRET=${AUTH_TEST_BASIC_CLIENT_SECRET}"
  "AUTH_STAGE=${AUTH_STAGE_DIR}"
  "AUTH_LIBDIR=${AUTH_STAGE_DIR}/${CMAKE_INSTALL_LIBDIR}"
  "CC=${CMAKE_C_COMPILER}"
  "CMAKE=${CMAKE_COMMAND}"
  "PKG_CONFIG=${AUTH_PKG_CONFIG}"
  "READELF=${AUTH_READELF}")
set(AUTH_CONSUME_SCRIPT "${AUTH_BASH}" "${CMAKE_CURRENT_SOURCE_DIR}/tests/consumers/consume.sh")
set(AUTH_CONSUME
  ${AUTH_WITH_PROVIDER} "${AUTH_CONSUMERS_DIR}/provider"
  "${CMAKE_COMMAND}" -E env ${AUTH_CONSUME_ENV} ${AUTH_CONSUME_SCRIPT})

add_test(NAME consumer_cmake_find_package_shared
  COMMAND ${AUTH_CONSUME} cmake-shared "${AUTH_CONSUMERS_DIR}/cmake-shared" @ISSUER@)
add_test(NAME consumer_cmake_find_package_static
  COMMAND ${AUTH_CONSUME} cmake-static "${AUTH_CONSUMERS_DIR}/cmake-static" @ISSUER@)
add_test(NAME consumer_pkg_config_shared
  COMMAND ${AUTH_CONSUME} pkg-config-shared "${AUTH_CONSUMERS_DIR}/pkg-config-shared" @ISSUER@)
add_test(NAME consumer_pkg_config_static
  COMMAND ${AUTH_CONSUME} pkg-config-static "${AUTH_CONSUMERS_DIR}/pkg-config-static" @ISSUER@)
add_test(NAME readme_cmake_snippet
  COMMAND ${AUTH_CONSUME} readme-cmake "${AUTH_CONSUMERS_DIR}/readme-cmake" @ISSUER@
          "${CMAKE_CURRENT_SOURCE_DIR}/README.md")
add_test(NAME readme_pkg_config_snippets
  COMMAND ${AUTH_CONSUME} readme-pkg-config "${AUTH_CONSUMERS_DIR}/readme-pkg-config" @ISSUER@
          "${CMAKE_CURRENT_SOURCE_DIR}/README.md")

set_tests_properties(
  installed_files_and_links
  installed_library_soname_is_libauth_so_major
  installed_library_exports_only_auth_symbols
  consumer_cmake_find_package_shared
  consumer_cmake_find_package_static
  consumer_pkg_config_shared
  consumer_pkg_config_static
  readme_cmake_snippet
  readme_pkg_config_snippets
  PROPERTIES FIXTURES_REQUIRED auth_stage TIMEOUT 300)
