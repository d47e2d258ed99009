"""One database: the engine, the session factory and the schema's migrations.

Every aggregate module of the store (:mod:`.feeds`, :mod:`.articles`,
:mod:`.chats`, :mod:`.digests`, :mod:`.outbox`) works through the one
:class:`Database` it is given, so a newsbot process has one connection pool
whatever the number of repositories. SQLite (default, WAL) and PostgreSQL are
both supported through SQLAlchemy 2's asyncio extension (aiosqlite /
psycopg 3); the schema is created and upgraded by Alembic.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import StoreUnavailableError

T = TypeVar("T")

#: Rows per ``IN (...)`` list: far below every backend's parameter limit.
CHUNK = 500

#: How long to wait for PostgreSQL to answer a new connection (libpq's default
#: is to wait for the operating system, which can be minutes).
CONNECT_TIMEOUT_S = 10

logger = logging.getLogger(__name__)


def database_urls(url: str) -> tuple[str, str]:
    """Return (async_url, sync_url) for a user-facing database URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return (
            parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False),
            parsed.set(drivername="sqlite").render_as_string(hide_password=False),
        )
    if backend in ("postgresql", "postgres"):
        psy = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return psy, psy
    raise ValueError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


class Database:
    """The engine and session factory over SQLite or PostgreSQL."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        async_url, self.sync_url = database_urls(url)
        self.dialect = make_url(async_url).get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True,
                          connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
        self.engine: AsyncEngine = create_async_engine(async_url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing here is far cheaper than
        # letting concurrent transactions spin on busy_timeout.
        self._serialize = asyncio.Lock() if self.dialect == "sqlite" else None

    def configure_sessions(self, **options: Any) -> None:
        """Rebuild the session factory with ``options`` (``async_sessionmaker``'s):
        the task engine gives its own session class (:mod:`bot.store.jobs`)."""
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, **options)

    async def migrate(self) -> None:
        """Bring the schema up to the newest Alembic revision."""
        from bot.store.migrate import alembic_config

        def _upgrade(conn: Any) -> None:
            from alembic import command

            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

        async with self.engine.begin() as conn:
            await conn.run_sync(_upgrade)
        if self.dialect == "sqlite":
            # migrations ran with foreign keys off (migrations/env.py): let no
            # session reuse that connection; new ones get the pragmas again
            await self.engine.dispose()

    def check_sqlite_folder(self) -> None:
        """Raise :class:`StoreUnavailableError` when an SQLite file's folder is
        missing, before any connection is tried (a failed aiosqlite connect
        leaves a worker thread that can report to a loop already closed)."""
        if self.dialect != "sqlite":
            return
        path = make_url(self.url).database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = Path(path).expanduser().parent
            if not folder.is_dir():
                raise StoreUnavailableError(_sqlite_reason(safe_url(self.url), path, "", ""))

    async def ping(self) -> None:
        """Open one connection (raises the driver's error when the database is unreachable)."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self._serialize is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._serialize, self._sessions() as session, session.begin():
            yield session


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


def unavailable(url: str, exc: BaseException) -> StoreUnavailableError:
    """One line for a database that cannot be opened: which (without the
    password), why, and what to check. The traceback goes to the debug log."""
    logger.debug("opening the database %s failed", safe_url(url), exc_info=exc)
    shown = safe_url(url)
    if isinstance(exc, ArgumentError | ValueError) and not isinstance(exc, DBAPIError):
        return StoreUnavailableError(f"database URL {shown} is not valid: {exc}; use "
                                     "sqlite:///path/to/newsbot.db or postgresql://user@host/db")
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    low = str(orig).lower()
    try:
        parsed = make_url(url)
    except ArgumentError:
        return StoreUnavailableError(f"cannot open the database {shown}: {detail}")
    if parsed.get_backend_name() == "sqlite":
        return StoreUnavailableError(_sqlite_reason(shown, parsed.database or "", low, detail))
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if "does not exist" in low and "database" in low:
        reason = (f"the database {parsed.database!r} does not exist on {where}: create it "
                  f"(createdb {parsed.database}) or fix the name in the URL")
    elif "password authentication failed" in low or ("role" in low and "does not exist" in low):
        reason = f"the server at {where} refused the user {parsed.username!r}: check the user name and password"
    elif "could not translate host name" in low or "name or service not known" in low:
        reason = f"the host name {parsed.host!r} is unknown: check the host in the URL"
    elif "timeout" in low or "timed out" in low:
        reason = (f"no answer from {where} within {CONNECT_TIMEOUT_S} s: check the host, the port "
                  "and any firewall between")
    elif "refused" in low or "no such file" in low:
        reason = f"nothing is listening at {where}: check that PostgreSQL is running there"
    else:
        reason = detail
    return StoreUnavailableError(f"cannot open the database {shown}: {reason}")


def _sqlite_reason(shown: str, path: str, low: str, detail: str) -> str:
    folder = Path(path).expanduser().parent if path and path != ":memory:" else None
    if folder is not None and not folder.is_dir():
        return (f"cannot open the SQLite database {shown}: the folder {folder} does not exist; "
                "create it or point the URL at an existing folder")
    if "not a database" in low:
        return f"cannot open the SQLite database {shown}: {path} is not an SQLite database file"
    if "unable to open" in low or "readonly" in low or "permission" in low:
        return (f"cannot open the SQLite database {shown}: {detail}; check that the file and "
                "its folder are writable by this user")
    return f"cannot open the SQLite database {shown}: {detail}"
def insert_or_ignore(s: AsyncSession, table: Any, *conflict: str) -> Any:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` in the session's dialect.

    The create-or-get of every aggregate is built on it: a row another
    transaction created first is not an error, on PostgreSQL (which waits for
    that transaction, then skips the row) as on SQLite. Add ``.values(...)``
    and ``.returning(...)``; a row that was skipped returns nothing, so the
    caller reads the existing one afterwards. Callers run it in a savepoint of
    its own (``async with s.begin_nested()``), so whatever else goes wrong
    with the statement never poisons the caller's transaction.
    """
    target: Table = table if isinstance(table, Table) else table.__table__
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(target).on_conflict_do_nothing(index_elements=list(conflict))


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


__all__ = ["CHUNK", "Database", "chunks", "database_urls", "insert_or_ignore", "safe_url",
           "unavailable"]
