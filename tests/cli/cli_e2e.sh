#!/usr/bin/env bash
# End-to-end checks of the podsim binary: exit codes, stdout/stderr separation, and
# one-line errors that name the file and line. Usage: cli_e2e.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
source "$src/tests/e2e_lib.sh"


expect "runs the smallest scenario" 0 "" -- "$podsim" run "$src/scenarios/smoke.textproto"
grep -q "jobs            2 finished of 2" "$tmp/out" || fail "no result on stdout"

printf 'name: "bad"\nhorizn_s: 5\n' >"$tmp/bad.textproto"
expect "typo'd field" 2 "^$tmp/bad.textproto:2:[0-9]+: .*horizn_s" -- "$podsim" run "$tmp/bad.textproto"
expect "missing file" 2 "no-such.textproto: cannot open" -- "$podsim" run "$tmp/no-such.textproto"
expect "unknown --set path" 2 "^--set sched.policy: Scenario has no field 'sched'" -- \
  "$podsim" run "$src/scenarios/smoke.textproto" --set sched.policy=FIFO
expect "bad enum" 2 "is not a Policy \(expected one of" -- \
  "$podsim" run "$src/scenarios/smoke.textproto" --set scheduler.policy=LIFO
expect "value out of range" 2 "^--set horizon_s: horizon_s: expected s in \[1e-9, 1e9\] or 0, got -5$" -- \
  "$podsim" run "$src/scenarios/smoke.textproto" --set horizon_s=-5
expect "--set works" 0 "" -- "$podsim" run "$src/scenarios/smoke.textproto" --set jobs[1].arrival_s=7200
# The second job now arrives after the first ends (~0.2 h): the makespan is its arrival
# plus its own run time (7200 + 370 s = 2.10 h).
grep -q "makespan        2.10 h" "$tmp/out" || fail "--set did not take effect"
printf 'name: "nomachine"\njobs { name: "a" }\n' >"$tmp/nomachine.textproto"
expect "jobs without a cluster" 2 "nomachine.textproto: jobs: the scenario has jobs but no machine" -- \
  "$podsim" run "$tmp/nomachine.textproto"
printf 'name: "empty"\n' >"$tmp/empty.textproto"
expect "nothing to simulate" 2 "empty.textproto: nothing to simulate" -- "$podsim" run "$tmp/empty.textproto"
# An unknown command is the one case followed by the usage (as git does): the error is
# the first line.
expect "unknown command" 2 "" -- "$podsim" fly
head -n 1 "$tmp/err" | grep -q "^podsim: unknown command 'fly'$" || fail "unknown command: not the first line"
expect "help" 0 "" -- "$podsim" run --help
head -c 4096 /dev/urandom >"$tmp/garbage.textproto"
expect "binary garbage" 2 "garbage.textproto" -- "$podsim" run "$tmp/garbage.textproto"

# A run cut before any job finished has no JCT: n/a on the console, empty in
# summary.csv, null in results.json (it was a mean of 0 s).
expect "no job finished" 0 "" -- "$podsim" run "$src/scenarios/smoke.textproto" --set horizon_s=1 \
  --set outputs.out_dir="$tmp/unfinished"
grep -q "^JCT             n/a (no job finished)$" "$tmp/out" || fail "no job finished: the console's JCT"
[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i } NR == 2 { print $col["jct_mean_s"] "|" $col["jct_p99_s"] "|" $col["finished"] }' \
  "$tmp/unfinished/summary.csv")" = "||0" ] || fail "no job finished: summary.csv's JCT"
grep -Eq '"jct_mean_s": ?null' "$tmp/unfinished/results.json" || fail "no job finished: results.json's JCT"

# podsim plan: the top plans, the MoE host overhead line, --cuda-graphs.
expect "plan" 0 "" -- "$podsim" plan --model gpt-oss-120b --system hgx-h100 --devices 64 --global-batch 512 --top 2
grep -q "^host       CUDA graphs none: MoE host overhead 7.4 ms per MoE layer per micro-batch" "$tmp/out" ||
  fail "plan does not state the MoE host overhead"
best_step() { sed -nE 's/^  1 .* ([0-9.]+) s +[0-9.]+% .*/\1/p' "$tmp/out"; }
eager=$(best_step)
expect "plan --cuda-graphs full" 0 "" -- "$podsim" plan --model gpt-oss-120b --system hgx-h100 --devices 64 \
  --global-batch 512 --top 2 --cuda-graphs full
graphed=$(best_step)
grep -q "MoE host overhead 0.0 ms" "$tmp/out" && awk -v a="$graphed" -v b="$eager" 'BEGIN {exit !(a > 0 && a < b)}' ||
  fail "--cuda-graphs full: best step $graphed s, eager $eager s"
expect "plan --cuda-graphs bad" 2 "^podsim plan: --cuda-graphs some: expected none, static or full$" -- \
  "$podsim" plan --model gpt-oss-120b --system hgx-h100 --devices 64 --cuda-graphs some
