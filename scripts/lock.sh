#!/usr/bin/env bash
# Refresh the lock files: the exact versions of every package newsbot installs.
#   bash scripts/lock.sh            # re-resolve from pyproject.toml (newest allowed versions)
#   bash scripts/lock.sh -P httpx   # extra arguments go to pip-compile (here: bump one package)
# Writes requirements/lock.txt (what `pip install newsbot` needs) and
# requirements/dev-lock.txt (that plus the test and lint tools). scripts/bootstrap.sh
# and CI install from dev-lock.txt, so what CI tested is what a fresh checkout gets.
# torch is written as torch==2.13.0 (not the +cpu local label the CPU wheel
# carries) so the same line matches the CPU build where it is on offer.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TOOL=.venv-lock
PIP_TOOLS_VERSION=7.6.2
if [ ! -x "$TOOL/bin/pip-compile" ]; then
    "$PYTHON" -m venv "$TOOL"
    "$TOOL/bin/python" -m pip install -q "pip-tools==$PIP_TOOLS_VERSION"
fi
mkdir -p requirements
export CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh"
common=(--quiet --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
        --newline LF --resolver backtracking)
# Where the CPU torch wheel is found: pip's own find-links setting (as on the CI
# machines), or e.g. PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu.
for links in ${PIP_FIND_LINKS:-}; do common+=(--find-links "$links"); done
srcs=(pyproject.toml requirements/cpu-torch.in)
"$TOOL/bin/pip-compile" "${common[@]}" "$@" --extra dev -o requirements/dev-lock.txt "${srcs[@]}"
"$TOOL/bin/pip-compile" "${common[@]}" "$@" -o requirements/lock.txt "${srcs[@]}"
# The CPU wheel is versioned 2.13.0+cpu; ==2.13.0 matches it and keeps the file portable.
sed -i -E 's/^torch==([0-9.]+)\+cpu$/torch==\1/' requirements/lock.txt requirements/dev-lock.txt
if grep -q '^nvidia-' requirements/lock.txt requirements/dev-lock.txt; then
    echo "newsbot: the lock resolved the CUDA build of torch (nvidia-* packages); make the" \
         "CPU wheel visible (PIP_FIND_LINKS or the PyTorch CPU index) and run again" >&2
    exit 1
fi
echo "newsbot: wrote requirements/lock.txt and requirements/dev-lock.txt" >&2
