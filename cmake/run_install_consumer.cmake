# cmake -P driver for the `install_consumer` test:
#  1. configure + build + install the coil source tree (tests/examples/bench/CUDA off)
#     into a fresh prefix under COIL_WORK_DIR;
#  2. configure + build tests/install/consumer against it (CMAKE_PREFIX_PATH=<prefix>);
#  3. run the consumer's `app`.
# Inputs: COIL_SOURCE_DIR COIL_CONSUMER_DIR COIL_WORK_DIR COIL_GENERATOR
#         COIL_MAKE_PROGRAM COIL_CXX_COMPILER [COIL_CXX_LAUNCHER] [COIL_BUILD_TYPE]
foreach(_v COIL_SOURCE_DIR COIL_CONSUMER_DIR COIL_WORK_DIR COIL_GENERATOR COIL_CXX_COMPILER)
  if(NOT DEFINED ${_v} OR "${${_v}}" STREQUAL "")
    message(FATAL_ERROR "run_install_consumer.cmake: ${_v} not set")
  endif()
endforeach()
if(NOT COIL_BUILD_TYPE)
  set(COIL_BUILD_TYPE Release)
endif()

set(_prefix "${COIL_WORK_DIR}/prefix")
set(_lib_build "${COIL_WORK_DIR}/coil-build")
set(_app_build "${COIL_WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${COIL_WORK_DIR}")
file(MAKE_DIRECTORY "${COIL_WORK_DIR}")

set(_common -G "${COIL_GENERATOR}" "-DCMAKE_CXX_COMPILER=${COIL_CXX_COMPILER}"
            "-DCMAKE_BUILD_TYPE=${COIL_BUILD_TYPE}")
if(COIL_MAKE_PROGRAM)
  list(APPEND _common "-DCMAKE_MAKE_PROGRAM=${COIL_MAKE_PROGRAM}")
endif()
if(COIL_CXX_LAUNCHER)
  list(APPEND _common "-DCMAKE_CXX_COMPILER_LAUNCHER=${COIL_CXX_LAUNCHER}")
endif()

function(_step what)
  message(STATUS "install_consumer: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    string(JOIN " " _c ${ARGN})
    message(FATAL_ERROR "install_consumer: step '${what}' failed (rc=${_rc})\n"
                        "command: ${_c}\n--- output ---\n${_out}")
  endif()
endfunction()

_step("configure coil" ${CMAKE_COMMAND} -S "${COIL_SOURCE_DIR}" -B "${_lib_build}" ${_common}
      "-DCMAKE_INSTALL_PREFIX=${_prefix}" -DCOIL_BUILD_TESTS=OFF -DCOIL_BUILD_EXAMPLES=OFF
      -DCOIL_BUILD_BENCH=OFF -DCOIL_ENABLE_CUDA=OFF)
_step("build coil"   ${CMAKE_COMMAND} --build "${_lib_build}")
_step("install coil" ${CMAKE_COMMAND} --install "${_lib_build}")
if(NOT EXISTS "${_prefix}/include/coil/coil.hpp")
  message(WARNING "install_consumer: ${_prefix}/include/coil/coil.hpp was not installed")
endif()
_step("configure consumer" ${CMAKE_COMMAND} -S "${COIL_CONSUMER_DIR}" -B "${_app_build}" ${_common}
      "-DCMAKE_PREFIX_PATH=${_prefix}")
_step("build consumer" ${CMAKE_COMMAND} --build "${_app_build}")
_step("run consumer app" "${_app_build}/app")
message(STATUS "install_consumer: OK (prefix ${_prefix})")
