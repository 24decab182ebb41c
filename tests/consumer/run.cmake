# cmake -DTROUPE_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=...
#       -DGENERATOR=... -DCXX_COMPILER=... [-DCONFIG=...] [-DCXX_FLAGS=...]
#       [-DLINKER_FLAGS=...] -P run.cmake
#
# 1. install the troupe build into a fresh prefix under WORK_DIR;
# 2. configure + build the consumer project against that prefix only;
# 3. run it and require "consumer: 42", the JSON of a described message, a Lua reply and a
#    sum asked over IPC.
foreach(var TROUPE_BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()
# CONFIG is empty for a single-config build without CMAKE_BUILD_TYPE: then
# install and build without --config, or the export files would not match.
set(config_args)
set(build_type_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
  set(build_type_args -DCMAKE_BUILD_TYPE=${CONFIG})
endif()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result
    OUTPUT_VARIABLE out ERROR_VARIABLE out)
  message("${out}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install_consumer: ${name} failed (${result})")
  endif()
endfunction()

step(install ${CMAKE_COMMAND} --install ${TROUPE_BUILD_DIR}
  --prefix ${prefix} ${config_args})

if(EXISTS ${prefix}/include/troupe/internal)
  message(FATAL_ERROR "install_consumer: internal/ headers were installed")
endif()

step(configure ${CMAKE_COMMAND}
  -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}
  -G ${GENERATOR}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  ${build_type_args}
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
  -DCMAKE_PREFIX_PATH=${prefix}
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)

step(build ${CMAKE_COMMAND} --build ${consumer_build} ${config_args})

set(app ${consumer_build}/app)
if(NOT EXISTS ${app} AND CONFIG)
  set(app ${consumer_build}/${CONFIG}/app)
endif()
execute_process(COMMAND ${app} RESULT_VARIABLE result
  OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 60)
message("${out}")
if(NOT result EQUAL 0 OR NOT out MATCHES "consumer: 42, {\"a\":20,\"b\":22}, lua 42, ipc 42")
  message(FATAL_ERROR "install_consumer: app failed (${result})")
endif()
