#!/usr/bin/env bash
# End-to-end checks of `podsim topo`: summaries of presets and scenario files, --set,
# --dot, and one-line errors naming the place. Usage: topo_e2e.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
source "$src/tests/e2e_lib.sh"


expect_streams "nvl72 preset" 0 "bisection   32.4 TB/s" "" -- "$podsim" topo nvl72
expect_streams "cloudmatrix384 preset" 0 "scale-up    392 GB/s" "" -- "$podsim" topo cloudmatrix384
expect_streams "cloudmatrix384 bisection" 0 "bisection   75.26 TB/s" "" -- "$podsim" topo cloudmatrix384
expect_streams "--set on a preset" 0 "bisection   37.63 TB/s" "" -- \
  "$podsim" topo cloudmatrix384 --set cluster.pools[0].cloudmatrix384.l2_link_gbytes_per_s=14
expect_streams "nvl576 is marked" 0 "HYPOTHETICAL" "" -- "$podsim" topo nvl576
for f in "$src"/scenarios/topologies/*.textproto; do
  expect_streams "scenario $(basename "$f")" 0 "^bisection" "" -- "$podsim" topo "$f"
done
expect_streams "--dot" 0 "dot         $tmp/nvl72.dot \(collapsed view\)" "" -- \
  "$podsim" topo nvl72 --dot "$tmp/nvl72.dot" --view collapsed
grep -q "^digraph G {" "$tmp/nvl72.dot" && grep -q "900 GB/s" "$tmp/nvl72.dot" ||
  { echo "FAIL: dot file"; failures=$((failures + 1)); }

# Grouped dot: a cluster per rack and node. CloudMatrix384 is 12 racks of 4 nodes; with
# Graphviz installed (scripts/install-deps.sh), `dot -Tsvg` lays it out in a sane shape
# (before the grouping it was a strip 32,767 x 61 px).
"$podsim" topo cloudmatrix384 --dot "$tmp/cm.dot" --view collapsed >/dev/null ||
  { echo "FAIL: topo --dot cloudmatrix384"; failures=$((failures + 1)); }
racks=$(grep -c '^label="rack[0-9]* (32 devices)";' "$tmp/cm.dot")
nodes=$(grep -c '^label="node[0-9]* (8 devices)";' "$tmp/cm.dot")
[ "$racks" -eq 12 ] && [ "$nodes" -eq 48 ] && [ "$(grep -c '^subgraph cluster_d' "$tmp/cm.dot")" -eq 61 ] ||
  { echo "FAIL: cloudmatrix384 dot: $racks rack and $nodes node clusters, expected 12 and 48"; failures=$((failures + 1)); }
if command -v dot >/dev/null; then
  if timeout 120 dot -Tsvg "$tmp/cm.dot" -o "$tmp/cm.svg" 2>"$tmp/dot.err"; then
    # <svg width="2876pt" height="1667pt": width over height within 1:4 .. 4:1.
    read -r w h < <(sed -n 's/^<svg width="\([0-9]*\)pt" height="\([0-9]*\)pt".*/\1 \2/p' "$tmp/cm.svg")
    if [ -n "$w" ] && [ "$h" -gt 0 ] && [ $((w * 1)) -le $((4 * h)) ] && [ $((h * 1)) -le $((4 * w)) ] && [ ! -s "$tmp/dot.err" ]; then
      echo "ok   dot -Tsvg cloudmatrix384 (collapsed): ${w} x ${h} pt"
    else
      echo "FAIL: dot -Tsvg cloudmatrix384: '${w}' x '${h}' pt, stderr: $(head -c 300 "$tmp/dot.err")"; failures=$((failures + 1))
    fi
  else
    echo "FAIL: dot -Tsvg cloudmatrix384 failed: $(head -c 300 "$tmp/dot.err")"; failures=$((failures + 1))
  fi
else
  echo "skip dot -Tsvg (Graphviz not installed; scripts/install-deps.sh installs it)"
fi

expect_streams "unknown preset" 2 "" "'nvl144' is neither a scenario file nor a preset" -- "$podsim" topo nvl144
printf 'name: "bad"\ncluster {\n  pools { preset: "hgx-h100" hgx { nvlink_gbytes_per_s: -1 } }\n}\n' >"$tmp/bad.textproto"
expect_streams "bad field located" 2 "" "^$tmp/bad.textproto:3:[0-9]+: cluster.pools\[0\].hgx.nvlink_gbytes_per_s: expected GB/s in \[1e-3, 1e5\], got -1$" -- \
  "$podsim" topo "$tmp/bad.textproto"
expect_streams "bad --view" 2 "" "--view sideways" -- "$podsim" topo nvl72 --view sideways
expect_streams "help" 0 "" "" -- "$podsim" topo --help

finish topo_e2e
