#!/usr/bin/env bash
# Installs podsim from BUILD_DIR (default: build) into a temporary prefix, builds
# examples/embed against it with find_package(podsim), and runs it: the installed
# package must be enough to build a cluster and a job in C++ and simulate a step.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
cmake -S examples/embed -B "$tmp/embed" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      > "$tmp/configure.log" || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/embed" > "$tmp/build.log" || { cat "$tmp/build.log"; exit 1; }
out=$("$tmp/embed/embed")
echo "$out"
if [[ "$out" != *" step "*" s, MFU "* ]]; then
  echo "test-embed: unexpected output" >&2
  exit 1
fi
echo "test-embed: ok"
