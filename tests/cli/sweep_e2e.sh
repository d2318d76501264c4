#!/usr/bin/env bash
# End-to-end checks of `podsim sweep` and `podsim merge`: the CSV is the same bytes
# whatever --threads, sharding + merge, or an interruption + --resume; bad input is one
# line on stderr and exit 2, with no output file left behind.
# Usage: sweep_e2e.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
source "$src/tests/e2e_lib.sh"
scenario="$src/scenarios/sweeps/ub_bandwidth_nvlink_domain.textproto"  # 12 points, ~0.2 s



expect "whole sweep, 1 thread" 0 "" -- "$podsim" -q sweep "$scenario" --threads 1 --out "$tmp/t1.csv"
grep -q "^sweep ub_bandwidth_nvlink_domain: 12 of 12 points (shard 1/1), 0 resumed, 0 failed" "$tmp/out" ||
  fail "no summary on stdout"
[ ! -e "$tmp/t1.csv.journal" ] || fail "journal left after a whole sweep"
# Points that fail are rows (each warned about on stderr); when all of them fail the
# sweep has no result: exit 2, the last line of stderr says so, the CSV is still whole.
"$podsim" -q sweep "$src/scenarios/smoke.textproto" --set 'jobs[0].plan.dp=25,26' --out "$tmp/none.csv" \
  >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ]; then fail "every point failing: exit $rc, expected 2"
elif ! tail -n 1 "$tmp/err" | grep -q "^podsim sweep: every one of the 2 points failed"; then
  fail "every point failing: last stderr line is: $(tail -n 1 "$tmp/err")"
elif [ "$(grep -c '^[01],2[56],' "$tmp/none.csv")" -ne 2 ]; then fail "every point failing: rows missing"
else echo "ok   every point failing is exit 2, rows kept"; fi
expect "whole sweep, 2 threads" 0 "" -- "$podsim" -q sweep "$scenario" --threads 2 --out "$tmp/t2.csv"
same "--threads 1 and 2 give the same bytes" "$tmp/t1.csv" "$tmp/t2.csv"
# `podsim run` on a sweep scenario prints the same table.
"$podsim" -q run "$scenario" >"$tmp/run.csv" 2>"$tmp/err" || fail "podsim run on a sweep scenario"
same "podsim run prints the sweep table" "$tmp/t1.csv" "$tmp/run.csv"

for k in 1 2 3 4 5; do
  expect "shard $k/5" 0 "" -- "$podsim" -q sweep "$scenario" --threads 2 --shard "$k/5" --out "$tmp/s$k.csv"
done
expect "merge" 0 "" -- "$podsim" merge "$tmp/merged.csv" "$tmp/s3.csv" "$tmp/s1.csv" "$tmp/s5.csv" "$tmp/s2.csv" "$tmp/s4.csv"
same "5 shards merged equal the whole sweep" "$tmp/t1.csv" "$tmp/merged.csv"
expect "merge: a missing shard" 2 "^podsim merge: missing shard 4/5 of sweep [0-9a-f]{16}" -- \
  "$podsim" merge "$tmp/m.csv" "$tmp/s1.csv" "$tmp/s2.csv" "$tmp/s3.csv" "$tmp/s5.csv"
expect "merge: a shard twice" 2 "s2.csv: shard 2/5 again \(also .*s2.csv\)$" -- \
  "$podsim" merge "$tmp/m.csv" "$tmp/s1.csv" "$tmp/s2.csv" "$tmp/s2.csv" "$tmp/s3.csv" "$tmp/s4.csv" "$tmp/s5.csv"
"$podsim" -q sweep "$scenario" --set seed=9 --shard 2/5 --out "$tmp/other2.csv" >/dev/null 2>&1 || fail "other sweep"
expect "merge: a shard of another sweep" 2 "other2.csv: a shard of another sweep \(fingerprint" -- \
  "$podsim" merge "$tmp/m.csv" "$tmp/s1.csv" "$tmp/other2.csv" "$tmp/s3.csv" "$tmp/s4.csv" "$tmp/s5.csv"
