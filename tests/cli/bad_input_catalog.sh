#!/usr/bin/env bash
# The bad-input catalog (docs/reliability.md): runs podsim on every case of
# bad_input_catalog.txt and checks that each is refused the way a user needs:
#   - exit code 2 (bad input), never a crash (>= 128) and never a hang (timeout);
#   - exactly one line on stderr, matching the case's pattern (the file, the line or
#     field, and what was expected);
#   - no file left behind (whole or partial) in the scratch directory.
# Usage: bad_input_catalog.sh PODSIM SOURCE_DIR
set -u
podsim=$1
src=$(cd "$2" && pwd)
catalog="$src/tests/cli/bad_input_catalog.txt"
in="$src/tests/cli/bad_inputs"
tmp=$(mktemp -d)          # what podsim may write into: must be unchanged after each case
io=$(mktemp -d)           # podsim's stdout and stderr
trap 'rm -rf "$tmp" "$io"' EXIT
timeout_s=${PODSIM_CATALOG_TIMEOUT:-120}

# Inputs that are easier to make than to keep in git.
mkdir "$tmp/a_dir" "$tmp/gen"
echo "not a directory" >"$tmp/a_file"
: >"$tmp/gen/empty.textproto"
printf '\n# only a comment\n   \n' >"$tmp/gen/comments_only.textproto"
# Every byte value once, NUL included, then the same without NUL and with no valid UTF-8.
for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done >"$tmp/gen/garbage.textproto"
for i in $(seq 128 255); do printf "\\x$(printf %02x "$i")"; done >"$tmp/gen/high_bytes.textproto"
head -c 2000 "$tmp/gen/garbage.textproto" >"$tmp/gen/garbage.csv"
cp "$tmp/gen/high_bytes.textproto" "$tmp/gen/high_bytes.csv"
# A trace whose lines end in CR alone (classic Mac OS; round 3: read as one header line).
printf 'job_id,submission_time,duration,num_gpu\ra,0,100,8\rb,10,200,16\r' >"$tmp/gen/cr_only.csv"
# A spreadsheet's tab-separated export (once "missing column 'job_id' (...; header: job_id?...)").
tr ',' '\t' <"$in/itp_ok.csv" >"$tmp/gen/tabs.csv"
# Protobuf traces: a real one from the smoke scenario, cut short, with a corrupted
# length prefix, and every byte value once.
"$podsim" -q run "$src/scenarios/smoke.textproto" --trace "$tmp/gen/ok.trace" >/dev/null 2>&1 ||
  { echo "FAIL: could not make a trace to corrupt"; exit 1; }
head -c 200 "$tmp/gen/ok.trace" >"$tmp/gen/truncated.trace"
cp "$tmp/gen/ok.trace" "$tmp/gen/bad_length.trace"
printf '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$tmp/gen/bad_length.trace" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$tmp/gen/garbage.textproto" "$tmp/gen/garbage.trace"
: >"$tmp/gen/empty.trace"
# Hand-encoded (trace.proto field numbers): a header (level steps, 8 devices, pool "p"),
# job 0 submitted on 4 devices, then a collective of it before any step_traced (field
# 18: tag 0x92 0x01; count 1, end_ns 5), then run_ended (field 16: tag 0x82 0x01).
{ printf '\x1d\x0a\x0cpodsim-trace\x10\x01\x28\x02\x32\x02ns\x3a\x03\x0a\x01p\x40\x08'
  printf '\x07\x12\x05\x0a\x01j\x10\x04'
  printf '\x07\x92\x01\x04\x48\x01\x58\x05'
  printf '\x03\x82\x01\x00'; } >"$tmp/gen/untraced_collective.trace"
