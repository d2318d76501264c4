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
if [[ "$out" != *" step "*" s, MFU "* || "$out" != *"cluster run on two NVL72: makespan_s="*" finished=13 "* ]]; then
  echo "test-embed: unexpected output" >&2
  exit 1
fi
# The Python module, when this build has it, imports from the prefix alone and runs a study.
module=$(find "$tmp/prefix" -name 'podsim*.so' -print -quit)
if [[ -n "$module" ]]; then
  root=$PWD
  step=$(cd "$tmp" && PYTHONPATH=$(dirname "$module") /usr/bin/python3 -c '
import podsim, sys
cell = podsim.load(sys.argv[1]).run()["cells"][0]
print("%.6f" % cell["step_s"])' "$root/scenarios/wan21_video_cm384_vs_h100.textproto")
  echo "installed Python module: step $step s"
  [[ "$step" =~ ^[0-9]+\.[0-9]+$ ]] || { echo "test-embed: the installed Python module failed" >&2; exit 1; }
fi
echo "test-embed: ok"
