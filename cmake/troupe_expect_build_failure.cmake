# cmake -DBUILD_DIR=<dir> -DTARGET=<target> [-DCONFIG=<cfg>] -P <this file>
#
# Builds TARGET, echoes the compiler output, and fails loudly if the build
# succeeded. Used by compile-fail tests: ctest's PASS_REGULAR_EXPRESSION then
# checks that the output carries the expected diagnostic.
set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET} ${config_args}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
message("${output}")
if(result EQUAL 0)
  message(FATAL_ERROR "TROUPE_COMPILE_FAIL_UNEXPECTED_SUCCESS: ${TARGET} compiled")
endif()
