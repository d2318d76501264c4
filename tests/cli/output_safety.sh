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

# 2b. The same for stderr and stdin (round 2): `--out /dev/stderr` while stderr goes to a
#     log file was renamed over the log; `merge /dev/stdin ...` over the file stdin came
#     from. Both refused, both files unchanged.
: >"$tmp/log"
timeout 120 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out /dev/stderr >/dev/null 2>"$tmp/log"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/log")" -eq 1 ] &&
  grep -q '^/dev/stderr: --out: the same file as stderr, which is redirected to it' "$tmp/log" &&
  echo "ok   sweep --out /dev/stderr 2> FILE: refused, the log kept" || { cp "$tmp/log" "$tmp/err"; fail "--out /dev/stderr: exit $rc"; }
timeout 120 "$podsim" -q sweep "$tmp/s.textproto" --set seed=1,2 --out "$tmp/shard.csv" >/dev/null 2>&1
cp "$tmp/shard.csv" "$tmp/stdin.csv"
timeout 60 "$podsim" -q merge /dev/stdin "$tmp/shard.csv" <"$tmp/stdin.csv" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q '^/dev/stdin: OUT: the same file as stdin, which is redirected from it' "$tmp/err" &&
  cmp -s "$tmp/stdin.csv" "$tmp/shard.csv" && echo "ok   merge /dev/stdin < FILE: refused, the file kept" ||
  fail "merge /dev/stdin: exit $rc"

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

