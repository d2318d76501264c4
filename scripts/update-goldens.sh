#!/usr/bin/env bash
# Refreshes tests/scenarios/golden/ from the current build after an intended change in
# results. Review the diff (git diff tests/scenarios/golden) before committing it.
# Another build tree: BUILD_DIR=build-x scripts/update-goldens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake --build "$build" -j "$(nproc)" --target podsim
bash tests/scenarios/golden_check.sh "$PWD/$build/cli/podsim" "$PWD" --update
