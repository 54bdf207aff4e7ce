# Compile-fail tests for coil.
#
# Each source file declares one or more cases with lines of the form
#
#     // COIL_FAIL_CASE: <NAME> <regex>
#
# (NAME = [A-Za-z0-9_]+, regex = CMake regex, rest of the line; avoid ';').
# Registered ctest tests:
#   fail_<stem>_ok        : the file compiled with no COIL_FAIL_* macro must compile (once
#                           per file: that compilation is the same for every case);
#   fail_<stem>_<NAME>_ko : for every case, compiled with -DCOIL_FAIL_<NAME> it must FAIL
#                           and the combined compiler output must match <regex>.
# Compilation happens at test time (ctest), via cmake/run_compile_fail.cmake,
# using ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only plus the (transitive)
# include directories and compile definitions of TARGET.
#
#   coil_add_compile_fail_tests(DIRECTORY <dir> TARGET <usage-target>
#                               [LABELS ...] [TIMEOUT <s>] [PREFIX <p>])
#   coil_add_compile_fail_test(FILE <src> TARGET <usage-target> [LABELS ...] [TIMEOUT <s>] [PREFIX <p>])

set(_COIL_COMPILE_FAIL_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/run_compile_fail.cmake")

# Writes (once per target) a file with one compiler flag per line.
function(_coil_compile_fail_flags_file target out_var)
  if(TARGET ${target})
    get_target_property(_aliased ${target} ALIASED_TARGET)
    if(_aliased)
      set(target ${_aliased})
    endif()
  endif()
  string(MAKE_C_IDENTIFIER "${target}" _id)
  set(_file "${CMAKE_BINARY_DIR}/coil_compile_fail/${_id}.flags")
  get_property(_done GLOBAL PROPERTY _COIL_CF_FLAGS_${_id})
  if(NOT _done)
    set(_inc "$<TARGET_PROPERTY:${target},INTERFACE_INCLUDE_DIRECTORIES>")
    set(_def "$<TARGET_PROPERTY:${target},INTERFACE_COMPILE_DEFINITIONS>")
    set(_content
      "$<$<BOOL:${_inc}>:-I$<JOIN:${_inc},\n-I>\n>$<$<BOOL:${_def}>:-D$<JOIN:${_def},\n-D>\n>")
    file(GENERATE OUTPUT "${_file}" CONTENT "${_content}")
    # Compiler-implicit include dirs (e.g. /usr/include) must not be passed as -I:
    # that breaks libstdc++'s #include_next. The driver script filters them out.
    string(REPLACE ";" "\n" _implicit "${CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES}")
    file(WRITE "${_file}.implicit" "${_implicit}\n")
    set_property(GLOBAL PROPERTY _COIL_CF_FLAGS_${_id} TRUE)
  endif()
  set(${out_var} "${_file}" PARENT_SCOPE)
endfunction()

function(coil_add_compile_fail_test)
  cmake_parse_arguments(CF "" "FILE;TARGET;TIMEOUT;PREFIX" "LABELS" ${ARGN})
  if(NOT CF_PREFIX)
    set(CF_PREFIX fail)
  endif()
  if(NOT CF_TIMEOUT)
    set(CF_TIMEOUT 600)
  endif()
  get_filename_component(_stem "${CF_FILE}" NAME_WE)
  _coil_compile_fail_flags_file(${CF_TARGET} _flags)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${CF_FILE}")

  file(READ "${CF_FILE}" _text)
  string(REGEX MATCHALL "//[ \t]*COIL_FAIL_CASE:[ \t]*[A-Za-z0-9_]+" _decls "${_text}")
  if(NOT _decls)
    message(WARNING "coil: ${CF_FILE} declares no '// COIL_FAIL_CASE: <NAME> <regex>' line")
    return()
  endif()
  set(_seen "")
  set(_cases "")
  foreach(_d IN LISTS _decls)
    string(REGEX REPLACE "^//[ \t]*COIL_FAIL_CASE:[ \t]*" "" _name "${_d}")
    if(_name IN_LIST _seen)
      message(FATAL_ERROR "coil: ${CF_FILE}: duplicate COIL_FAIL_CASE ${_name}")
    endif()
    list(APPEND _seen ${_name})
    list(APPEND _cases "${_name}:ko")
  endforeach()
  list(GET _seen 0 _first)
  list(PREPEND _cases "${_first}:ok") # the file as written: one compilation for all cases
  foreach(_c IN LISTS _cases)
    string(REPLACE ":" ";" _c "${_c}")
    list(GET _c 0 _name)
    list(GET _c 1 _mode)
    if(_mode STREQUAL "ok")
      set(_test ${CF_PREFIX}_${_stem}_ok)
    else()
      set(_test ${CF_PREFIX}_${_stem}_${_name}_ko)
    endif()
    add_test(NAME ${_test}
      COMMAND ${CMAKE_COMMAND}
        "-DCOIL_CF_COMPILER=${CMAKE_CXX_COMPILER}"
        "-DCOIL_CF_SOURCE=${CF_FILE}"
        "-DCOIL_CF_CASE=${_name}"
        "-DCOIL_CF_MODE=${_mode}"
        "-DCOIL_CF_FLAGS_FILE=${_flags}"
        -P "${_COIL_COMPILE_FAIL_SCRIPT}")
    set_tests_properties(${_test} PROPERTIES TIMEOUT ${CF_TIMEOUT})
    if(CF_LABELS)
      set_tests_properties(${_test} PROPERTIES LABELS "${CF_LABELS}")
    endif()
  endforeach()
endfunction()

function(coil_add_compile_fail_tests)
  cmake_parse_arguments(CF "" "DIRECTORY;TARGET;TIMEOUT;PREFIX" "LABELS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS "${CF_DIRECTORY}/*.cpp")
  list(SORT _srcs)
  set(_extra "")
  if(CF_TIMEOUT)
    list(APPEND _extra TIMEOUT ${CF_TIMEOUT})
  endif()
  if(CF_PREFIX)
    list(APPEND _extra PREFIX ${CF_PREFIX})
  endif()
  if(CF_LABELS)
    list(APPEND _extra LABELS ${CF_LABELS})
  endif()
  foreach(_src IN LISTS _srcs)
    coil_add_compile_fail_test(FILE "${_src}" TARGET ${CF_TARGET} ${_extra})
  endforeach()
endfunction()