"$podsim" -q sweep "$scenario" --shard 2/3 --out "$tmp/x2of3.csv" >/dev/null 2>&1 || fail "3-way shard"
expect "merge: shards of another split" 2 "x2of3.csv: shard 2/3, but .*s1.csv is shard 1/5" -- \
  "$podsim" merge "$tmp/m.csv" "$tmp/s1.csv" "$tmp/x2of3.csv"
expect "merge: not a sweep file" 2 "smoke.textproto:1: not a podsim sweep file" -- \
  "$podsim" merge "$tmp/m.csv" "$src/scenarios/smoke.textproto"
[ ! -e "$tmp/m.csv" ] || fail "a refused merge left an output file"

# An interrupted sweep: the journal holds the header, the columns and some rows (in
# completion order), the last one cut short. --resume runs only the rest.
{
  sed -n '1s/^# podsim sweep v1/# podsim sweep-journal v1/p; 2p' "$tmp/t1.csv"
  sed -n '9p; 4p; 12p' "$tmp/t1.csv"
  sed -n '6p' "$tmp/t1.csv" | head -c 20
} >"$tmp/r.csv.journal"
expect "resume" 0 "" -- "$podsim" -q sweep "$scenario" --threads 2 --resume --out "$tmp/r.csv"
grep -q "12 of 12 points (shard 1/1), 3 resumed" "$tmp/out" || fail "resume did not keep the 3 whole rows"
same "an interrupted sweep resumed equals an uninterrupted one" "$tmp/t1.csv" "$tmp/r.csv"
# Rows computed by another podsim (a model change) are neither resumed nor merged; the
# error names both versions. The other podsim's files are ours with its version.
version=$("$podsim" --version | sed -n 's/^podsim //p')
echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' || fail "podsim --version printed '$version'"
head -n 1 "$tmp/t1.csv" | grep -qF "# podsim sweep v1 podsim=$version fingerprint=" || fail "no version in the header"
v_re=$(printf '%s' "$version" | sed 's/[.+]/\\&/g')
sed "1s/^# podsim sweep v1 podsim=[^ ]*/# podsim sweep-journal v1 podsim=0.0.9+gother/" "$tmp/t1.csv" >"$tmp/r.csv.journal"
expect "resume: a journal of another podsim" 2 "r.csv.journal: written by podsim 0\.0\.9\+gother, this is podsim $v_re: a sweep is not resumed across versions" -- \
  "$podsim" -q sweep "$scenario" --resume --out "$tmp/r.csv"
sed "1s/ podsim=[^ ]*/ podsim=0.0.9+gother/" "$tmp/s2.csv" >"$tmp/old2.csv"
expect "merge: a shard of another podsim" 2 "old2.csv: written by podsim 0\.0\.9\+gother, but .*s1.csv by podsim $v_re: shards of different versions are not merged" -- \
  "$podsim" merge "$tmp/m.csv" "$tmp/s1.csv" "$tmp/old2.csv" "$tmp/s3.csv" "$tmp/s4.csv" "$tmp/s5.csv"
[ ! -e "$tmp/m.csv" ] || fail "a refused merge left an output file"
sed '1s/^# podsim sweep v1/# podsim sweep-journal v1/' "$tmp/s2.csv" >"$tmp/r.csv.journal"
expect "resume: a journal of another sweep" 2 "r.csv.journal: a journal of another sweep .*shard 2/5; this sweep: .*shard 1/1\): remove it, or run without --resume$" -- \
  "$podsim" -q sweep "$scenario" --resume --out "$tmp/r.csv"

