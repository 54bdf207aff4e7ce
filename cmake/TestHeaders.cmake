# Header self-containment tests.
#
#   coil_add_header_tests(TARGET <name> INCLUDE_DIR <dir> LINK <usage-target>
#                         [EXCLUDE_REGEX <regex>])
#
# For every <dir>/**/*.hpp a TU is generated that includes the header twice
# (checks self-containment and include guards / #pragma once). All TUs are
# compiled into one OBJECT library <name> with the project warnings.
# Non-.hpp headers (e.g. .cuh) are skipped. The target always exists (with a
# stub TU when there are no headers), so `cmake --build ... --target <name>` works.
# Cache variable COIL_HEADER_TEST_EXCLUDE (regex on the path relative to
# INCLUDE_DIR) can skip headers that need e.g. nvcc.

set(COIL_HEADER_TEST_EXCLUDE "" CACHE STRING
    "Regex (relative to include/) of headers skipped by the self-containment tests")

function(coil_add_header_tests)
  cmake_parse_arguments(HT "" "TARGET;INCLUDE_DIR;LINK;EXCLUDE_REGEX" "" ${ARGN})
  if(NOT HT_EXCLUDE_REGEX)
    set(HT_EXCLUDE_REGEX "${COIL_HEADER_TEST_EXCLUDE}")
  endif()
  set(_gen_dir "${CMAKE_CURRENT_BINARY_DIR}/${HT_TARGET}")
  set(_tus "")
  if(EXISTS "${HT_INCLUDE_DIR}")
    file(GLOB_RECURSE _hdrs CONFIGURE_DEPENDS RELATIVE "${HT_INCLUDE_DIR}"
         "${HT_INCLUDE_DIR}/*.hpp")
    list(SORT _hdrs)
    foreach(_h IN LISTS _hdrs)
      if(HT_EXCLUDE_REGEX AND _h MATCHES "${HT_EXCLUDE_REGEX}")
        continue()
      endif()
      string(MAKE_C_IDENTIFIER "${_h}" _id)
      set(_tu "${_gen_dir}/${_id}.cpp")
      # file(CONFIGURE) rewrites only on change -> no needless rebuilds.
      file(CONFIGURE OUTPUT "${_tu}"
           CONTENT "// generated: self-containment + include-guard check\n#include \"${_h}\"\n#include \"${_h}\"\n"
           @ONLY)
      list(APPEND _tus "${_tu}")
    endforeach()
  endif()
  list(LENGTH _tus _n)
  if(_n EQUAL 0)
    set(_tu "${_gen_dir}/_no_headers_yet.cpp")
    file(CONFIGURE OUTPUT "${_tu}" CONTENT "// generated: no headers found under include/\n" @ONLY)
    list(APPEND _tus "${_tu}")
  endif()
  add_library(${HT_TARGET} OBJECT ${_tus})
  target_link_libraries(${HT_TARGET} PRIVATE ${HT_LINK})
  coil_warnings(${HT_TARGET})
  message(STATUS "coil: ${_n} header(s) in ${HT_TARGET}")
endfunction()
