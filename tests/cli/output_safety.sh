#!/usr/bin/env bash
# Outputs never destroy anything; inputs never block (issue 17 items 2 and 3): what the
# bad-input catalog cannot express because it needs stdout redirected or a FIFO on the
# output side. Never writes to a device other than /dev/full and /dev/null; FIFOs are
# made in a scratch directory. Usage: output_safety.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $1"; [ -f "$tmp/err" ] && sed 's/^/     stderr: /' "$tmp/err" | head -3; failures=$((failures + 1)); }
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
scenario="$src/scenarios/smoke.textproto"

# 1. Results to a stdout that cannot take them: exit 2 and one line, not exit 0.
timeout 120 "$podsim" -q run "$scenario" >/dev/full 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q '^podsim: stdout: write failed (No space left on device)' "$tmp/err" &&
  echo "ok   run > /dev/full: exit 2, one line" || fail "run > /dev/full: exit $rc"
timeout 60 "$podsim" --version >/dev/full 2>"$tmp/err"
[ $? -eq 2 ] && one_line && echo "ok   --version > /dev/full: exit 2" || fail "--version > /dev/full"
# The same run to /dev/null is fine (nothing failed).
timeout 120 "$podsim" -q run "$scenario" >/dev/null 2>"$tmp/err" && echo "ok   run > /dev/null: exit 0" ||
  fail "run > /dev/null"

# 2. An output that is the file stdout is redirected to: refused before the run.
cp "$scenario" "$tmp/s.textproto"
timeout 120 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out "$tmp/o.csv" >"$tmp/o.csv" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q 'o.csv: --out: the same file as stdout, which is redirected to it' "$tmp/err" &&
  echo "ok   sweep --out X > X: refused" || fail "sweep --out X > X: exit $rc"

# 3. A FIFO as an output: refused, not written, not replaced, and no temporary left.
mkfifo "$tmp/out.fifo"
timeout 60 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out "$tmp/out.fifo" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q 'out.fifo: --out: not a regular file (a FIFO)' "$tmp/err" && [ -p "$tmp/out.fifo" ] &&
  echo "ok   --out FIFO: refused, still a FIFO" || fail "--out FIFO: exit $rc"
timeout 60 "$podsim" -q topo nvl72 --dot "$tmp/out.fifo" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && one_line && [ -p "$tmp/out.fifo" ] && echo "ok   --dot FIFO: refused" || fail "--dot FIFO"

# 4. A symbolic link onto the scenario is the scenario; the scenario is unchanged.
ln -s s.textproto "$tmp/link.csv"
before=$(md5sum <"$tmp/s.textproto")
timeout 120 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out "$tmp/link.csv" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q 'link.csv: --out: the same file as the scenario it reads' "$tmp/err" &&
  [ "$(md5sum <"$tmp/s.textproto")" = "$before" ] && echo "ok   --out symlink to the scenario: refused" ||
  fail "--out symlink to the scenario: exit $rc"

# 5. A sweep writes its CSV beside an unrelated o2.csv.tmp without touching it, and
#    leaves no temporary of its own; an output through a symbolic link keeps the link.
echo "someone else's" >"$tmp/o2.csv.tmp"
ln -s o2.csv "$tmp/o2link.csv"
: >"$tmp/o2.csv"
timeout 120 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out "$tmp/o2link.csv" >/dev/null 2>"$tmp/err" ||
  fail "sweep beside an unrelated .tmp"
[ "$(cat "$tmp/o2.csv.tmp")" = "someone else's" ] && [ -L "$tmp/o2link.csv" ] && grep -q '^# podsim sweep' "$tmp/o2.csv" &&
  [ -z "$(find "$tmp" -name '*.tmp' ! -name o2.csv.tmp)" ] && echo "ok   unrelated PATH.tmp untouched; link kept" ||
  fail "unrelated PATH.tmp or link"

# 6. A FIFO with a writer attached is still refused as an input (regular files only),
#    and without one podsim does not wait for it.
mkfifo "$tmp/in.fifo"
start=$(date +%s)
timeout 60 "$podsim" -q run "$tmp/in.fifo" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && [ $(($(date +%s) - start)) -lt 30 ] && one_line && echo "ok   scenario FIFO, no writer: refused at once" ||
  fail "scenario FIFO: exit $rc"

[ "$failures" -eq 0 ] && echo "output_safety: all passed" || echo "output_safety: $failures failures"
exit $((failures > 0))
