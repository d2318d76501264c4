#!/usr/bin/env bash
# End to end: `podsim run --trace` and `podsim trace` on the binary (exit codes,
# one-line errors, files whole or absent). Usage: trace_e2e.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
source "$src/tests/e2e_lib.sh"

has() {  # has NAME REGEX: stdout of the last command matches
  grep -Eq "$2" "$tmp/out" || { fail "$1: stdout does not match /$2/:"; cat "$tmp/out"; }
}

smoke=$src/scenarios/smoke.textproto
expect "run --trace" 0 "" -- "$podsim" -q run "$smoke" --trace "$tmp/smoke.trace" --trace-level steps
has "run names its trace" "^trace +$tmp/smoke.trace \([0-9]+ events"
[ -f "$tmp/smoke.trace" ] && [ -z "$(find "$tmp" -name '*.tmp')" ] || fail "trace not renamed into place"

expect "trace --summary" 0 "" -- "$podsim" trace "$tmp/smoke.trace" --summary
has "summary header" "^scenario +smoke \(seed 1\), level steps"
has "summary counts" "^  submitted +2$"
has "summary counts" "^  finished +2$"
has "summary jobs" "^jobs +2 submitted, 2 finished, 0 unfinished"

expect "trace --perfetto" 0 "" -- "$podsim" trace "$tmp/smoke.trace" --perfetto "$tmp/smoke.json"
head -c 1 "$tmp/smoke.json" | grep -q '{' && tail -c 3 "$tmp/smoke.json" | grep -q ']}' ||
  fail "perfetto JSON is not one object"

expect "bad level" 2 "^--trace-level: 'everything' is not a level" -- \
  "$podsim" run "$smoke" --trace "$tmp/x.trace" --trace-level everything
# A comparison study is traced: each (system, job) cell's step, with its collectives.
study=$src/scenarios/validation/megatron-sc21-1.7b.textproto
expect "run a study --trace" 0 "" -- "$podsim" -q run "$study" --trace "$tmp/study.trace" --trace-level steps
has "run names its trace" "^trace +$tmp/study.trace \([0-9]+ events"
expect "study trace --summary" 0 "" -- "$podsim" trace "$tmp/study.trace" --summary
has "summary: systems" "^systems +4x DGX A100 \(32 devices\)"
has "summary: collectives" "^  dp_grad_all_reduce +[1-9]"
expect "study trace --perfetto" 0 "" -- "$podsim" trace "$tmp/study.trace" --perfetto "$tmp/study.json"
grep -q '"cat":"collective","ph":"X"' "$tmp/study.json" || fail "no collective slices"

expect "a cluster without jobs is not traced" 2 "only cluster runs .* are traced" -- \
  "$podsim" run "$src/scenarios/topologies/cm384x16_roce.textproto" --trace "$tmp/x.trace"
[ ! -e "$tmp/x.trace" ] && [ -z "$(find "$tmp" -name '*.tmp')" ] || fail "a refused run left a trace"

: >"$tmp/empty.trace"
expect "empty trace" 2 "^$tmp/empty.trace: byte 0 \(header\): empty" -- "$podsim" trace "$tmp/empty.trace" --summary
head -c 100 "$tmp/smoke.trace" >"$tmp/cut.trace"
expect "truncated trace" 2 "^$tmp/cut.trace: byte [0-9]+ \(event [0-9]+\): truncated" -- \
  "$podsim" trace "$tmp/cut.trace" --perfetto "$tmp/cut.json"
[ ! -e "$tmp/cut.json" ] && [ -z "$(find "$tmp" -name '*.tmp')" ] || fail "a failed conversion left JSON"
expect "not a trace" 2 "^$smoke: byte 0 \(header\): " -- "$podsim" trace "$smoke" --summary
expect "missing trace" 2 "no-such.trace: cannot open" -- "$podsim" trace "$tmp/no-such.trace" --summary
expect "nothing to do" 2 "expected --summary and/or --perfetto" -- "$podsim" trace "$tmp/smoke.trace"

finish trace_e2e
