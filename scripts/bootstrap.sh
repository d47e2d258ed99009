#!/usr/bin/env bash
# Set up (or refresh) the project's virtualenv in .venv on a fresh machine.
# Installs the CPU build of PyTorch first (an unpinned torch would pull a
# multi-GB CUDA build), then the exact versions CI tested
# (requirements/dev-lock.txt; refresh it with `bash scripts/lock.sh`), then
# newsbot itself. It uses the pip that comes with Python (no upgrade), as a user
# would. Re-running is cheap: nothing is reinstalled unless the lock or
# pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${NEWSBOT_VENV:-.venv}
TORCH_VERSION=${NEWSBOT_TORCH_VERSION:-2.13.0}

if [ ! -x "$VENV/bin/python" ]; then
    echo "newsbot: creating virtualenv in $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
stamp="$VENV/.newsbot-installed"
LOCK=requirements/dev-lock.txt
want="$(cat pyproject.toml "$LOCK" | sha256sum | cut -d' ' -f1) torch=$TORCH_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
echo "newsbot: installing dependencies (first run takes a few minutes)" >&2
if ! "$PY" -c "import torch" 2>/dev/null; then
    "$PY" -m pip install -q "torch==$TORCH_VERSION" >&2
fi
"$PY" -m pip install -q -r "$LOCK" >&2
"$PY" -m pip install -q --no-deps -e . >&2
if ! "$PY" -m pip check >&2; then
    echo "newsbot: $LOCK does not match pyproject.toml; refresh it: bash scripts/lock.sh" >&2
    exit 1
fi
echo "$want" > "$stamp"
