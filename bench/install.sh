#!/usr/bin/env bash
# Install figures, before and after, in the same run: for each git REF (default: the
# commit before the lock file, and HEAD), export its tree, build the wheel, install it
# with the stock pip into a fresh venv (torch first) and run `newsbot demo` outside the
# repository, via scripts/check-install.sh. Prints time per phase, venv size, and
# whether the demo worked.
#   bash bench/install.sh [REF ...]
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
if [ "$#" -eq 0 ]; then
    set -- "$(git log --diff-filter=A --format=%h -- requirements/lock.txt | tail -n1)~1" HEAD
fi
for ref in "$@"; do
    tree="$(mktemp -d "${TMPDIR:-/tmp}/newsbot-bench-src.XXXXXX")"
    git archive "$ref" | tar -x -C "$tree"
    echo "== $ref ($(git log --format='%h %s' -n1 "$ref" | cut -c1-70))"
    start=$(date +%s)
    if NEWSBOT_CHECK_SOURCE="$tree" bash scripts/check-install.sh > "$tree.log" 2>&1; then
        result="ok"
    else
        result="FAILED: $(grep -m1 -E "Error|error|failed" "$tree.log" | cut -c1-150)"
    fi
    grep "^check-install:" "$tree.log" | sed 's/^/   /'
    echo "   total $(( $(date +%s) - start )) s; $result"
    rm -rf "$tree" "$tree.log"
done
