# Flags per target, never global: our targets are strict, third-party sources are not.
function(hookfan_strict target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Werror)
  hookfan_sanitize(${target})
endfunction()

# A shared build's libraries carry a SONAME that changes with the minor version (0.x).
function(hookfan_soversion target)
  set_target_properties(${target} PROPERTIES VERSION ${PROJECT_VERSION}
                        SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
endfunction()

# Sanitizers apply to every target, third-party ones included, so that instrumented and
# uninstrumented code never mix (TSan reports false races otherwise).
function(hookfan_sanitize target)
  if(HOOKFAN_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${HOOKFAN_SANITIZE}
                           -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${HOOKFAN_SANITIZE})
  endif()
endfunction()

# One test binary per *_test.cc file, so one broken unit never hides the others.
function(hookfan_add_tests folder)
  file(GLOB_RECURSE test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*_test.cc)
  foreach(source ${test_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE hookfan_test_support hookfan_tools hookfan_api hookfan_engine
                          hookfan_net GTest::gtest GTest::gmock GTest::gtest_main)
    target_compile_definitions(${name} PRIVATE
      HOOKFAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      HOOKFAN_BINARY="$<TARGET_FILE:hookfan>")
    add_dependencies(${name} hookfan)
    hookfan_strict(${name})
    # *_serial_test binaries measure throughput (e.g. blast's open model at 20,000/s): ctest
    # never runs them beside another test (RUN_SERIAL), so `ctest -j2` on two cores does
    # not halve the CPU they need.
    set(serial "")
    if(name MATCHES "_serial_test$")
      set(serial RUN_SERIAL TRUE)
    endif()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 120 ${serial})
  endforeach()
endfunction()

function(hookfan_add_benchmarks folder)
  file(GLOB_RECURSE bench_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*_bench.cc)
  foreach(source ${bench_sources})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE hookfan_engine hookfan_net benchmark::benchmark
                          benchmark::benchmark_main)
    hookfan_strict(${name})
  endforeach()
endfunction()
