# `cmake --install`: the hookfan command, the embedding API (headers, libraries, a CMake
# package exporting hookfan::engine, hookfan.pc), docs, and the service files. Components:
# `runtime` (what the hookfan package holds) and `dev` (hookfan-dev: build against it).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
include(cmake/PublicHeaders.cmake)

set(HOOKFAN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hookfan)

install(TARGETS hookfan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# Exported as hookfan::engine (what embedders link), hookfan::net and hookfan::llhttp (what
# it links).
set_target_properties(hookfan_engine PROPERTIES EXPORT_NAME engine)
set_target_properties(hookfan_net PROPERTIES EXPORT_NAME net)
install(TARGETS hookfan_engine hookfan_net llhttp EXPORT hookfanTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
# Headers keep their repository paths under include/hookfan/, so that embedders write
# #include "engine/hookfan.h" as the code in this repository does.
foreach(header ${HOOKFAN_PUBLIC_HEADERS})
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hookfan/${dir} COMPONENT dev)
endforeach()

install(EXPORT hookfanTargets NAMESPACE hookfan:: DESTINATION ${HOOKFAN_CMAKE_DIR}
        COMPONENT dev)
configure_package_config_file(cmake/hookfanConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hookfanConfig.cmake INSTALL_DESTINATION ${HOOKFAN_CMAKE_DIR})
# 0.x: any minor release may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hookfanConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hookfanConfig.cmake
        ${PROJECT_BINARY_DIR}/hookfanConfigVersion.cmake
        DESTINATION ${HOOKFAN_CMAKE_DIR} COMPONENT dev)

# hookfan.pc: relocatable (prefix found from the .pc file's own place). A static library
# does not carry its dependencies, so then they are Requires (pkg-config --libs lists
# them); a shared one does, so they are Requires.private.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH HOOKFAN_PC_PREFIX_FROM_PCDIR /prefix/${pc_dir} /prefix)
if(BUILD_SHARED_LIBS)
  set(HOOKFAN_PC_REQUIRES Requires.private)
  set(HOOKFAN_PC_THREADS "")
else()
  set(HOOKFAN_PC_REQUIRES Requires)
  set(HOOKFAN_PC_THREADS -pthread)
endif()
configure_file(cmake/hookfan.pc.in ${PROJECT_BINARY_DIR}/hookfan.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hookfan.pc DESTINATION ${pc_dir} COMPONENT dev)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
file(GLOB doc_pages ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${doc_pages} DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(FILES docs/examples/embedding_example.cc docs/examples/CMakeLists.txt
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT dev)
install(FILES packaging/hookfan.toml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        COMPONENT runtime)

# The systemd unit and /etc/hookfan/hookfan.toml: their paths follow the prefix given at
# install time (cmake --install --prefix, or /usr when CPack builds the .deb), so they are
# written by a script run then (packaging/install_service.cmake).
install(CODE "set(HOOKFAN_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(HOOKFAN_STAGING_DIR \"${PROJECT_BINARY_DIR}/service-files\")
set(HOOKFAN_BINDIR \"${CMAKE_INSTALL_BINDIR}\")" COMPONENT runtime)
install(SCRIPT packaging/install_service.cmake COMPONENT runtime)
