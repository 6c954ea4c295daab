# The .deb packages (tools/package.sh runs cpack in build/release): `hookfan` (the command,
# the systemd unit, /etc/hookfan/hookfan.toml as a conffile, docs)
# and `hookfan-dev` (headers, libraries, CMake package, hookfan.pc).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hookfan)
set(CPACK_PACKAGE_VENDOR hookfan)
set(CPACK_PACKAGE_CONTACT "hookfan maintainers <hookfan@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "high-throughput webhook fan-out engine")
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install into a staging DESTDIR with prefix /usr, so that the service script's /etc and
# /usr paths come out as on the target machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME hookfan)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME hookfan-dev)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
  "high-throughput webhook fan-out engine\n Events in (HTTP ingest, NDJSON), fanned out to every subscribed endpoint as\n signed HTTP POSTs, retried until success or dead letter; runs as hookfan.service.")
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "hookfan's embedding API: headers, libraries, CMake package and pkg-config file\n Link hookfan::engine (find_package(hookfan)) or pkg-config hookfan.")
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# Runtime Depends from the binary's shared libraries (dpkg-shlibdeps), plus useradd.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "hookfan (= ${PROJECT_VERSION}), libuv1-dev, libssl-dev, libsimdjson-dev, libxxhash-dev, libhiredis-dev, pkg-config")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/prerm ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
