#!/usr/bin/env bash
# Set up (or refresh) the project's virtualenv in .venv on a fresh machine.
# Installs the CPU build of PyTorch first (an unpinned torch would pull a
# multi-GB CUDA build), then newsbot with its dev tools. Re-running is cheap:
# nothing is reinstalled unless pyproject.toml changed.
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
want="$(sha256sum pyproject.toml | cut -d' ' -f1) torch=$TORCH_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
echo "newsbot: installing dependencies (first run takes a few minutes)" >&2
"$PY" -m pip install -q --upgrade pip >&2
if ! "$PY" -c "import torch" 2>/dev/null; then
    "$PY" -m pip install -q "torch==$TORCH_VERSION" >&2
fi
"$PY" -m pip install -q -e ".[dev]" >&2
echo "$want" > "$stamp"
