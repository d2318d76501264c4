#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DPODSIM_WERROR=ON
ctest --test-dir build --output-on-failure -j "$(nproc)"
