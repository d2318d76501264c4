#!/usr/bin/env bash
# -v and -q before or after the command name; progress on stderr only when it is a
# terminal, and never a byte of difference in stdout or output files.
# Usage: verbosity_e2e.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
source "$src/tests/e2e_lib.sh"
smoke="$src/scenarios/smoke.textproto"

"$podsim" run "$smoke" >"$tmp/plain.out" 2>"$tmp/plain.err" || fail "plain run"

for placement in before after; do
  if [ $placement = before ]; then args=(-v run "$smoke"); else args=(run "$smoke" -v); fi
  "$podsim" "${args[@]}" >"$tmp/v.out" 2>"$tmp/v.err" || fail "-v $placement: exit $?"
  cmp -s "$tmp/plain.out" "$tmp/v.out" || fail "-v $placement: stdout differs from a plain run"
  grep -q "^debug \[cli\] built 72 devices in 1 pools: 1 scale-up domains" "$tmp/v.err" ||
    { fail "-v $placement: no topology sizes"; cat "$tmp/v.err"; }
  grep -Eq "^debug \[cli\] simulated [0-9]+ events, 2 of 2 jobs finished" "$tmp/v.err" || fail "-v $placement: no event count"
  grep -Eq "^debug \[cli\] time: build [0-9.]+ s, plans [0-9.]+ s, scheduler [0-9.]+ s" "$tmp/v.err" ||
    fail "-v $placement: no time per phase"

  if [ $placement = before ]; then args=(-q sweep "$smoke" --set seed=1,2); else args=(sweep "$smoke" --set seed=1,2 -q); fi
  "$podsim" "${args[@]}" >"$tmp/q.out" 2>"$tmp/q.err" || fail "-q $placement: exit $?"
  [ -s "$tmp/q.err" ] && { fail "-q $placement: stderr is not empty"; cat "$tmp/q.err"; }
  [ -s "$tmp/q.out" ] || fail "-q $placement: no table on stdout"
done
echo "ok   -v and -q before and after the command"

# Without -q a sweep logs each point; stderr is a file here, so no progress line.
"$podsim" sweep "$smoke" --set seed=1,2 --threads 1 --out "$tmp/file.csv" >/dev/null 2>"$tmp/sweep.err" || fail "sweep"
grep -q "^info \[scenario\] sweep point 1 done" "$tmp/sweep.err" || { fail "sweep: no point log"; cat "$tmp/sweep.err"; }
if grep -q $'\r' "$tmp/sweep.err" "$tmp/plain.err" || grep -q "points (" "$tmp/sweep.err"; then
  fail "progress written to a stderr that is not a terminal"
fi
echo "ok   no progress when stderr is not a terminal"

"$podsim" run "$smoke" -v -q >/dev/null 2>"$tmp/vq.err" && fail "-v -q together accepted"
grep -q "^podsim run: -v and -q together" "$tmp/vq.err" || fail "-v -q: no clear error"
"$podsim" plan --model llama3-8b --system nvl72 --devices 8 -v >"$tmp/plan.out" 2>"$tmp/plan.err" || fail "plan -v"
grep -Eq "^debug \[cli\] planner: [0-9]+ plans considered, [0-9]+ valid, [0-9]+ fit and timed" "$tmp/plan.err" ||
  { fail "plan -v: no search counts"; cat "$tmp/plan.err"; }

# On a terminal (util-linux script gives the command one), progress shows on stderr and
# the output file is the same bytes.
if script -qc true /dev/null >/dev/null 2>&1; then
  script -qec "'$podsim' sweep '$smoke' --set seed=1,2 --threads 1 --out '$tmp/tty.csv'" /dev/null \
    >"$tmp/tty.log" 2>&1 </dev/null || fail "sweep on a terminal"
  grep -q "sweep: [0-9]/2 points" "$tmp/tty.log" || { fail "no sweep progress on a terminal"; cat -v "$tmp/tty.log"; }
  cmp -s "$tmp/file.csv" "$tmp/tty.csv" || fail "the sweep file differs with progress on"
  script -qec "'$podsim' -q sweep '$smoke' --set seed=1,2 --threads 1 --out '$tmp/ttyq.csv'" /dev/null \
    >"$tmp/ttyq.log" 2>&1 </dev/null || fail "sweep -q on a terminal"
  grep -Eq "sweep: [0-9]+/[0-9]+ points" "$tmp/ttyq.log" && fail "-q on a terminal still shows progress"
  script -qec "'$podsim' run '$smoke'" /dev/null >"$tmp/ttyrun.log" 2>&1 </dev/null || fail "run on a terminal"
  grep -q "cluster run: simulated" "$tmp/ttyrun.log" || { fail "no cluster-run progress on a terminal"; cat -v "$tmp/ttyrun.log"; }
  echo "ok   progress on a terminal, same output file"
else
  echo "skip progress on a terminal (no util-linux script)"
fi

finish verbosity_e2e
