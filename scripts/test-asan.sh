#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (CMake preset "asan", in
# build-asan/) and runs the whole test suite under them. Assumes install-deps.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset asan >/dev/null
cmake --build build-asan -j "$(nproc)"
ctest --preset asan -j "$(nproc)"
