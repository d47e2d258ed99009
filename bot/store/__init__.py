"""The store: everything newsbot keeps, split by aggregate over one database.

Only this package speaks SQL. Each module owns one aggregate and its rules;
a caller reaches the one it needs through :class:`Store`::

    store.feeds       feeds.py      feeds, their polling state, whole polls
    store.articles    articles.py   entries -> articles -> summaries (dedup rules)
    store.chats       chats.py      chats, settings, schedules, pauses, subscriptions
    store.digests     digests.py    unseen stories per chat, digests with their messages
    store.outbox      outbox.py     outgoing messages, send results, chat leases
    store.stats       stats.py      read-only figures for health checks and metrics
    store.stories     stories.py    stories across outlets and their articles
    store.quotas      quotas.py     per-user command quotas (sliding windows)
    store.inbox       inbox.py      platform updates stored before they are confirmed
    store.leases      leases.py     named leases: leader election (PostgreSQL)
    store.jobs        jobs.py       the task engine's jobs beside our rows (PostgreSQL)

They share one :class:`~bot.store.database.Database` (engine, session factory,
migrations in ``migrations/``, tables in ``models.py``). What they accept and
return are domain types (:mod:`bot.domain`, :mod:`bot.records`), never rows.
A new aggregate is a new module with its class, one attribute
here, and its tables in ``models.py`` with an Alembic migration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.errors import StoreUnavailableError
from bot.store.articles import ArticleStore
from bot.store.chats import ChatStore
from bot.store.database import Database, unavailable
from bot.store.digests import DigestStore
from bot.store.feeds import FeedStore
from bot.store.inbox import InboxStore
from bot.store.jobs import JobStore
from bot.store.leases import LeaseStore
from bot.store.outbox import OutboxStore
from bot.store.quotas import QuotaStore
from bot.store.stats import StatsStore
from bot.store.stories import StoryStore


class Store:
    """One database and a repository per aggregate (see the package docstring)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.db = Database(url, echo=echo)
        self.feeds = FeedStore(self.db)
        self.articles = ArticleStore(self.db)
        self.chats = ChatStore(self.db)
        self.digests = DigestStore(self.db)
        self.outbox = OutboxStore(self.db)
        self.stats = StatsStore(self.db)  # read-only figures: health checks, metrics
        self.stories = StoryStore(self.db)
        self.quotas = QuotaStore(self.db)
        self.inbox = InboxStore(self.db)
        self.leases = LeaseStore(self.db)
        self.jobs = JobStore(self.db)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        """A store on ``url``, its schema brought up to date unless ``migrate=False``.

        A database that cannot be opened (nothing listening, no such database,
        an SQLite file in a missing folder, a malformed URL) raises
        :class:`~bot.errors.StoreUnavailableError`: one line naming the URL
        without its password and what to check.
        """
        try:
            store = cls(url)
        except (ArgumentError, ValueError) as exc:
            raise unavailable(url, exc) from None
        try:
            store.db.check_sqlite_folder()
        except StoreUnavailableError:
            await store.close()
            raise
        try:
            if migrate:
                await store.db.migrate()
            else:
                await store.db.ping()
        except (DBAPIError, OSError) as exc:
            await store.close()
            raise unavailable(url, exc) from None
        return store

    async def close(self) -> None:
        await self.db.close()

    @property
    def url(self) -> str:
        return self.db.url

    @property
    def engine(self) -> AsyncEngine:
        return self.db.engine

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A raw transaction, for tests and one-off maintenance; code uses the aggregates."""
        async with self.db.session() as s:
            yield s


__all__ = ["Store"]
