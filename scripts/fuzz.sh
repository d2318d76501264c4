#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, in build-fuzz/) and runs each for
# SECONDS (default 60), one process per target, one after the other (FUZZ_PARALLEL=1:
# all at once).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Corpora grow in build-fuzz/corpus/TARGET (seeded from scenarios/, tests/ and the
# traces in data/traces/); a crashing input lands in build-fuzz/artifacts/TARGET/ and the
# script fails. Keep such an input, once fixed, in tests/fuzz_regressions/TARGET/
# (the normal test suite replays it). Assumes install-deps.sh ran (clang,
# libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario_loader set_path set_run itp_trace slurm_trace swf_trace declared_trace node_list protobuf_trace)
build=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODSIM_FUZZ=ON \
  -DPODSIM_BUILD_TESTS=OFF -DPODSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

# Seeds: every input of the right kind the repository has.
seed() {  # seed TARGET: fills $build/seeds/TARGET
  local dir="$build/seeds/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  case $1 in
    scenario_loader)
      find scenarios tests -name '*.textproto' -size -64k -exec cp --backup=numbered -t "$dir" {} + ;;
    set_path)
      printf 'scheduler.policy=EASY_BACKFILL\n' >"$dir/policy"
      printf 'cluster.pools[0].count=4\njobs[0].plan.tp=8\n' >"$dir/two"
      printf 'jobs[1].name=b\njobs[1].model.preset=llama3-70b\n' >"$dir/append"
      printf 'cluster.fat_tree.radix=64\nhorizon_s=1e9\n' >"$dir/tree"
      # issue 17's numbers that once got past the checks
      printf 'cluster.pools[0].nvlink.link_latency_ns=9223372036854775807\n' >"$dir/latency"
      printf 'cluster.pools[0].device.bf16_tflops=4.9e-324\n' >"$dir/denormal"
      printf 'cluster.pools[0].nvlink.system_power_kw=1e308\n' >"$dir/power"
      printf 'failures.kinds[0].mtbf_hours=1000\nfailures.kinds[0].repair_hours=1e308\n' >"$dir/repair"
      printf 'scheduler.las_thresholds_device_hours[0]=10\nscheduler.las_thresholds_device_hours[1]=5\n' >"$dir/las" ;;
    set_run)
      printf 'scheduler.policy=LAS\nscheduler.las_thresholds_device_hours[0]=0.5\n' >"$dir/las"
      printf 'cluster.pools[0].device.bf16_tflops=0.001\n' >"$dir/slow"
      printf 'cluster.pools[0].hgx.nvlink_latency_ns=1000000000\ncluster.pools[0].hgx.system_power_kw=10000\n' >"$dir/hgx"
      printf 'failures.kinds[0].mtbf_hours=100\nfailures.kinds[0].repair_hours=10000\nscheduler.checkpoint.interval_s=60\n' >"$dir/fail"
      printf 'jobs[0].steps=1000000000000000\nhorizon_s=0\n' >"$dir/endless" ;;
    itp_trace)
      for f in data/traces/microsoft-itp-elasticflow/*.csv; do
        [ -f "$f" ] && head -c 3000 "$f" >"$dir/$(basename "$f")"
      done
      printf 'job_id,submission_time,duration,num_gpu\na,0,100,8\nb,10,200,16\n' >"$dir/basic.csv"
      printf 'job_id,submission_time,duration,num_gpu\na,0,1e308,8\nb,1e9,1e9,10000000\n' >"$dir/extremes.csv"
      find tests -path '*itp*' -name '*.csv' -size -64k -exec cp --backup=numbered -t "$dir" {} + ;;
    slurm_trace)
      printf 'job_id,submit_time,start_time,end_time,gpu_num,state\n1,0,5,100,8,COMPLETED\n2,2020-03-01 08:00:00,2020-03-01 08:01:00,2020-03-01 09:00:00,16,FAILED\n3,10,,,0,CANCELLED\n' >"$dir/basic.csv"
      find tests -path '*slurm*' -name '*.csv' -size -64k -exec cp --backup=numbered -t "$dir" {} + ;;
    swf_trace)
      cp data/traces/swf-sample/sample.swf "$dir/sample.swf"
      printf '1 0 0 10 4 -1 -1 4 -1 -1 1 1 1 1 1 1 -1 -1\n2 1e9 -1 1e9 10000000 -1 -1 -1 -1 -1 5 1 1 1 1 1 -1 -1\n' >"$dir/extremes.swf" ;;
    declared_trace)  # the first byte picks the declaration (fuzz_entries.h): 0 pods, 1 sacct, 2 philly, 3 PAI, 4 epoch ms
      { printf '\000'; head -c 3000 data/traces/k8s-pod-list-synthetic/pods.csv; } >"$dir/pods.csv"
      { printf '\001'; head -c 3000 data/traces/slurm-sacct-synthetic/jobs.csv; } >"$dir/sacct.csv"
      { printf '\002'; head -c 3000 data/traces/philly-style-itp-derived/jobs.csv; } >"$dir/philly.csv"
      { printf '\003'; head -c 3000 data/traces/pai-task-table-synthetic/tasks.csv; } >"$dir/pai.csv"
      { printf '\004'; printf 'submit,start,end,gpus,state\n1700000000000,1700000001000,1700000100000,8,done\n1700000000500,,,4,cancelled\n'; } >"$dir/epoch.csv" ;;
    node_list)  # the first byte picks the columns (fuzz_entries.h): odd gpu + model, even gpus
      { printf '\001'; head -c 3000 data/nodes/k8s-node-list-synthetic/nodes.csv; } >"$dir/openb.csv"
      { printf '\000'; printf 'host,gpus\na,8\nb,0\nc,"4"\n'; } >"$dir/plain.csv" ;;
    protobuf_trace)  # a trace of scenarios/smoke.textproto (podsim run --trace)
      cp fuzz/seeds/protobuf_trace/* "$dir/" ;;
  esac
}

# The field names of the schema: a dictionary lets the scenario fuzzer write fields.
dict="$build/scenario.dict"
grep -hoE '^\s*(repeated\s+)?[A-Za-z0-9_.]+\s+[a-z_0-9]+\s*=' proto/podsim/v1/*.proto |
  awk '{print $(NF-1)}' | sed 's/=$//' | sort -u | sed 's/.*/"&"/' >"$dict"
