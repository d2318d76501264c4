#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (CMake preset "asan", in
# build-asan/, optimized -O2 -g so the golden scenarios finish in CI time) and runs the
# whole test suite under them, goldens included. Assumes install-deps.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
cmake --preset asan >/dev/null
cmake --build build-asan -j "$(nproc)"
built=$(date +%s)
ctest --preset asan -j "$(nproc)"
echo "test-asan: build $((built - start)) s, tests $(($(date +%s) - built)) s"
