"""Operator maintenance: schema revisions, explicit upgrades and SQLite backups.

``newsbot db upgrade`` and ``newsbot db backup`` use these. A backup goes
through SQLite's online backup API (``sqlite3.Connection.backup``), which
copies a consistent snapshot page by page while other connections keep
writing, unlike copying the file (which can catch a half-written page, or miss
what is still in the ``-wal`` file). PostgreSQL is backed up with ``pg_dump``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import NewsbotError
from bot.store.database import Database


def head_revision() -> str:
    """The newest migration this version of newsbot ships."""
    from alembic.script import ScriptDirectory

    from bot.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise NewsbotError("no database migrations found in this installation")
    return head


async def schema_revisions(url: str) -> tuple[str | None, str]:
    """(the database's schema revision, or None for an empty database; the head)."""

    def _current(conn: Any) -> str | None:
        from alembic.runtime.migration import MigrationContext

        rev: str | None = MigrationContext.configure(conn).get_current_revision()
        return rev

    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            current = await conn.run_sync(_current)
    except SQLAlchemyError as exc:
        raise _one_line(url, exc) from None
    finally:
        await db.close()
    return current, head_revision()


async def upgrade(url: str) -> None:
    """Apply every pending migration."""
    db = Database(url)
    try:
        await db.migrate()
    except SQLAlchemyError as exc:
        raise _one_line(url, exc) from None
    finally:
        await db.close()


def default_backup_path(database: Path, now: datetime | None = None) -> Path:
    """``backups/<name>-<UTC time>.db`` beside the database file."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return database.parent / "backups" / f"{database.stem}-{stamp}{database.suffix or '.db'}"


def backup_sqlite(source: Path, dest: Path) -> int:
    """Copy ``source`` to ``dest`` with the online backup API; return the copy's size.

    The copy is written to a temporary name and renamed when complete and checked,
    so ``dest`` is never a partial file. An existing ``dest`` is refused."""
    if not source.is_file():  # sqlite3.connect would create an empty one
        raise NewsbotError(f"{source}: no such database file")
    if dest.exists():
        raise NewsbotError(f"{dest}: already exists; give another file name")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsbotError(f"{dest.parent}: {exc.strerror}") from None
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=30)
        try:
            out = sqlite3.connect(partial)
            try:
                src.backup(out)
                ok = out.execute("PRAGMA quick_check").fetchone()
            finally:
                out.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise NewsbotError(f"backup of {source} failed: {exc}") from None
    if not ok or ok[0] != "ok":
        partial.unlink(missing_ok=True)
        raise NewsbotError(f"backup of {source} failed its integrity check: {ok}")
    partial.replace(dest)
    return dest.stat().st_size


def _one_line(url: str, exc: SQLAlchemyError) -> NewsbotError:
    from bot.settings import redact_url

    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return NewsbotError(f"database {redact_url(url)}: {first}")


__all__ = ["backup_sqlite", "default_backup_path", "head_revision", "schema_revisions", "upgrade"]
