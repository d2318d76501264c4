#!/usr/bin/env bash
# Installs exactly what podsim's build, tests, benchmarks and fuzzers (clang, libFuzzer) need,
# from Debian 12 packages.
# Idempotent: packages already present are left alone. Run as root (or with sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-graph-dev libboost-program-options-dev
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  nlohmann-json3-dev  # the one JSON writer, io/json_writer.h (issue 18)
  doctest-dev
  libbenchmark-dev
  chromium  # renders the HTML reports in tests/report/report_browser.sh (issue #7)
  clang libclang-rt-14-dev  # libFuzzer targets in fuzz/, scripts/fuzz.sh (issue #8)
  pybind11-dev python3-pybind11 python3-dev python3-pytest  # the podsim Python module, python/ (issue 15)
  slurm-wlm munge  # a private single-node Slurm runs scripts/slurm-sweep.sbatch in tests/slurm/
  graphviz  # tests/topologies/topo_e2e.sh renders `podsim topo --dot` with dot -Tsvg and checks its shape (issue 18)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