# The Slurm array script (scripts/slurm-sweep.sbatch), as Slurm would run tasks 1-3 of
# --array=1-3, then the merge.
for k in 1 2 3; do
  SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=3 SLURM_CPUS_PER_TASK=2 PODSIM=$podsim \
    bash "$src/scripts/slurm-sweep.sbatch" "$scenario" "$tmp/slurm" >/dev/null 2>"$tmp/err" ||
    { fail "slurm-sweep.sbatch task $k"; cat "$tmp/err"; }
done
expect "merge the Slurm shards" 0 "" -- "$podsim" merge "$tmp/slurm/results.csv" "$tmp"/slurm/shard-*-of-3.csv
same "the Slurm array's merged file equals the whole sweep" "$tmp/t1.csv" "$tmp/slurm/results.csv"

# Determinism across --threads on the scenario library (issue #8, item 4): the library's
# quick cluster runs and studies, swept over 3 seeds, give the same bytes on 1 and 3
# threads. (The slow ones, and the clusters without jobs, which have no metrics to
# sweep, are left out; golden_check.sh runs every scenario twice.)
for s in smoke scheduler/llm_mix_nvl72 scheduler/dual_vendor_itp_llm scheduler/itp_cluster04_hgx \
         deepseek_v3_pretrain_cm384x4; do
  f="$src/scenarios/$s.textproto"
  [ -f "$f" ] || { fail "library scenario $s.textproto is gone: update this list"; continue; }
  n=$(echo "$s" | tr / _)
  "$podsim" -q sweep "$f" --set seed=1,2,3 --threads 1 --out "$tmp/lib-$n-1.csv" >/dev/null 2>"$tmp/err" ||
    { fail "sweep $s"; cat "$tmp/err"; continue; }
  "$podsim" -q sweep "$f" --set seed=1,2,3 --threads 3 --out "$tmp/lib-$n-3.csv" >/dev/null 2>&1
  same "$s: 3 seeds on 1 and 3 threads" "$tmp/lib-$n-1.csv" "$tmp/lib-$n-3.csv"
  if grep -q ',[^,]\+$' <(tail -n +3 "$tmp/lib-$n-1.csv"); then fail "$s: a point failed"; fi
done

expect "bad --set path" 2 "^--set compare.sytems\[0\].name: Comparison has no field 'sytems'" -- \
  "$podsim" sweep "$scenario" --set 'compare.sytems[0].name=a,b'
expect "empty list" 2 "^--set seed: empty value in '' " -- "$podsim" sweep "$scenario" --set seed=
expect "empty value in a list" 2 "^--set seed: empty value in '1,,2'" -- "$podsim" sweep "$scenario" --set seed=1,,2
expect "bad value" 2 "^--set seed: " -- "$podsim" sweep "$scenario" --set seed=1,minus
expect "--shard 0/2" 2 "^--shard 0/2: expected K/N with 1 <= K <= N" -- "$podsim" sweep "$scenario" --shard 0/2
expect "--shard 3/2" 2 "^--shard 3/2: expected K/N with 1 <= K <= N" -- "$podsim" sweep "$scenario" --shard 3/2
expect "--threads 0" 2 "^podsim sweep: --threads 0: expected an integer in \[1, 1024\]$" -- "$podsim" sweep "$scenario" --threads 0
expect "--threads 5000" 2 "^podsim sweep: --threads 5000: expected an integer in \[1, 1024\]$" -- "$podsim" sweep "$scenario" --threads 5000
expect "unwritable --out" 2 "^$tmp/no/such/dir/r.csv: --out: directory $tmp/no/such/dir does not exist \\(expected a path in an existing, writable directory\\)$" -- \
  "$podsim" -q sweep "$scenario" --out "$tmp/no/such/dir/r.csv"
expect "--resume without --out" 2 "^podsim sweep: --resume needs --out" -- "$podsim" sweep "$scenario" --resume
expect "nothing to sweep" 2 "smoke.textproto: nothing to sweep" -- "$podsim" sweep "$src/scenarios/smoke.textproto"
expect "sweep help" 0 "" -- "$podsim" sweep --help

finish sweep_e2e