expect "plan unknown model" 2 "^podsim plan: --model nope: unknown preset \(expected one of: " -- \
  "$podsim" plan --model nope --system hgx-h100 --devices 8
# Every numeric option has a range; a huge batch is answered (the memory walk of a
# schedule is bounded: memory.cc), and one thread gives what many give.
expect "plan --top 0" 2 "^podsim plan: --top 0: expected an integer in \[1, 1000\]$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --top 0
expect "plan --global-batch -5" 2 "^podsim plan: --global-batch -5: expected samples in \[1, 1e9\]" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --global-batch -5
expect "plan --threads 0" 2 "^podsim plan: --threads 0: expected an integer in \[1, 1024\]$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --threads 0
expect "plan --devices 2^31-1" 2 "^podsim plan: --devices 2147483647: expected devices in \[1, 1e7\]$" -- \
  "$podsim" plan --model llama3-8b --system nvl72 --devices 2147483647
expect "plan --devices 1e3" 2 "^podsim plan: the argument \('1e3'\) for option '--devices' is invalid \(expected a whole number, digits only, at most 2147483647\)" -- \
  "$podsim" plan --model llama3-8b --system nvl72 --devices 1e3
# 1e7 devices are in --devices' range, but not 1.25e6 HGX servers: said of the option,
# not of a line of the cluster plan makes from it.
expect "plan --devices 1e7 of 8-GPU servers" 2 "^podsim plan: --devices 10000000 of --system hgx-h100: cluster.pools\[0\].count: expected systems in \[1, 1e6\], got 1250000$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 10000000
expect "plan --system nope" 2 "^podsim plan: --system nope: unknown preset 'nope' \(expected one of: " -- \
  "$podsim" plan --model llama3-8b --system nope --devices 8
expect "plan --global-batch 1e9" 0 "" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --global-batch 1000000000 --top 3 --threads 1
cp "$tmp/out" "$tmp/plan1"
expect "plan --threads 2" 0 "" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --global-batch 1000000000 --top 3 --threads 2
# The search's wall time is printed on its "searched" line; everything else is the same.
grep -v '^searched' "$tmp/plan1" >"$tmp/plan1.cmp"
grep -v '^searched' "$tmp/out" >"$tmp/plan2.cmp"
same "plan on 1 and 2 threads" "$tmp/plan1.cmp" "$tmp/plan2.cmp"

# NVFP4 plans on Blackwell, at the FP4 peak; refused where there are no FP4 units.
expect "plan --precision nvfp4" 0 "" -- "$podsim" plan --model llama3-8b --system nvl72 --devices 72 --precision nvfp4 --top 1
grep -q "^batch .*NVFP4$" "$tmp/out" || fail "plan --precision nvfp4 does not plan in NVFP4"
expect "plan --precision nvfp4 on H100" 2 "^podsim plan: --precision: precision NVFP4: device H100 SXM5 has no NVFP4 units" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --precision nvfp4
expect "plan --precision bad" 2 "^podsim plan: --precision fp3: expected bf16, fp16, fp8, mxfp8, nvfp4 or int8$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --precision fp3

# podsim plan on a fabric: past 2,048 NICs a 3-tier tree (any device count: the last leaf
# and pod part full); --set changes the fabric as in a scenario; --cluster FILE plans on a
# scenario's cluster.
expect "plan at 6,144 devices" 0 "" -- "$podsim" plan --model llama3-8b --system hgx-h100 --devices 6144 --top 1
grep -q "^system     768x hgx-h100 (6144 devices used of 6144, 8 per scale-up domain)" "$tmp/out" &&
  grep -q "^fabric     3-tier fat tree, radix 64, leaves 1:1, spines 1:1" "$tmp/out" ||
  { fail "plan at 6,144 devices:"; cat "$tmp/out"; }
expect "plan --set a tapered fabric" 0 "" -- "$podsim" plan --model llama3-8b --system nvl72 --devices 3000 --top 1 \
  --set cluster.fat_tree.oversubscription=3 --set cluster.fat_tree.spine_oversubscription=3
grep -q "^system     42x nvl72 (3000 devices used of 3024, 72 per scale-up domain)" "$tmp/out" &&
  grep -q "^fabric     3-tier fat tree, radix 64, leaves 3:1, spines 3:1" "$tmp/out" ||
  { fail "plan --set:"; cat "$tmp/out"; }
expect "plan --cluster FILE" 0 "" -- "$podsim" plan --model llama3-8b --top 1 \
  --cluster "$src/scenarios/topologies/mixed_nvl72_cm384.textproto"
grep -q "^system     8x nvl72 + cloudmatrix384 (960 devices used of 960, 72 per scale-up domain), B200" "$tmp/out" ||
  { fail "plan --cluster:"; cat "$tmp/out"; }
