#!/usr/bin/env bash
# Determinism of every output file, not only stdout (issue #8, item 4): the scenario
# library's quick cluster runs write their CSV and JSON results (outputs.out_dir), a
# protobuf trace at the finest level, its Perfetto JSON and summary, and the HTML
# report; two comparison studies write their trace (each cell's step and collectives),
# its Perfetto JSON and summary, and their HTML report; the failure-rate sweep writes
# its CSV on 1 and 2 threads. Each is run twice, in two directories with the same
# relative output names, and the two directories must hold the same files, byte for
# byte. (golden_check.sh runs every scenario twice for stdout; sweep_e2e.sh compares
# sweeps of the library across --threads. The slow scenarios are left to those.)
# Usage: outputs_determinism.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# produce DIR CMD...: runs CMD in DIR (created), stdout to DIR/stdout; 0 if it succeeded.
produce() {
  local dir=$1
  shift
  mkdir -p "$dir"
  (cd "$dir" && "$@" >stdout 2>"$tmp/err") || { fail "$dir: $* exited $?"; cat "$tmp/err"; return 1; }
}

# same_dirs NAME A B FILE...: A and B hold the same files, each byte-identical, and
# each FILE exists (so an output that silently stopped being written is noticed).
same_dirs() {
  local name=$1 a=$2 b=$3
  shift 3
  local f
  for f in "$@"; do [ -s "$a/$f" ] || { fail "$name: $f missing or empty"; return; }; done
  if diff -r "$a" "$b" >"$tmp/diff" 2>&1; then
    echo "ok   $name: $(cd "$a" && find . -type f | wc -l) files byte-identical"
  else
    fail "$name: two runs differ"; head -20 "$tmp/diff"
  fi
}

for s in smoke scheduler/llm_mix_nvl72 scheduler/dual_vendor_itp_llm scheduler/itp_cluster04_hgx; do
  f="$src/scenarios/$s.textproto"
  [ -f "$f" ] || { fail "library scenario $s.textproto is gone: update this list"; continue; }
  n=$(echo "$s" | tr / _)
  for run in a b; do
    d="$tmp/$run/$n"
    produce "$d" "$podsim" -q run "$f" --set outputs.out_dir=out --trace run.trace --trace-level flows \
      --report report.html || continue
    produce "$d/trace" "$podsim" trace ../run.trace --summary --perfetto perfetto.json || continue
  done
  same_dirs "$s" "$tmp/a/$n" "$tmp/b/$n" stdout out/summary.csv out/jobs.csv out/timeline.csv out/results.json \
    run.trace report.html trace/stdout trace/perfetto.json
done

for s in deepseek_v3_pretrain_cm384x4 validation/megatron-sc21-1.7b; do
  f="$src/scenarios/$s.textproto"
  [ -f "$f" ] || { fail "library scenario $s.textproto is gone: update this list"; continue; }
  n=$(echo "$s" | tr / _)
  for run in a b; do
    d="$tmp/$run/$n"
    produce "$d" "$podsim" -q run "$f" --trace run.trace --trace-level flows --report report.html || continue
    produce "$d/trace" "$podsim" trace ../run.trace --summary --perfetto perfetto.json || continue
  done
  same_dirs "$s" "$tmp/a/$n" "$tmp/b/$n" stdout run.trace report.html trace/stdout trace/perfetto.json
done

f="$src/scenarios/sweeps/failure_rate.textproto"
for run in a b; do
  threads=1
  [ "$run" = b ] && threads=2
  produce "$tmp/$run/failure_rate" "$podsim" -q sweep "$f" --threads "$threads" --out results.csv
done
same_dirs "sweeps/failure_rate on 1 and 2 threads" "$tmp/a/failure_rate" "$tmp/b/failure_rate" stdout results.csv

echo "outputs_determinism: $failures failed"
[ "$failures" -eq 0 ]