grep -hoE '^\s*[A-Z][A-Z0-9_]+\s*=' proto/podsim/v1/*.proto | tr -d ' =' | sort -u | sed 's/.*/"&"/' >>"$dict"
printf '"{"\n"}"\n":"\n"\\""\n"-"\n"nan"\n"inf"\n"1e308"\n' >>"$dict"

fuzz_one() {  # fuzz_one TARGET: runs it, prints its stats; fails if it found something
  local t=$1 extra=()
  case $t in scenario_loader | set_path | set_run) extra=(-dict="$dict") ;; esac
  if ! "$build/fuzz/fuzz_$t" "${extra[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" "$build/corpus/$t" "$build/seeds/$t" \
      >"$build/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (input in $build/artifacts/$t/):"; grep -E 'ERROR|SUMMARY|==[0-9]+==|what\(\)' "$build/$t.log" | head -20
    return 1
  fi
  echo "fuzz: $t: $(grep -E '^stat::number_of_executed_units' "$build/$t.log" | awk '{print $2}') executions in ${seconds}s," \
    "$(grep -E 'cov:' "$build/$t.log" | tail -1 | grep -oE 'cov: [0-9]+')"
}

for t in "${targets[@]}"; do
  seed "$t"
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
done
failed=0
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then  # one process per target at once (long local runs)
  pids=()
  for t in "${targets[@]}"; do echo "fuzz: $t for ${seconds}s"; fuzz_one "$t" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
else
  for t in "${targets[@]}"; do echo "fuzz: $t for ${seconds}s"; fuzz_one "$t" || failed=1; done
fi
exit $failed
