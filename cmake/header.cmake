# Hygiene of include/auth.h, compiled as the tests run so that a broken
# header fails a named test rather than the build:
# - as C99 with -pedantic -Werror, with the C compiler and with clang;
# - as C++17 with g++ and clang++ (those present), linked and run;
# - included twice;
# - its version macros against Cargo.toml and auth_version().
set(AUTH_HEADER_TESTS "${CMAKE_CURRENT_SOURCE_DIR}/tests/header")
set(AUTH_HEADER_OUT "${CMAKE_CURRENT_BINARY_DIR}/header")
set(AUTH_HEADER_C_FLAGS -std=c99 -pedantic -Werror -Wall -Wextra
  -I "${CMAKE_CURRENT_SOURCE_DIR}/include")
set(AUTH_HEADER_CXX_FLAGS -std=c++17 -pedantic -Werror -Wall -Wextra
  -I "${CMAKE_CURRENT_SOURCE_DIR}/include")
set(AUTH_HEADER_LINK "${AUTH_SHARED_LIBRARY}" "-Wl,-rpath,${AUTH_RELEASE_DIR}")
# Compiles and links to the program named by the first argument, then runs it.
set(AUTH_BUILD_AND_RUN "${AUTH_BASH}" -c
  "mkdir -p \"$(dirname \"$0\")\" && \"$@\" -o \"$0\" && \"$0\"")
file(MAKE_DIRECTORY "${AUTH_HEADER_OUT}")

find_program(AUTH_HEADER_CLANG clang)
set(c_compilers "cc=${CMAKE_C_COMPILER}")
if(AUTH_HEADER_CLANG AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  list(APPEND c_compilers "clang=${AUTH_HEADER_CLANG}")
endif()
foreach(entry IN LISTS c_compilers)
  string(REGEX REPLACE "=.*" "" name "${entry}")
  string(REGEX REPLACE "^[^=]*=" "" compiler "${entry}")
  add_test(NAME header_compiles_as_c99_pedantic_${name}
    COMMAND "${compiler}" ${AUTH_HEADER_C_FLAGS} -fsyntax-only
            "${AUTH_HEADER_TESTS}/include_once.c")
  add_test(NAME header_included_twice_c99_${name}
    COMMAND "${compiler}" ${AUTH_HEADER_C_FLAGS} -fsyntax-only
            "${AUTH_HEADER_TESTS}/include_twice.c")
endforeach()

find_program(AUTH_HEADER_GXX g++)
find_program(AUTH_HEADER_CLANGXX clang++)
set(cxx_found FALSE)
foreach(name gxx clangxx)
  if(name STREQUAL "gxx")
    set(compiler "${AUTH_HEADER_GXX}")
  else()
    set(compiler "${AUTH_HEADER_CLANGXX}")
  endif()
  if(compiler)
    set(cxx_found TRUE)
    add_test(NAME header_included_twice_cxx17_${name}
      COMMAND ${AUTH_BUILD_AND_RUN} "${AUTH_HEADER_OUT}/include_twice_${name}"
              "${compiler}" ${AUTH_HEADER_CXX_FLAGS}
              "${AUTH_HEADER_TESTS}/include_twice.cpp" ${AUTH_HEADER_LINK})
  endif()
endforeach()
if(NOT cxx_found)
  message(WARNING "neither g++ nor clang++ found: auth.h is not checked as C++")
endif()

add_test(NAME header_version_macros_match_cargo_and_library
  COMMAND ${AUTH_BUILD_AND_RUN} "${AUTH_HEADER_OUT}/version"
          "${CMAKE_C_COMPILER}" ${AUTH_HEADER_C_FLAGS}
          "-DCARGO_VERSION=\"${PROJECT_VERSION}\""
          "-DCARGO_VERSION_MAJOR=${PROJECT_VERSION_MAJOR}"
          "-DCARGO_VERSION_MINOR=${PROJECT_VERSION_MINOR}"
          "-DCARGO_VERSION_PATCH=${PROJECT_VERSION_PATCH}"
          "${AUTH_HEADER_TESTS}/version.c" ${AUTH_HEADER_LINK})
