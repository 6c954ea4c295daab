# public_headers_test: copies HOOKFAN_PUBLIC_HEADERS (cmake/PublicHeaders.cmake) into a fresh
# directory, as an install would, and compiles a file including each header alone with only
# that directory and a "poison" directory on the include path. The poison directory holds a
# uv.h, llhttp.h, ... that stop the compiler with #error, so this fails when a public
# header is not self-contained, includes a project header that is not installed, or pulls
# a private dependency into an embedder's build.
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -P public_headers_check.cmake
include(${SOURCE_DIR}/cmake/PublicHeaders.cmake)
set(private_headers uv.h llhttp.h simdjson.h concurrentqueue/concurrentqueue.h
    toml++/toml.hpp sqlite3.h xxhash.h CLI/CLI.hpp hiredis/hiredis.h
    hiredis/adapters/libuv.h)

file(REMOVE_RECURSE ${WORK_DIR})
foreach(header ${private_headers})
  file(WRITE ${WORK_DIR}/poison/${header}
       "#error \"${header} reached from a public header: embedders do not have it\"\n")
endforeach()
foreach(header ${HOOKFAN_PUBLIC_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  file(COPY ${SOURCE_DIR}/${header} DESTINATION ${WORK_DIR}/include/${dir})
endforeach()

set(failed "")
foreach(header ${HOOKFAN_PUBLIC_HEADERS})
  string(MAKE_C_IDENTIFIER ${header} name)
  file(WRITE ${WORK_DIR}/${name}.cc "#include \"${header}\"\n")
  execute_process(
    COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I${WORK_DIR}/poison
            -I${WORK_DIR}/include ${WORK_DIR}/${name}.cc
    RESULT_VARIABLE result ERROR_VARIABLE errors)
  if(NOT result EQUAL 0)
    message("${header} does not compile alone against the public headers (a header it "
            "includes must be listed in cmake/PublicHeaders.cmake, and none may need a "
            "private dependency):\n${errors}")
    list(APPEND failed ${header})
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "public headers that fail: ${failed}")
endif()
list(LENGTH HOOKFAN_PUBLIC_HEADERS count)
message("all ${count} public headers compile alone, without private dependencies")
