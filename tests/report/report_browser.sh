#!/usr/bin/env bash
# The HTML reports rendered by a real browser: podsim writes the report of a small
# cluster run and of a small comparison, headless Chromium renders each once (DOM dump
# and screenshot in one launch), and the DOM must hold the expected charts: one Gantt
# bar per job, the chart titles, one bar per system and job. The screenshots are copied
# to OUT_DIR/report-*.png and their paths printed, to look at.
# Usage: report_browser.sh PODSIM SOURCE_DIR OUT_DIR
set -u
podsim=$1
src=$2
out_dir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "FAIL: no chromium on PATH (scripts/install-deps.sh installs Debian's 'chromium')"
  exit 1
fi

# render NAME HTML [HEIGHT]: DOM to $tmp/NAME.dom, screenshot (1400 x HEIGHT, default
# 2000) to $tmp/NAME.png and OUT_DIR.
render() {
  local name=$1 html=$2 height=${3:-2000}
  timeout 40 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile-$name" --window-size=1400,"$height" --screenshot="$tmp/$name.png" \
    --dump-dom "file://$html" >"$tmp/$name.dom" 2>"$tmp/$name.browser.log"
  local rc=$?
  [ "$rc" -eq 0 ] || { fail "$name: chromium exited with $rc"; tail -5 "$tmp/$name.browser.log"; }
  local size
  size=$(stat -c %s "$tmp/$name.png" 2>/dev/null || echo 0)
  # A blank page compresses to ~10 KB; charts and text make it far larger.
  [ "$size" -gt 40000 ] || fail "$name: screenshot is $size bytes (blank page?)"
  # PNG header: width and height, big-endian, at bytes 16-23.
  local dims
  dims=$(od -An -tu1 -j16 -N8 "$tmp/$name.png" 2>/dev/null | awk '{print ($1*2^24+$2*2^16+$3*2^8+$4) "x" ($5*2^24+$6*2^16+$7*2^8+$8)}')
  [ "$dims" = "1400x$height" ] || fail "$name: screenshot is $dims, expected 1400x$height"
  mkdir -p "$out_dir"
  cp "$tmp/$name.png" "$out_dir/report-$name.png" && echo "screenshot: $out_dir/report-$name.png ($size bytes)"
}

count() { grep -o "$1" "$2" | wc -l; }

expect_in_dom() {  # expect_in_dom NAME TEXT
  grep -qF "$2" "$tmp/$1.dom" || fail "$1: the rendered page has no '$2'"
}

self_contained() {  # no URL to fetch, no script
  if grep -Eq 'https?:|<script|src=|href=' "$1"; then fail "$(basename "$1"): refers to something outside the file"; fi
}

# A cluster run: 4 jobs on 4 x NVL72, with failures.
"$podsim" run "$src/scenarios/scheduler/llm_mix_nvl72.textproto" --report "$tmp/cluster.html" >"$tmp/cluster.out" 2>&1 ||
  { fail "podsim run (cluster) failed"; cat "$tmp/cluster.out"; }
jobs=$(sed -n 's/^jobs  *[0-9]* finished of \([0-9]*\)$/\1/p' "$tmp/cluster.out")
self_contained "$tmp/cluster.html"
render cluster "$tmp/cluster.html"
[ "$(count '<svg' "$tmp/cluster.dom")" -eq 4 ] || fail "cluster: expected 4 charts, DOM has $(count '<svg' "$tmp/cluster.dom")"
bars=$(count 'class="job ' "$tmp/cluster.dom")
[ -n "$jobs" ] && [ "$bars" -eq "$jobs" ] || fail "cluster: $bars Gantt bars for '$jobs' jobs"
for title in "Utilization over time" "Jobs waiting and running" "Jobs over time ($jobs bars)" \
  "Job completion time and queueing delay (cumulative)" "simulated time (h)" "% of devices"; do
  expect_in_dom cluster "$title"
done
echo "ok   cluster report: 4 charts, $bars Gantt bars for $jobs jobs"

# A comparison: 2 jobs x 2 systems, one job auto-planned. The window is tall enough for
# the whole page: the screenshot shows the topology section at the bottom.
"$podsim" run "$src/tests/report/compare_small.textproto" --report "$tmp/compare.html" >"$tmp/compare.out" 2>&1 ||
  { fail "podsim run (comparison) failed"; cat "$tmp/compare.out"; }
self_contained "$tmp/compare.html"
render compare "$tmp/compare.html" 7000
# Per job: a time-to-train chart and an MFU chart (one bar per system each) and a step
# breakdown; 2 jobs -> 6 charts, 2 x 2 x 2 = 8 side-by-side bars. Then the topology:
# CloudMatrix384's supernode, one NVL72 rack (x2) and the fat tree joining the two.
[ "$(count '<svg' "$tmp/compare.dom")" -eq 9 ] || fail "compare: expected 9 drawings, DOM has $(count '<svg' "$tmp/compare.dom")"
[ "$(count 'class="bar c[0-9]"' "$tmp/compare.dom")" -eq 8 ] ||
  fail "compare: expected 8 time-to-train and MFU bars, DOM has $(count 'class="bar c[0-9]"' "$tmp/compare.dom")"
for title in "Model FLOPs utilization (MFU, higher is better)" \
  "Step time of llama3-70b" "Step time of llama3-8b" "1x CloudMatrix384" "2x GB200 NVL72" "seconds per step" \
  "scenario fingerprint" "Why these plans" "runner-up" "Assumptions behind the numbers" "device efficiencies" \
  "docs/collectives.md" "Topology" "1x CloudMatrix384: scale-up domain" "2x GB200 NVL72: scale-up domain (x2)" \
  "2x GB200 NVL72: scale-out fabric" "UB L2: 7 planes x 16 chips = 112 switch chips" "rack11" "plane 6"; do
  expect_in_dom compare "$title"
done
grep -q "Time to train (\(days\|hours\), lower is better)" "$tmp/compare.dom" || fail "compare: no time-to-train chart with its unit"
# A person counts 13 racks (12 of the supernode, 1 NVL72) and CloudMatrix384's 7 UB planes.
[ "$(count 'class="rack"' "$tmp/compare.dom")" -eq 13 ] || fail "compare: expected 13 racks drawn, DOM has $(count 'class="rack"' "$tmp/compare.dom")"
[ "$(count 'class="bus ' "$tmp/compare.dom")" -eq 7 ] || fail "compare: expected 7 UB plane buses, DOM has $(count 'class="bus ' "$tmp/compare.dom")"
echo "ok   comparison report: 6 charts, 3 topology drawings (13 racks, 7 UB planes)"

# Determinism: the same run writes the same bytes.
"$podsim" run "$src/tests/report/compare_small.textproto" --report "$tmp/compare2.html" >/dev/null 2>&1
cmp -s "$tmp/compare.html" "$tmp/compare2.html" || fail "two runs wrote different comparison reports"

# An unwritable path is one line on stderr and exit 2, before any simulation.
"$podsim" run "$src/scenarios/smoke.textproto" --report "$tmp/no-such-dir/r.html" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no-such-dir/r.html: cannot write the report" "$tmp/err" ||
  { fail "unwritable report path: exit $rc"; cat "$tmp/err"; }

[ "$failures" -eq 0 ] && echo "report_browser: all passed" || echo "report_browser: $failures failures"
exit $((failures > 0))
