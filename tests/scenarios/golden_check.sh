#!/usr/bin/env bash
# Runs every scenario under scenarios/ and compares its stdout with the golden copy in
# tests/scenarios/golden/ (the path with '/' -> '__'). Each runs twice: the two outputs
# must be byte-identical (determinism), then equal to the golden one.
# Usage: golden_check.sh PODSIM SOURCE_DIR [--update]
# Refresh every golden after an intended change: scripts/update-goldens.sh
set -u
podsim=$1
src=$2
update=${3:-}
golden_dir="$src/tests/scenarios/golden"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
count=0
cd "$src" || exit 1
while IFS= read -r scenario; do
  count=$((count + 1))
  name=$(echo "${scenario#scenarios/}" | sed 's#/#__#g; s#\.textproto$##')
  golden="$golden_dir/$name.out"
  if ! "$podsim" -q run "$scenario" >"$tmp/a" 2>"$tmp/err"; then
    echo "FAIL $scenario: exit $?"; cat "$tmp/err"; failures=$((failures + 1)); continue
  fi
  "$podsim" -q run "$scenario" >"$tmp/b" 2>/dev/null
  if ! cmp -s "$tmp/a" "$tmp/b"; then
    echo "FAIL $scenario: two runs with the same seed differ"; diff "$tmp/a" "$tmp/b" | head -20
    failures=$((failures + 1)); continue
  fi
  # A sweep table's header names the podsim that wrote it (its version includes the git
  # commit) and a fingerprint that includes that version: both change with every commit,
  # so goldens hold placeholders (the two runs above are compared as they are).
  sed -E -i '1s/^(# podsim sweep v1) podsim=[^ ]+ fingerprint=[0-9a-f]+ /\1 podsim=VERSION fingerprint=FINGERPRINT /' "$tmp/a"
  if [ "$update" = "--update" ]; then
    cp "$tmp/a" "$golden"; echo "updated $golden"; continue
  fi
  if [ ! -f "$golden" ]; then
    echo "FAIL $scenario: no golden output (run scripts/update-goldens.sh)"; failures=$((failures + 1)); continue
  fi
  if ! diff -u "$golden" "$tmp/a" >"$tmp/diff"; then
    echo "FAIL $scenario: output differs from $golden"; head -40 "$tmp/diff"; failures=$((failures + 1)); continue
  fi
  echo "ok   $scenario"
done < <(find scenarios -name '*.textproto' | LC_ALL=C sort)
echo "golden_check: $count scenarios, $failures failed"
[ "$failures" -eq 0 ]
