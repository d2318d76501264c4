#!/usr/bin/env bash
# The repository stands alone (issue 17): no tracked file may point at a folder beside
# the checkout (the sibling `shared` data folder of the development machine), and every
# file a scenario reads (trace paths) must exist inside the repository.
# Usage: standalone_test.sh SOURCE_DIR
set -u
src=$(cd "$1" && pwd)
cd "$src"
fail=0

# The patterns are built in pieces so that this file does not match itself.
dots='..'
word='shared'
patterns=(-e "$dots/$word" -e "/work/$word" -e "PODSIM_${word^^}_DIR")

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  hits=$(git grep -n -I "${patterns[@]}" -- . 2>/dev/null)
else  # an exported tree (no .git): every file but build output
  hits=$(grep -rnI --exclude-dir='build*' --exclude-dir='.git' "${patterns[@]}" . 2>/dev/null)
fi
if [ -n "$hits" ]; then
  echo "standalone: these lines point outside the repository:"
  echo "$hits"
  fail=1
fi

# Every `path: "..."` in a scenario resolves (relative to the file's folder) to a file
# inside the repository.
while IFS= read -r -d '' f; do
  dir=$(dirname "$f")
  while IFS= read -r p; do
    case $p in /*) target=$p ;; *) target=$dir/$p ;; esac
    resolved=$(realpath -m "$target")
    case $resolved in
      "$src"/*) [ -f "$resolved" ] || { echo "standalone: $f: path \"$p\" does not exist"; fail=1; } ;;
      *) echo "standalone: $f: path \"$p\" leaves the repository ($resolved)"; fail=1 ;;
    esac
  done < <(grep -oE '^\s*path:\s*"[^"]+"' "$f" | sed -E 's/^\s*path:\s*"([^"]+)"/\1/')
done < <(find scenarios -name '*.textproto' -print0)

[ $fail = 0 ] && echo "standalone: no tracked file points outside the repository"
exit $fail