# A bit flipped in a trace: the high bit of the first letter of a job's name, so the
# name is no longer UTF-8 (libprotobuf logs a line of its own for that unless silenced).
cp "$tmp/gen/ok.trace" "$tmp/gen/flipped.trace"
name_at=$(grep -obUa 'first' "$tmp/gen/ok.trace" | head -1 | cut -d: -f1)
printf '\xe6' | dd of="$tmp/gen/flipped.trace" bs=1 seek="$name_at" conv=notrunc 2>/dev/null
# Saved as Windows' "Unicode" (UTF-16 with a byte order mark): a scenario and two traces.
iconv -f UTF-8 -t UTF-16 "$in/trace_base.textproto" >"$tmp/gen/utf16.textproto"
iconv -f UTF-8 -t UTF-16 "$in/itp_ok.csv" >"$tmp/gen/utf16.csv"
iconv -f UTF-8 -t UTF-16 "$src/data/traces/swf-sample/sample.swf" >"$tmp/gen/utf16.swf"
# Traces as they are downloaded: an SWF log as the archive ships it (.swf.gz), a CSV gzipped.
gzip -c -n "$src/data/traces/swf-sample/sample.swf" >"$tmp/gen/sample.swf.gz"
gzip -c -n "$in/itp_ok.csv" >"$tmp/gen/itp_ok.csv.gz"
# A symbolic link to /sys: an outputs.out_dir through it is refused like /sys itself.
ln -s /sys "$tmp/gen/sys_link"
# Words too long for any field (round 2): an unknown field name of 100,000 letters (it
# once overflowed the stack in std::regex, exit 139) and a 100,000-digit quoted number.
{ echo 'name: "long"'; head -c 100000 /dev/zero | tr '\0' a; echo ': 1'; } >"$tmp/gen/long_field.textproto"
{ printf 'name: "long"\nseed: "'; head -c 100000 /dev/zero | tr '\0' 9; echo '"'; } >"$tmp/gen/long_token.textproto"
{ printf 'name: "long" cluster { pools { preset: "'; head -c 100000 /dev/zero | tr '\0' a; echo '" } }'; } >"$tmp/gen/long_preset.textproto"
# LAS levels 2% apart from 1e-6 device-hours up (1,000 thresholds) under 1,000 jobs of 80
# device-hours: ~9e5 crossings, once not in the run-size estimate at all.
{ printf 'name: "las"\ncluster { pools { name: "hgx" preset: "hgx-h100" count: 1 } fat_tree { tiers: 2 radix: 64 } }\n'
  printf 'scheduler { policy: LAS las_thresholds_device_hours: ['
  awk 'BEGIN { t = 1e-6; for (i = 0; i < 1000; i++) { printf "%s%.6g", (i ? ", " : ""), t; t *= 1.02 } }'
  printf '] }\nsources { synthetic { jobs: 1000 mean_interarrival_s: 1\n'
  printf '  templates { name: "t" devices { count: 8 } median_hours: 10 sigma: 0 } } }\n'; } >"$tmp/gen/las_levels.textproto"
# A scenario whose file name holds a line break (the message naming it stays one line).
cp "$in/zero_pool_count.textproto" "$tmp/gen/zero"$'\n'"count.textproto"
# A NUL byte on line 2, column 12 of a scenario.
printf 'name: "nul"\n  cluster {\0 }\n' >"$tmp/gen/nul.textproto"
# A sweep journal with a damaged row (--resume must refuse it, not copy it): a whole
# sweep's results turned into a journal, then point 1's makespan overwritten.
"$podsim" -q sweep "$in/trace_base.textproto" --set seed=1,2 --out "$tmp/gen/sweep.csv" >/dev/null 2>&1 ||
  { echo "FAIL: could not make a sweep to damage"; exit 1; }
sed '1s/^# podsim sweep v1/# podsim sweep-journal v1/; 4s/^\([^,]*,[^,]*,\)[^,]*/\1x9.5/' "$tmp/gen/sweep.csv" \
  >"$tmp/gen/damaged.csv.journal"
