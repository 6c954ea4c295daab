#!/usr/bin/env bash
# Installs every build, test and benchmark dependency from Debian's packages.
# Safe to run twice: when everything is present it does nothing (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libuv1-dev node-llhttp libsimdjson-dev libssl-dev openssl libconcurrentqueue-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev libcli11-dev
  clang-format python3 wrk procps iproute2
  clang libclang-rt-14-dev
  libc-ares-dev libhiredis-dev libxxhash-dev libsqlite3-dev zlib1g-dev
  redis-server nginx-light chromium prometheus
  dpkg-dev fakeroot systemd bash-completion
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
