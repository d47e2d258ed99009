#!/usr/bin/env bash
# What a user gets from `pip install newsbot`: build the wheel, install it with the
# pip that comes with Python (no upgrade) into a fresh virtualenv (CPU torch first,
# the versions pinned by requirements/lock.txt), then run it from a folder outside
# the repository: `newsbot demo`, and the data folder, config and backup commands.
# Prints the install time and the venv's size. Run by .ci/run before the tests.
#   bash scripts/check-install.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="${NEWSBOT_CHECK_SOURCE:-$here}"  # bench/install.sh points this at an older tree
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${NEWSBOT_TORCH_VERSION:-2.13.0}
work="$(mktemp -d "${TMPDIR:-/tmp}/newsbot-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
quiet() { grep -v -e "^WARNING: Location 'file:" -e '^$' || true; }  # pip's noise about absent local indexes

"$PYTHON" -m venv "$work/venv"
py="$work/venv/bin/python"
echo "check-install: $("$py" -m pip --version | cut -d' ' -f1-2) (as shipped with $("$py" --version))"
# --no-compile: byte-compiling all of torch's sources costs minutes of CPU; Python
# compiles what is imported on first use anyway.
t0=$(date +%s)
# Built from a copy: setuptools writes build/ and *.egg-info into the tree it builds.
mkdir "$work/src"
tar -C "$src" --exclude='./.venv*' --exclude=./.git --exclude=./build --exclude='*.egg-info' \
    --exclude=__pycache__ -cf - . | tar -C "$work/src" -xf -
"$py" -m pip wheel -q --no-deps -w "$work/dist" "$work/src" 2>&1 | quiet
wheel="$(ls "$work"/dist/newsbot-*.whl)"
t1=$(date +%s)
"$py" -m pip install -q --no-compile "torch==$TORCH_VERSION" 2>&1 | quiet
t2=$(date +%s)
pins=()
if [ -f "$src/requirements/lock.txt" ]; then pins=(-c "$src/requirements/lock.txt"); fi
"$py" -m pip install -q --no-compile "${pins[@]}" "$wheel" 2>&1 | quiet
"$py" -m pip check
t3=$(date +%s)
echo "check-install: $(basename "$wheel"): wheel built in $((t1 - t0)) s, torch $((t2 - t1)) s," \
     "newsbot and its dependencies $((t3 - t2)) s; venv $(du -sm "$work/venv" | cut -f1) MB"

# Run it as a user would: from a folder with nothing of newsbot's in it.
mkdir -p "$work/elsewhere"
cd "$work/elsewhere"
export NEWSBOT_DATA_DIR="$work/data"
unset NEWSBOT_CONFIG NEWSBOT_DATABASE_URL
nb="$work/venv/bin/newsbot"
t4=$(date +%s)
"$nb" demo > demo.out 2> demo.err || { cat demo.err demo.out >&2; echo "check-install: newsbot demo failed" >&2; exit 1; }
# The digest's title ("Wednesday 2 December — 6 stories"), then per story a headline and
# indented lines: key points, quotes (“…” — speaker) and the source line (… · time · link).
# Key points are the indented lines that are neither: the brief layout has no bullets.
stories=$(grep -cE "^[^ ].* — [1-9][0-9]* stor(y|ies)$" demo.out || true)
points=$(grep -E "^  [^ “\"]" demo.out | grep -cv " · " || true)
if [ "$stories" -lt 1 ] || [ "$points" -lt 1 ]; then
    cat demo.out >&2; echo "check-install: the demo printed no digest with key points" >&2; exit 1
fi
echo "check-install: newsbot demo printed $points key points in $(( $(date +%s) - t4 )) s"
"$nb" config example > newsbot.toml
# (outputs go to files: `cmd | grep -q` under pipefail fails when grep exits first)
"$nb" config show > show.out
grep -q "newsbot.toml  (current folder; in use)" show.out || { cat show.out >&2; exit 1; }
"$nb" feeds list > /dev/null 2>&1
test -f "$work/data/newsbot.db" || { echo "check-install: no database in NEWSBOT_DATA_DIR" >&2; exit 1; }
test ! -e newsbot.db || { echo "check-install: a database appeared in the current folder" >&2; exit 1; }
"$nb" db backup "$work/backup.db" > /dev/null
"$nb" feeds import --help > help.out
grep -q -- "--starter" help.out || { echo "check-install: feeds import --help lacks --starter" >&2; exit 1; }
echo "check-install: ok (demo, config, data folder, backup) from $work/elsewhere"
