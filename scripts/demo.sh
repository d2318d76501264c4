#!/usr/bin/env bash
# Installs dependencies, builds, and runs podsim's main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/cli/podsim run scenarios/cloudmatrix384_vs_nvl72.textproto
