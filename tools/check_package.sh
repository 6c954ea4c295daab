#!/usr/bin/env bash
# CI: builds the .deb packages (tools/package.sh), checks what they hold, installs them with
# dpkg on this machine, checks the installed command, user and unit, then purges them so the
# machine is left as it was. Needs root (or sudo) for dpkg.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check_package.sh: $*" >&2; exit 1; }
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

bash tools/package.sh >/dev/null
runtime=$(ls build/release/packages/hookfan_*.deb)
dev=$(ls build/release/packages/hookfan-dev_*.deb)

contents=$(dpkg-deb -c "$runtime")
for path in ./usr/bin/hookfan ./usr/lib/systemd/system/hookfan.service \
  ./etc/hookfan/hookfan.toml ./usr/share/doc/hookfan/README.md \
  ./usr/share/doc/hookfan/examples/hookfan.toml \
  ./usr/share/bash-completion/completions/hookfan; do
  grep -q " $path$" <<<"$contents" || fail "$runtime lacks $path"
done
dpkg-deb -I "$runtime" conffiles | grep -qx /etc/hookfan/hookfan.toml ||
  fail "/etc/hookfan/hookfan.toml is not a conffile"
depends=$(dpkg-deb -f "$runtime" Depends)
# From dpkg-shlibdeps: the shared libraries the binary loads (xxHash is inlined from its header).
for package in libuv1 libssl3 libsimdjson libsqlite3 libtomlplusplus; do
  [[ "$depends" == *"$package"* ]] || fail "Depends lacks $package: $depends"
done
dev_contents=$(dpkg-deb -c "$dev")
for path in ./usr/include/hookfan/engine/hookfan.h ./usr/lib/libhookfan_engine.a \
  ./usr/lib/libhookfan_net.a ./usr/lib/libhookfan_source_redis.a \
  ./usr/lib/cmake/hookfan/hookfanConfig.cmake ./usr/lib/cmake/hookfan/hookfanRedisTargets.cmake \
  ./usr/lib/pkgconfig/hookfan.pc ./usr/share/doc/hookfan/examples/embedding_example.cc; do
  grep -q " $path$" <<<"$dev_contents" || fail "$dev lacks $path"
done

"${sudo_cmd[@]}" dpkg -i "$runtime" "$dev" >/dev/null
trap '"${sudo_cmd[@]}" dpkg --purge hookfan-dev hookfan >/dev/null' EXIT
[ "$(command -v hookfan)" = /usr/bin/hookfan ] || fail "hookfan on PATH is $(command -v hookfan)"
hookfan --version
getent passwd hookfan >/dev/null || fail "postinst did not create the user hookfan"
[ "$(stat -c %U /var/lib/hookfan)" = hookfan ] || fail "/var/lib/hookfan is not hookfan's"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/hookfan.service
fi
# The unit's command as its user, with a missing config: one line and exit 2, which the
# unit does not restart on (RestartPreventExitStatus). tests/tools/common checks that the
# shipped config parses.
set +e
error=$("${sudo_cmd[@]}" runuser -u hookfan -- hookfan serve --config /etc/hookfan/missing.toml 2>&1)
status=$?
set -e
[ "$status" -eq 2 ] && [ "$(wc -l <<<"$error")" -eq 1 ] ||
  fail "serve with a missing config: exit $status, '$error' (want exit 2 and one line)"
echo "check_package.sh: $(basename "$runtime") and $(basename "$dev") install, hookfan is on PATH"
