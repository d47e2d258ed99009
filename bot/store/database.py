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
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

T = TypeVar("T")

#: Rows per ``IN (...)`` list: far below every backend's parameter limit.
CHUNK = 500


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
            kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(async_url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing here is far cheaper than
        # letting concurrent transactions spin on busy_timeout.
        self._serialize = asyncio.Lock() if self.dialect == "sqlite" else None

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


__all__ = ["CHUNK", "Database", "chunks", "database_urls"]