# 7. podsim replaces only its own outputs: every output option, run twice onto the same
#    path, replaces its first file; onto a file of the user's it is refused, one line,
#    and the file is unchanged.
mkdir "$tmp/own" "$tmp/own/out_dir"
echo "my notes" >"$tmp/own/notes"
check_own() {  # NAME OUTPUT_PATH COMMAND... (the command writes OUTPUT_PATH)
  local name=$1 path=$2
  shift 2
  timeout 120 "$@" >/dev/null 2>"$tmp/err" && timeout 120 "$@" >/dev/null 2>"$tmp/err" && [ -s "$path" ] &&
    echo "ok   $name twice: its own output replaced" || fail "$name twice"
}
check_own "run --report" "$tmp/own/r.html" "$podsim" -q run "$scenario" --report "$tmp/own/r.html"
check_own "run --trace" "$tmp/own/t.trace" "$podsim" -q run "$scenario" --trace "$tmp/own/t.trace"
check_own "run outputs.out_dir" "$tmp/own/out_dir/jobs.csv" "$podsim" -q run "$scenario" --set "outputs.out_dir=$tmp/own/out_dir"
check_own "trace --perfetto" "$tmp/own/p.json" "$podsim" -q trace "$tmp/own/t.trace" --perfetto "$tmp/own/p.json"
check_own "topo --dot" "$tmp/own/g.dot" "$podsim" -q topo nvl72 --dot "$tmp/own/g.dot"
check_own "sweep --out" "$tmp/own/s.csv" "$podsim" -q sweep "$scenario" --set seed=1,2 --out "$tmp/own/s.csv"
check_own "merge OUT" "$tmp/own/m.csv" "$podsim" -q merge "$tmp/own/m.csv" "$tmp/own/s.csv"
refused() {  # NAME ROLE COMMAND... (the command's output is $tmp/own/notes)
  local name=$1 role=$2
  shift 2
  timeout 120 "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 2 ] && one_line && grep -Eq "notes: $role: an existing file that (podsim did not write|is not podsim's)" "$tmp/err" &&
    [ "$(cat "$tmp/own/notes")" = "my notes" ] && echo "ok   $name onto the user's file: refused, unchanged" ||
    fail "$name onto the user's file: exit $rc"
}
refused "run --report" --report "$podsim" -q run "$scenario" --report "$tmp/own/notes"
refused "run --trace" --trace "$podsim" -q run "$scenario" --trace "$tmp/own/notes"
refused "trace --perfetto" --perfetto "$podsim" -q trace "$tmp/own/t.trace" --perfetto "$tmp/own/notes"
refused "topo --dot" --dot "$podsim" -q topo nvl72 --dot "$tmp/own/notes"
refused "sweep --out" --out "$podsim" -q sweep "$scenario" --set seed=1,2 --out "$tmp/own/notes"
refused "merge OUT" OUT "$podsim" -q merge "$tmp/own/notes" "$tmp/own/s.csv"
# 7b. One sweep's output never replaces another's journal, nor a journal's path another
#     sweep's results: `sweep --out A.journal` took A's journal (of an interrupted sweep,
#     whose --resume it is) for its own results, "# podsim sweep" being the start of both
#     headers. Both refused, both files unchanged.
sed '1s/^# podsim sweep v1/# podsim sweep-journal v1/' "$tmp/own/s.csv" >"$tmp/own/a.csv.journal"
cp "$tmp/own/a.csv.journal" "$tmp/own/a.journal.kept"
timeout 120 "$podsim" -q sweep "$scenario" --set seed=3,4 --out "$tmp/own/a.csv.journal" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q "a.csv.journal: --out: an existing file that is not podsim's sweep results" "$tmp/err" &&
  cmp -s "$tmp/own/a.csv.journal" "$tmp/own/a.journal.kept" && echo "ok   sweep --out onto another sweep's journal: refused, kept" ||
  fail "sweep --out onto another sweep's journal: exit $rc"
timeout 60 "$podsim" -q merge "$tmp/own/a.csv.journal" "$tmp/own/s.csv" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q "a.csv.journal: OUT: an existing file that is not podsim's sweep results" "$tmp/err" &&
  cmp -s "$tmp/own/a.csv.journal" "$tmp/own/a.journal.kept" && echo "ok   merge OUT onto a sweep's journal: refused, kept" ||
  fail "merge OUT onto a sweep's journal: exit $rc"
cp "$tmp/own/s.csv" "$tmp/own/b.csv.journal"
timeout 120 "$podsim" -q sweep "$scenario" --set seed=3,4 --out "$tmp/own/b.csv" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q "b.csv.journal: --out's journal: an existing file that is not podsim's sweep journal" "$tmp/err" &&
  cmp -s "$tmp/own/b.csv.journal" "$tmp/own/s.csv" && [ ! -e "$tmp/own/b.csv" ] &&
  echo "ok   sweep journal onto another sweep's results: refused, kept" ||
  fail "sweep journal onto another sweep's results: exit $rc"
cp "$tmp/own/notes" "$tmp/own/out_dir/summary.csv"
timeout 120 "$podsim" -q run "$scenario" --set "outputs.out_dir=$tmp/own/out_dir" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && one_line && grep -q "summary.csv: outputs.out_dir: an existing file that podsim did not write" "$tmp/err" &&
  [ "$(cat "$tmp/own/out_dir/summary.csv")" = "my notes" ] && echo "ok   outputs.out_dir onto the user's summary.csv: refused" ||
  fail "outputs.out_dir onto the user's summary.csv"

# 8. An output option given an empty path (an unset shell variable) is refused before
#    anything runs or prints, never read as "no output".
for opt in --report --trace; do
  timeout 120 "$podsim" -q run "$scenario" "$opt" "" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && one_line && grep -q "^$opt: an empty path (expected a file path)$" "$tmp/err" && [ ! -s "$tmp/out" ] &&
    echo "ok   run $opt '': refused" || fail "run $opt '': exit $rc"
done
timeout 60 "$podsim" -q topo nvl72 --dot "" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && [ ! -s "$tmp/out" ] && echo "ok   topo --dot '': refused before the summary" ||
  fail "topo --dot '': exit $rc"

# 8b. A file name longer than the file system takes is refused before the run prints
#     anything (it once looked absent: results on stdout, then the write failed).
long=$(printf 'a%.0s' $(seq 300))
timeout 120 "$podsim" -q run "$scenario" --report "$tmp/$long.html" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q ": --report: File name too long (expected a path" "$tmp/err" && [ ! -s "$tmp/out" ] &&
  echo "ok   --report with a 300-character name: refused before the run" || fail "--report long name: exit $rc"
timeout 120 "$podsim" -q run "$scenario" --set "outputs.out_dir=$tmp/$long" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && one_line && grep -q "outputs.out_dir: cannot create '.*': File name too long" "$tmp/err" && [ ! -s "$tmp/out" ] &&
  echo "ok   outputs.out_dir with a 300-character name: refused before the run" || fail "out_dir long name: exit $rc"

# 9. Under an address-space limit (ulimit -v) the memory estimates use what the process
#    may still map, not MemAvailable: a million-row trace (~1.65 GB estimated) under 1 GB
#    is refused at the trace's field, not ended by "out of memory" (exit 3) halfway.
#    Not under AddressSanitizer, which reserves terabytes of shadow address space at
#    start: no ASan build can run under ulimit -v at all.
if grep -qa __asan_init "$podsim"; then
  echo "skip a million-row trace under ulimit -v 1000000: an AddressSanitizer build"
else
  awk 'BEGIN { print "job_id,submission_time,duration,num_gpu"; for (i = 0; i < 1000000; i++) print i "," i % 100000 ",100,8" }' \
    >"$tmp/million.csv"
  (ulimit -v 1000000; timeout 120 "$podsim" -q run "$src/tests/cli/bad_inputs/trace_base.textproto" \
    --set "sources[0].trace.path=$tmp/million.csv" >/dev/null 2>"$tmp/err")
  rc=$?
  [ "$rc" -eq 2 ] && one_line && grep -q "sources\[0\].trace.path: the run would hold .*(under the address-space limit, ulimit -v)" "$tmp/err" &&
    echo "ok   a million-row trace under ulimit -v 1000000: refused at the field" || fail "trace under ulimit -v: exit $rc"
fi

[ "$failures" -eq 0 ] && echo "output_safety: all passed" || echo "output_safety: $failures failures"
exit $((failures > 0))
