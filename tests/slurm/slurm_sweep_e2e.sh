#!/usr/bin/env bash
# End-to-end: scripts/slurm-sweep.sbatch on a real Slurm (issue 18 item 6).
#
# Starts a private single-node Slurm on this machine (munged, slurmctld -D, slurmd -D,
# all on 127.0.0.1, every file under one temporary directory, no cgroups), submits a
# library sweep as a job array of several shards, merges the shards in a job that
# depends on the array (as the README shows), and checks the merged CSV is
# byte-identical to the same sweep run locally in one piece. The daemons are stopped on
# every exit. Needs root (the daemons and the jobs run as root) and Debian's slurm-wlm
# and munge (scripts/install-deps.sh installs them).
#
#   tests/slurm/slurm_sweep_e2e.sh [PODSIM]       # PODSIM: default build/cli/podsim
#
# Every wait is bounded; .ci/run calls it after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

podsim=$(realpath "${1:-build/cli/podsim}")
scenario=$(realpath scenarios/sweeps/failure_rate.textproto)
sweep_args=(--set seed=1,2)  # the block's 10 points x 2 seeds = 20
shards=4
daemon_wait_s=60
sweep_wait_s=900

fail() { echo "slurm_sweep_e2e: FAIL: $*" >&2; exit 1; }
[ -x "$podsim" ] || fail "$podsim: not an executable (build podsim first)"
for tool in munged mungekey slurmctld slurmd sbatch scontrol sinfo squeue scancel; do
  command -v "$tool" >/dev/null || fail "$tool not found: install slurm-wlm and munge (scripts/install-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || fail "run as root: the Slurm daemons and the jobs run as root here"

work=$(mktemp -d /tmp/podsim-slurm.XXXXXX)
chmod 755 "$work"  # munged wants every directory above its socket searchable by all
pids=()
job_ids=()

dump_logs() {
  for f in "$work"/log/* "$work"/jobs/*.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 40 lines)" >&2
    tail -n 40 "$f" >&2
  done
}

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ]; then dump_logs; fi
  # Cancel our jobs first so slurmd's step daemons end with them, then stop the daemons
  # this script started, by process id, newest first.
  if [ ${#job_ids[@]} -gt 0 ]; then
    scancel "${job_ids[@]}" 2>/dev/null
    for _ in $(seq 1 30); do
      [ -z "$(squeue -h -j "$(IFS=,; echo "${job_ids[*]}")" 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port on 127.0.0.1 that nothing listens on (the default 6817/6818 may be a site's).
free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port in $1..$(($1 + 200))"
}

mkdir -p "$work"/{munge,state,spool,log,jobs,out}
chmod 755 "$work/munge"

# munge: Slurm's authentication; a private key and socket, never the system's.
mungekey -c -k "$work/munge/munge.key"
munged -F --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/seed" \
  --log-file="$work/log/munged.log" > "$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 "$daemon_wait_s"); do [ -S "$work/munge/munge.sock" ] && break; sleep 1; done
[ -S "$work/munge/munge.sock" ] || fail "munged did not create its socket in ${daemon_wait_s} s"

node=$(hostname -s)
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))
cpus=$(nproc)
export SLURM_CONF="$work/slurm.conf"
# The least a Slurm needs to run a job array: no cgroups (proctrack/linuxproc,
# task/none), no accounting database, the node and the controller on 127.0.0.1.
cat > "$SLURM_CONF" <<EOF
ClusterName=podsimci
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

# -D: in the foreground, so this script owns the processes it stops.
slurmctld -D -i -f "$SLURM_CONF" > "$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" -f "$SLURM_CONF" > "$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 1 "$daemon_wait_s"); do
  state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "node $node not idle after ${daemon_wait_s} s (state '${state}')"
echo "slurm_sweep_e2e: Slurm up: $node, $cpus CPUs, slurmctld on 127.0.0.1:$ctld_port"

# The array: one task per shard, one CPU each (the script asks 8; a command-line option
# overrides an #SBATCH line). PODSIM reaches the tasks through sbatch's --export=ALL.
out="$work/out"
export PODSIM="$podsim"
jid=$(sbatch --parsable --array=1-$shards --cpus-per-task=1 --chdir="$work/jobs" \
  --output="$work/jobs/sweep-%A_%a.log" scripts/slurm-sweep.sbatch \
  "$scenario" "$out" "${sweep_args[@]}")
jid=${jid%%;*}
job_ids+=("$jid")
# The merge, as the README shows it: after every task succeeded; cancelled if one fails.
# --wait returns when it ends, with its exit code.
shard_files=$(for k in $(seq 1 $shards); do printf ' %q' "$out/shard-$k-of-$shards.csv"; done)
merge_rc=0
timeout "$sweep_wait_s" sbatch --wait --parsable --dependency="afterok:$jid" \
  --kill-on-invalid-dep=yes --chdir="$work/jobs" --output="$work/jobs/merge-%j.log" \
  --wrap "$(printf '%q' "$podsim") merge $(printf '%q' "$out/results.csv")$shard_files" \
  > "$work/merge.jid" || merge_rc=$?
merge_jid=$(head -n 1 "$work/merge.jid" | cut -d';' -f1)
[ -n "$merge_jid" ] && job_ids+=("$merge_jid")
[ "$merge_rc" -ne 124 ] || fail "array job $jid and its merge did not end in ${sweep_wait_s} s"
# sbatch --wait says 0 for a merge cancelled by its dependency: ask Slurm how each ended.
job_field() { grep -o "$1=[^ ]*" | cut -d= -f2; }
bad=
while read -r line; do
  task=$(job_field ArrayTaskId <<< "$line")
  st=$(job_field JobState <<< "$line")
  [ "$st" = COMPLETED ] || bad+=" task $task: $st, exit $(job_field ExitCode <<< "$line");"
done < <(scontrol -o show job "$jid")
[ -z "$bad" ] || fail "array job $jid:$bad logs in $work/jobs/sweep-${jid}_K.log"
[ -n "$merge_jid" ] || fail "the merge job was not submitted (sbatch exited $merge_rc)"
merge_state=$(scontrol -o show job "$merge_jid" | job_field JobState)
[ "$merge_state" = COMPLETED ] && [ "$merge_rc" -eq 0 ] ||
  fail "merge job $merge_jid: ${merge_state:-unknown}, sbatch exited $merge_rc"
for k in $(seq 1 $shards); do
  [ -s "$out/shard-$k-of-$shards.csv" ] || fail "array task $k wrote no shard"
done
[ -s "$out/results.csv" ] || fail "the merge wrote no $out/results.csv"

# The same sweep in one piece, here.
"$podsim" sweep "$scenario" "${sweep_args[@]}" --threads "$cpus" --out "$work/local.csv" \
  2> "$work/log/local-sweep.log" || fail "the local sweep exited $?"
if ! cmp "$out/results.csv" "$work/local.csv"; then
  diff "$out/results.csv" "$work/local.csv" | head -n 20 >&2
  fail "the merged Slurm shards differ from the local sweep"
fi
rows=$(($(wc -l < "$work/local.csv") - 2))
echo "slurm_sweep_e2e: $shards array tasks merged to the local sweep's bytes ($rows points)"
echo "1 passed, 0 failed"