expect "plan --set outside the cluster" 2 "^podsim plan: --set seed=3: only the cluster's fields apply here" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 8 --set seed=3
expect "plan --system and --cluster" 2 "^podsim plan: give --system S \(with --devices N\) or --cluster FILE, one of them$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --cluster "$src/scenarios/smoke.textproto"
expect "plan --devices beyond the cluster" 2 "^podsim plan: --devices 5000: the cluster of .*mixed_nvl72_cm384.textproto has 960 devices$" -- \
  "$podsim" plan --model llama3-8b --devices 5000 --cluster "$src/scenarios/topologies/mixed_nvl72_cm384.textproto"
expect "plan: a bad fabric field" 2 "cluster.fat_tree.radix: expected ports in \[2, 2048\], got 4096$" -- \
  "$podsim" plan --model llama3-8b --system hgx-h100 --devices 64 --set cluster.fat_tree.radix=4096

# A million-point sweep, one shard of one point: the result columns are checked on the
# points one axis from point 0 (1,999 of them), not on all 1e6 (24 s before, 0.1 s now).
seeds=$(seq -s, 1 1000)
expect "sweep: one point of 1e6" 0 "" -- timeout 60 "$podsim" -q sweep "$src/scenarios/smoke.textproto" --set "seed=$seeds" \
  --set "jobs[0].steps=$seeds" --shard 1/1000000 --out "$tmp/one_of_a_million.csv"
# A sweep block of 200,000 values (1.7 MB of text): points were parsed again from the
# whole text, sweep block and all, once per value and once per point (hours); now each
# is a copy of the parsed scenario without its sweep block (~1 s).
{ cat "$src/scenarios/smoke.textproto"; printf 'sweep { axes { field: "seed" values: ['
  seq -s, 1 200000 | sed 's/[0-9][0-9]*/"&"/g'; echo '] } }'; } >"$tmp/long_sweep.textproto"
expect "sweep: a block of 2e5 values, one point" 0 "" -- timeout 120 "$podsim" -q sweep "$tmp/long_sweep.textproto" \
  --shard 1/200000 --out "$tmp/one_of_long.csv"
# `run` of a sweep scenario whose every point fails (a bad field outside the sweep) is
# exit 2, as `podsim sweep` is, not 0 with a table of errors.
sed 's/^  arrival_s: 600$/  arrival_s: nan/' "$src/scenarios/sweeps/failure_rate.textproto" >"$tmp/all_fail.textproto"
expect "run: every point of a sweep fails" 2 "all_fail.textproto: every one of the 10 points failed \(the error of each is in its row\)$" -- \
  "$podsim" -q run "$tmp/all_fail.textproto"

# podsim validate does not stop at a scenario that cannot run: it is a refused row, the
# other rows and the summary still print, the summary counts it, and the exit status is
# 2 as when it stopped the run (issue 14 item 7).
mkdir -p "$tmp/val"
cp "$src/scenarios/validation/megatron-sc21-1.7b.textproto" "$tmp/val/a-good.textproto"
printf 'name: "broken"\nhorizn_s: 5\n' >"$tmp/val/b-broken.textproto"
expect "validate with a refused row" 2 "^podsim validate: $tmp/val: 1 of 2 scenarios refused \(each row says why\)$" -- \
  "$podsim" validate "$tmp/val"
grep -Eq "^b-broken +refused: .*b-broken.textproto:2:[0-9]+: .*horizn_s" "$tmp/out" ||
  { fail "validate: no refused row"; cat "$tmp/out"; }
grep -Eq "^megatron-sc21-1.7b +HW TFLOP/s/dev" "$tmp/out" ||
  { fail "validate: the good row is missing"; cat "$tmp/out"; }
grep -Eq "^1 figures, 1 scenario refused: median .*within 15%: [01] of 1 .*NOT met$" "$tmp/out" ||
  { fail "validate: the summary does not count the refused row"; cat "$tmp/out"; }

# A directory whose scenarios publish no figure has no target to meet: exit 2 and why,
# not exit 1 (targets missed) with nothing on stderr.
mkdir -p "$tmp/val_none"
cp "$src/scenarios/smoke.textproto" "$tmp/val_none/a.textproto"
expect "validate: no published figure" 2 "^podsim validate: $tmp/val_none: no published figure in its 1 scenario \(expected compare.published entries" -- \
  "$podsim" validate "$tmp/val_none"

# Paths that are not there say so (once: "not a directory" for a missing directory, and
# ": cannot open" for an empty shard path).
expect "validate: a missing directory" 2 "^podsim validate: $tmp/no_such_dir: does not exist \(expected a directory of validation scenarios\)$" -- \
  "$podsim" validate "$tmp/no_such_dir"
expect "run: an empty scenario path" 2 "^an empty path \(expected a scenario file\)$" -- "$podsim" run ""
expect "merge: an empty shard path" 2 "^podsim merge: an empty shard path \(expected a sweep results file\)$" -- \
  "$podsim" merge "$tmp/merged.csv" ""

finish cli_e2e
