# Checks the C snippets of README.md: run with cmake -P (not included by
# CMakeLists.txt, which includes only cmake/*.cmake).
#
# Every ```c block that follows a line `<!-- snippet: readme_c -->` is
# written to OUT_DIR, compiled with -Wall -Wextra -Werror -Wpedantic against
# include/auth.h, linked against libauth.so, and run against the local
# provider: with the provider's token endpoint as its only argument, and
# AUTH_CLIENT_ID and AUTH_CLIENT_SECRET set to one of its clients. A snippet
# must exit 0 there; one that cannot use those inputs does not belong under
# this marker.
#
# Variables: README, OUT_DIR, C_COMPILER, INCLUDE_DIR, LIBRARY, ISSUER,
# CLIENT_ID, CLIENT_SECRET.
cmake_minimum_required(VERSION 3.16)

foreach(var README OUT_DIR C_COMPILER INCLUDE_DIR LIBRARY ISSUER CLIENT_ID CLIENT_SECRET)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "readme-snippets.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${README}" rest)
# A marker counts only at the start of a line, not quoted in the prose.
set(rest "\n${rest}")
set(marker "\n<!-- snippet: readme_c -->")
set(snippets 0)
while(TRUE)
  string(FIND "${rest}" "${marker}" at)
  if(at EQUAL -1)
    break()
  endif()
  string(LENGTH "${marker}" length)
  math(EXPR at "${at} + ${length}")
  string(SUBSTRING "${rest}" ${at} -1 rest)

  # Only blank lines may separate the marker from its ```c fence.
  if(NOT rest MATCHES "^[ \t\r]*\n([ \t\r]*\n)*```c[ \t\r]*\n")
    message(FATAL_ERROR "README.md: `<!-- snippet: readme_c -->` must be "
      "followed by a ```c block")
  endif()
  string(LENGTH "${CMAKE_MATCH_0}" length)
  string(SUBSTRING "${rest}" ${length} -1 rest)

  string(FIND "${rest}" "\n```" close)
  if(close EQUAL -1)
    message(FATAL_ERROR "README.md: a readme_c snippet is not closed by ```")
  endif()
  math(EXPR close "${close} + 1")
  string(SUBSTRING "${rest}" 0 ${close} code)
  string(SUBSTRING "${rest}" ${close} -1 rest)

  math(EXPR snippets "${snippets} + 1")
  file(MAKE_DIRECTORY "${OUT_DIR}")
  file(WRITE "${OUT_DIR}/readme_c_${snippets}.c" "${code}")
endwhile()
if(snippets EQUAL 0)
  message(FATAL_ERROR "README.md has no `<!-- snippet: readme_c -->` ```c block")
endif()

get_filename_component(library_dir "${LIBRARY}" DIRECTORY)
foreach(i RANGE 1 ${snippets})
  set(source "${OUT_DIR}/readme_c_${i}.c")
  set(program "${OUT_DIR}/readme_c_${i}")
  message(STATUS "README snippet ${i}: compiling ${source}")
  execute_process(
    COMMAND "${C_COMPILER}" -std=c11 -Wall -Wextra -Werror -Wpedantic
            -I "${INCLUDE_DIR}" "${source}" -o "${program}"
            "${LIBRARY}" "-Wl,-rpath,${library_dir}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "README snippet ${i} does not compile and link (${result})")
  endif()

  message(STATUS "README snippet ${i}: running against ${ISSUER}/token")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E env
            "AUTH_CLIENT_ID=${CLIENT_ID}" "AUTH_CLIENT_SECRET=${CLIENT_SECRET}"
            "${program}" "${ISSUER}/token"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "README snippet ${i} exited with ${result}")
  endif()
endforeach()
message(STATUS "${snippets} README C snippet(s) compiled, linked and run")
