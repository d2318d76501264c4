#!/usr/bin/env bash
# The README's "sweep to a plot in five lines" (between its sweep-plot-example markers),
# run as written on a real long-format sweep with /usr/bin/python3 (issue 18 item 2).
# Skipped cleanly without pandas; without matplotlib the plotting line is skipped and the
# pivot is checked instead.
# Usage: sweep_long_python.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
python=/usr/bin/python3
if ! [ -x "$python" ] || ! "$python" -c 'import pandas' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no pandas"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n '/^<!-- sweep-plot-example/,/^<!-- end sweep-plot-example/p' "$src/README.md" |
  sed '/^<!--/d; /^```/d' >"$tmp/example.py"
[ "$(wc -l <"$tmp/example.py")" -eq 5 ] || { echo "FAIL: the README example is not five lines"; cat "$tmp/example.py"; exit 1; }
cd "$tmp" || exit 1
"$podsim" -q sweep "$src/scenarios/sweeps/failure_rate.textproto" --format long --threads 2 --out failures.csv \
  >/dev/null 2>err || { echo "FAIL: podsim sweep exited $?"; cat err; exit 1; }
if "$python" -c 'import matplotlib' 2>/dev/null; then
  MPLBACKEND=Agg "$python" example.py || { echo "FAIL: the README example"; exit 1; }
  [ -s goodput.png ] || { echo "FAIL: no goodput.png"; exit 1; }
  echo "matplotlib: goodput.png drawn"
else
  echo "matplotlib: not installed, the plotting line skipped"
fi
# The pivot the example plots: 5 MTBFs x 2 checkpoint intervals, goodputs in (0, 1].
{ head -n 4 example.py; cat <<'PY'
assert table.shape == (5, 2), table.shape
assert list(table.index) == [300, 1000, 5000, 20000, 100000], list(table.index)
assert list(table.columns) == [600, 3600], list(table.columns)
assert ((table > 0) & (table <= 1)).all().all(), table
assert set(df.unit[df.metric == "makespan_s"]) == {"s"}
print(table)
PY
} >check.py
"$python" check.py || { echo "FAIL: the pivot"; exit 1; }
echo "sweep_long_python: ok"
