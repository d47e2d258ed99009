#!/usr/bin/env bash
# Run the whole test suite from a fresh checkout: set up .venv, make sure the
# PostgreSQL server is up (the store tests run on SQLite and PostgreSQL),
# lint, then pytest. Extra arguments go to pytest.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bash scripts/bootstrap.sh

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "newsbot: starting PostgreSQL" >&2
    if command -v pg_ctlcluster >/dev/null; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

.venv/bin/ruff check bot tests bench
exec .venv/bin/python -m pytest -q "$@"
