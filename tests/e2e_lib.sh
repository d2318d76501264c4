# Sourced by the end-to-end shell tests (tests/*/*_e2e.sh): a scratch directory removed
# on exit, a failure count, and the checks they share. Not run on its own.
#   source "$src/tests/e2e_lib.sh"
#   expect "missing file" 2 "no-such.textproto: cannot open" -- "$podsim" run "$tmp/no-such.textproto"
#   finish my_e2e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# expect_streams NAME WANT_RC STDOUT_REGEX STDERR_REGEX -- CMD...: CMD exits WANT_RC and
# its outputs (kept in $tmp/out and $tmp/err) match the regexes that are not empty. An
# error that is checked must be one line: bad input gets a one-line error.
expect_streams() {
  local name=$1 want=$2 out_regex=$3 err_regex=$4
  shift 5
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then fail "$name: exit $rc, expected $want"; cat "$tmp/err"; return; fi
  if [ -n "$out_regex" ] && ! grep -Eq -e "$out_regex" "$tmp/out"; then
    fail "$name: stdout does not match /$out_regex/:"; cat "$tmp/out"; return
  fi
  if [ -n "$err_regex" ]; then
    if ! grep -Eq -e "$err_regex" "$tmp/err"; then fail "$name: stderr does not match /$err_regex/:"; cat "$tmp/err"; return; fi
    if [ "$want" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
      fail "$name: more than one line on stderr:"; cat "$tmp/err"; return
    fi
  fi
  echo "ok   $name"
}

# expect NAME WANT_RC STDERR_REGEX -- CMD...: as expect_streams, stdout unchecked.
expect() {
  local name=$1 want=$2 err_regex=$3
  shift 4
  expect_streams "$name" "$want" "" "$err_regex" -- "$@"
}

# same NAME A B: files A and B hold the same bytes.
same() {
  if cmp -s "$2" "$3"; then echo "ok   $1"; else fail "$1: $2 and $3 differ"; diff "$2" "$3" | head -10; fi
}

# finish NAME: the summary line; the script's exit status is 1 after any failure.
finish() {
  echo "$1: $failures failed"
  [ "$failures" -eq 0 ] || exit 1
}
