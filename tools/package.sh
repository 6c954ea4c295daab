#!/usr/bin/env bash
# Builds the .deb packages from the committed tree: hookfan (the command, hookfan.service,
# /etc/hookfan/hookfan.toml) and hookfan-dev (the embedding API). Reuses build/release
# (tools/build.sh release) and prints the paths of the packages it made.
#   bash tools/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "$(git status --porcelain --untracked-files=normal)" ]; then
  echo "package.sh: the tree has uncommitted changes (git status): commit or stash them, a package is built from a commit" >&2
  exit 1
fi
mkdir -p build
if ! bash tools/build.sh release >build/package.log 2>&1; then
  tail -n 20 build/package.log >&2
  echo "package.sh: the release build failed (above; whole log in build/package.log): no package made" >&2
  exit 1
fi
rm -f build/package.log
rm -rf build/release/packages
(cd build/release && cpack -G DEB >/dev/null)
ls build/release/packages/*.deb