sed '1s/^# podsim sweep v1/# podsim sweep-journal v1/; 4s/^1,2,/1,7,/' "$tmp/gen/sweep.csv" >"$tmp/gen/other_seed.csv.journal"
# Sweep results to merge, damaged: a NaN makespan (merge copies rows: it must not copy
# that into its output) and a header claiming 4e9 shards (merge once allocated a slot per
# shard, out of memory).
sed '3s/^\([^,]*,[^,]*,\)[^,]*/\1nan/' "$tmp/gen/sweep.csv" >"$tmp/gen/nan_shard.csv"
sed '1s|shard=1/1|shard=1/4000000000|' "$tmp/gen/sweep.csv" >"$tmp/gen/huge_shard.csv"
# Damaged numbers that strtod read a prefix of and merge once copied as "text" (round 3):
# a 0x10 byte after point 1's makespan, a NUL inside point 0's utilization, a hex count,
# and in the long format point 0's makespan moved from `value` to `text`.
sed '4s/^\([^,]*,[^,]*,[^,]*\)/\1\x10/' "$tmp/gen/sweep.csv" >"$tmp/gen/ctl_shard.csv"
sed '3s/^\([^,]*,[^,]*,[^,]*,0\)\./\1\x00/' "$tmp/gen/sweep.csv" >"$tmp/gen/nul_shard.csv"
/usr/bin/python3 - "$tmp/gen/sweep.csv" "$tmp/gen/hex_shard.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().split('\n')
cols = lines[1].split(',')
row = lines[2].split(',')
row[cols.index('jobs')] = '0x10'
lines[2] = ','.join(row)
open(sys.argv[2], 'w').write('\n'.join(lines))
PY
"$podsim" -q sweep "$in/trace_base.textproto" --set seed=1,2 --format long --out "$tmp/gen/long.csv" >/dev/null 2>&1 ||
  { echo "FAIL: could not make a long sweep to damage"; exit 1; }
sed '3s/^\(0,1,,,makespan_s,\)\([^,]*\),s,,/\1,s,\2,/' "$tmp/gen/long.csv" >"$tmp/gen/long_shard.csv"
# A shard whose last row is there twice (once refused at the end, with no line).
{ cat "$tmp/gen/sweep.csv"; tail -n 1 "$tmp/gen/sweep.csv"; } >"$tmp/gen/dup_row.csv"
# Copies to write over (issue 17: outputs onto their own inputs must be refused; were
# that to regress, only these copies would be lost), FIFOs that no one writes to (an
# ordinary open() of one blocks forever), and a sparse file past the 1 GiB input cap.
cp "$in/trace_base.textproto" "$in/itp_ok.csv" "$tmp/gen/"
mkfifo "$tmp/gen/fifo.textproto" "$tmp/gen/fifo.csv" "$tmp/gen/fifo.trace"
truncate -s 1100M "$tmp/gen/huge.textproto"
snapshot() { (cd "$tmp" && find . -printf '%p %s\n' | LC_ALL=C sort); }
before=$(snapshot)

count=0
failures=0
fail() { echo "FAIL $name: $1"; sed 's/^/     stderr: /' "$io/err" | head -5; failures=$((failures + 1)); }
while IFS='|' read -r name args regex; do
  name=$(echo "$name" | sed 's/^ *//; s/ *$//')
  [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
  regex=$(echo "$regex" | sed 's/^ *//; s/ *$//')
  args=${args//\{in\}/$in}
  args=${args//\{tmp\}/$tmp}
  args=${args//\{src\}/$src}
  args=${args//\{nl\}/$'\n'}
  count=$((count + 1))
  # The arguments are the words between spaces: a {nl} stays inside its word, and no
  # word is a glob ([0] in a field path).
  IFS=' ' read -r -d '' -a words < <(printf '%s' "$args")
  timeout "$timeout_s" "$podsim" "${words[@]}" >"$io/out" 2>"$io/err" </dev/null
  rc=$?
  lines=$(wc -l <"$io/err")
  if [ "$rc" -eq 124 ]; then fail "hung (killed after ${timeout_s}s)"
  elif [ "$rc" -ge 128 ]; then fail "crashed (exit $rc)"
  elif [ "$rc" -ne 2 ]; then fail "exit $rc, expected 2"
  elif [ "$lines" -ne 1 ] || [ -n "$(tail -c 1 "$io/err")" ]; then fail "$lines lines on stderr, expected exactly one"
  elif ! grep -Eq -- "$regex" "$io/err"; then fail "stderr does not match /$regex/"
  elif [ "$(snapshot)" != "$before" ]; then
    fail "left files behind:"; diff <(echo "$before") <(snapshot) | head -5
    rm -rf "$tmp"/out* "$tmp"/a_dir/* "$tmp"/missing
  else echo "ok   $name: $(cat "$io/err")"
  fi
done <"$catalog"
echo "bad_input_catalog: $count cases, $failures failed"
[ "$count" -ge 40 ] && [ "$failures" -eq 0 ]
