# Run by `cmake --install` (cmake/Install.cmake): writes hookfan.service for the prefix
# being installed to and installs it with the example config. GNU rule for a /usr prefix:
# the config goes to /etc, not /usr/etc. DESTDIR (CPack) is prepended by file(INSTALL).
set(prefix ${CMAKE_INSTALL_PREFIX})
if(prefix STREQUAL "/usr")
  set(HOOKFAN_SYSCONF_DIR /etc/hookfan)
else()
  set(HOOKFAN_SYSCONF_DIR ${prefix}/etc/hookfan)
endif()
set(HOOKFAN_BIN ${prefix}/${HOOKFAN_BINDIR}/hookfan)
set(HOOKFAN_DOC ${prefix}/share/doc/hookfan/README.md)
configure_file(${HOOKFAN_SOURCE_DIR}/packaging/hookfan.service.in
               ${HOOKFAN_STAGING_DIR}/hookfan.service @ONLY)
file(INSTALL ${HOOKFAN_STAGING_DIR}/hookfan.service
     DESTINATION ${prefix}/lib/systemd/system)
file(INSTALL ${HOOKFAN_SOURCE_DIR}/packaging/hookfan.toml DESTINATION ${HOOKFAN_SYSCONF_DIR})
