"""The store: every read and write newsbot makes, as async methods on domain objects.

SQLite (default, WAL) and PostgreSQL are both supported through SQLAlchemy 2's
asyncio extension (aiosqlite / psycopg 3). The schema is created and upgraded by
Alembic at :meth:`Store.open`.

Deduplication lives here because it is a property of what is stored:
- an entry is new to a feed only if ``(feed, guid)`` is unseen;
- an article is one row per canonical URL, shared by every feed that carries it;
- a summary is one row per content fingerprint, shared by every article whose
  extracted text is the same; an article whose text matches an already-ready
  article becomes a ``duplicate`` of it and is never shown twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    delete,
    event,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.domain import (
    Article,
    ChatInfo,
    ChatKind,
    ChatRef,
    ChatSettings,
    FeedInfo,
    Quote,
    Schedule,
    Summary,
)
from bot.errors import NotFoundError
from bot.store.models import (
    ArticleRow,
    ChatArticleRow,
    ChatRow,
    DeliveryRow,
    DigestRow,
    FeedEntryRow,
    FeedRow,
    SubscriptionRow,
    SummaryRow,
)

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


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


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """A feed entry as the store needs it."""

    guid: str
    url: str
    canonical_url: str
    title: str | None
    published: datetime | None
    author: str | None = None
    feed_text: str | None = None


@dataclass(frozen=True, slots=True)
class PollWrite:
    """One successful poll to store: the feed's entries and its fetch state
    (keyword arguments of ``record_fetch_ok``)."""

    feed_id: int
    entries: tuple[EntryRecord, ...]
    fetch_ok: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PendingArticle:
    """An article waiting for its page to be fetched, extracted and summarized."""

    id: int
    url: str
    title: str | None
    author: str | None
    published: datetime | None
    feed_text: str | None
    attempts: int
    source: str | None


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A ready article with its summary, as digest building reads it."""

    article_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    ingested_at: datetime
    text_length: int
    summary: Summary


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    chat: ChatRef
    chat_kind: ChatKind
    digest_id: int | None
    part: int
    idempotency_key: str
    payload: dict[str, Any]
    attempts: int
    chat_id: int = 0  # the chat's row id (stable across a chat migration)


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    sent: int
    failed: int
    failures: tuple[tuple[str, str, str], ...]  # (chat, idempotency key, last error)


def _quote_to_json(q: Quote) -> dict[str, Any]:
    return {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end}


def _quote_from_json(d: dict[str, Any]) -> Quote:
    return Quote(text=d["text"], speaker=d.get("speaker"), start=int(d["start"]), end=int(d["end"]))


def summary_from_row(row: SummaryRow) -> Summary:
    return Summary(
        key_points=tuple(row.key_points),
        quotes=tuple(_quote_from_json(q) for q in row.quotes),
        key_quotes=tuple(_quote_from_json(q) for q in row.key_quotes),
        engine=row.engine,
        language=row.language,
    )


def _feed_info(row: FeedRow) -> FeedInfo:
    return FeedInfo(
        id=row.id,
        url=row.url,
        title=row.title,
        site_url=row.site_url,
        active=row.active,
        last_fetched_at=row.last_fetched_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
        item_count=row.item_count,
        next_poll_at=row.next_poll_at,
        etag=row.etag,
        last_modified=row.last_modified,
        poll_interval_s=row.poll_interval_s,
    )


def _settings_from_json(data: dict[str, Any] | None) -> ChatSettings:
    data = data or {}
    known = {k: v for k, v in data.items() if k in ChatSettings.__dataclass_fields__}
    return ChatSettings(**known)


def _chat_info(row: ChatRow) -> ChatInfo:
    return ChatInfo(
        id=row.id,
        ref=ChatRef(row.platform, row.external_id),  # type: ignore[arg-type]
        kind=row.kind,  # type: ignore[arg-type]
        title=row.title,
        active=row.active,
        inactive_reason=row.inactive_reason,
        settings=_settings_from_json(row.settings),
        schedule=Schedule(
            mode=row.schedule_mode,  # type: ignore[arg-type]
            hour=row.schedule_hour,
            minute=row.schedule_minute,
            timezone=row.timezone,
        ),
        last_digest_at=row.last_digest_at,
    )


class Store:
    """Async repository over SQLite or PostgreSQL."""

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

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Store:
        store = cls(url)
        if migrate:
            await store.migrate()
        return store

    async def migrate(self) -> None:
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
        if self._serialize is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._serialize, self._sessions() as session, session.begin():
            yield session

    # ------------------------------------------------------------------ feeds

    async def add_feed(
        self, url: str, title: str | None = None, site_url: str | None = None
    ) -> tuple[FeedInfo, bool]:
        """Add a feed (or return the existing one). Returns (feed, created)."""
        async with self.session() as s:
            row = await s.scalar(select(FeedRow).where(FeedRow.url == url))
            if row is not None:
                if not row.active:
                    row.active = True
                    row.consecutive_failures = 0
                    row.next_poll_at = utcnow()
                return _feed_info(row), False
            row = FeedRow(
                url=url,
                title=title,
                site_url=site_url,
                active=True,
                created_at=utcnow(),
                next_poll_at=utcnow(),
                consecutive_failures=0,
                total_failures=0,
                item_count=0,
            )
            s.add(row)
            await s.flush()
            return _feed_info(row), True

    async def get_feed(self, feed_id: int) -> FeedInfo | None:
        async with self.session() as s:
            row = await s.get(FeedRow, feed_id)
            return _feed_info(row) if row else None

    async def find_feed(self, url_or_id: str) -> FeedInfo | None:
        """Find a feed by id, exact URL, or site URL."""
        async with self.session() as s:
            if url_or_id.isdigit():
                row = await s.get(FeedRow, int(url_or_id))
                if row:
                    return _feed_info(row)
            row = await s.scalar(
                select(FeedRow)
                .where(or_(FeedRow.url == url_or_id, FeedRow.site_url == url_or_id))
                .order_by(FeedRow.id)
                .limit(1)
            )
            return _feed_info(row) if row else None

    async def list_feeds(self, active_only: bool = False) -> list[FeedInfo]:
        async with self.session() as s:
            q = select(FeedRow).order_by(FeedRow.id)
            if active_only:
                q = q.where(FeedRow.active.is_(True))
            return [_feed_info(r) for r in await s.scalars(q)]

    async def remove_feed(self, feed_id: int) -> bool:
        async with self.session() as s:
            result = await s.execute(delete(FeedRow).where(FeedRow.id == feed_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def due_feeds(self, now: datetime, limit: int | None = None) -> list[FeedInfo]:
        """Active feeds whose next poll time has come, most overdue first."""
        async with self.session() as s:
            q = (
                select(FeedRow)
                .where(FeedRow.active.is_(True))
                .where(or_(FeedRow.next_poll_at.is_(None), FeedRow.next_poll_at <= now))
                .order_by(FeedRow.next_poll_at)
            )
            if limit:
                q = q.limit(limit)
            return [_feed_info(r) for r in await s.scalars(q)]

    async def record_fetch_ok(self, feed_id: int, **fetch_ok: Any) -> None:
        """Record a successful poll (see ``_fetch_ok_values`` for the arguments)."""
        async with self.session() as s:
            await s.execute(
                update(FeedRow).where(FeedRow.id == feed_id).values(**_fetch_ok_values(**fetch_ok))
            )

    async def record_fetch_error(
        self, feed_id: int, *, fetched_at: datetime, error: str, next_poll_at: datetime
    ) -> int:
        """Count a failed poll; return the number of consecutive failures."""
        async with self.session() as s:
            row = await s.get(FeedRow, feed_id)
            if row is None:
                raise NotFoundError(f"feed {feed_id} does not exist")
            row.last_fetched_at = fetched_at
            row.last_error = error[:2000]
            row.consecutive_failures += 1
            row.total_failures += 1
            row.next_poll_at = next_poll_at
            return row.consecutive_failures

    async def set_feed_active(self, feed_id: int, active: bool) -> None:
        async with self.session() as s:
            values: dict[str, Any] = {"active": active}
            if active:
                values.update(consecutive_failures=0, next_poll_at=utcnow())
            await s.execute(update(FeedRow).where(FeedRow.id == feed_id).values(**values))

    # --------------------------------------------------------------- articles

    async def add_entries(self, feed_id: int, entries: Sequence[EntryRecord]) -> list[int]:
        """Store a feed's entries, deduplicated. Returns ids of articles that are new.

        An entry whose GUID this feed already had is skipped. An entry whose
        canonical URL another feed already brought links to that article
        instead of creating a second one.
        """
        async with self.session() as s:
            return (await self._insert_entries(s, [(feed_id, entries)]))[feed_id]

    async def save_poll(
        self, feed_id: int, entries: Sequence[EntryRecord], **fetch_ok: Any
    ) -> list[int]:
        """``add_entries`` and ``record_fetch_ok`` in one transaction (one poll)."""
        return (await self.save_polls([PollWrite(feed_id, tuple(entries), fetch_ok)]))[feed_id]

    async def save_polls(self, polls: Sequence[PollWrite]) -> dict[int, list[int]]:
        """Store many successful polls in one transaction with a handful of
        statements, whatever the number of feeds: a poll cycle over thousands
        of feeds is bounded by fetching, not by database round trips.
        Returns, per feed, the ids of articles that are new."""
        if not polls:
            return {}
        async with self.session() as s:
            new_by_feed = await self._insert_entries(s, [(p.feed_id, p.entries) for p in polls])
            # Fetch state: one executemany per shape of row (a 304 keeps its
            # validators, so it sets fewer columns than a full fetch).
            shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for p in polls:
                values = _fetch_ok_values(**p.fetch_ok)
                shapes.setdefault(tuple(sorted(values)), []).append({"id": p.feed_id, **values})
            for rows in shapes.values():
                await s.execute(update(FeedRow), rows)
        return new_by_feed

    async def _insert_entries(
        self, s: AsyncSession, batches: Sequence[tuple[int, Sequence[EntryRecord]]]
    ) -> dict[int, list[int]]:
        """Deduplicate and insert entries of several feeds with set queries and
        bulk inserts; keep each feed's item count. Returns new article ids per feed."""
        now = utcnow()
        new_by_feed: dict[int, list[int]] = {fid: [] for fid, _ in batches}
        # keyed by (feed, GUID): also dedupes GUIDs repeated within one feed
        wanted = {(fid, e.guid): e for fid, entries in batches for e in entries}
        if not wanted:
            return new_by_feed
        known: set[tuple[int, str]] = set()
        for chunk in _chunks(list(wanted), 500):
            rows = await s.execute(
                select(FeedEntryRow.feed_id, FeedEntryRow.guid).where(
                    tuple_(FeedEntryRow.feed_id, FeedEntryRow.guid).in_(chunk)
                )
            )
            known.update((fid, guid) for fid, guid in rows.all())
        fresh = [(fid, e) for (fid, guid), e in wanted.items() if (fid, guid) not in known]
        if not fresh:
            return new_by_feed
        existing: dict[str, int] = {}
        for chunk in _chunks(list({e.canonical_url for _, e in fresh}), 500):
            found = await s.execute(
                select(ArticleRow.canonical_url, ArticleRow.id).where(ArticleRow.canonical_url.in_(chunk))
            )
            existing.update((url, aid) for url, aid in found.all())
        to_create: dict[str, tuple[int, EntryRecord]] = {}
        for fid, e in fresh:
            if e.canonical_url not in existing:
                to_create.setdefault(e.canonical_url, (fid, e))
        if to_create:
            created = await s.execute(
                insert(ArticleRow).returning(ArticleRow.id, ArticleRow.canonical_url),
                [_article_values(e, now) for _, e in to_create.values()],
            )
            for aid, url in created.all():
                existing[url] = aid
                new_by_feed[to_create[url][0]].append(aid)
        await s.execute(
            insert(FeedEntryRow),
            [
                {"feed_id": fid, "article_id": existing[e.canonical_url], "guid": e.guid,
                 "published": e.published, "seen_at": now}
                for fid, e in fresh
            ],
        )
        for chunk in _chunks(sorted({fid for fid, _ in fresh}), 500):
            await s.execute(
                update(FeedRow)
                .where(FeedRow.id.in_(chunk))
                .values(
                    item_count=select(func.count())
                    .where(FeedEntryRow.feed_id == FeedRow.id)
                    .scalar_subquery()
                )
                .execution_options(synchronize_session=False)
            )
        for ids in new_by_feed.values():
            ids.sort()
        return new_by_feed

    async def pending_articles(self, limit: int = 50, max_attempts: int = 3) -> list[PendingArticle]:
        async with self.session() as s:
            source = (
                select(func.coalesce(FeedRow.title, FeedRow.url))
                .join(FeedEntryRow, FeedEntryRow.feed_id == FeedRow.id)
                .where(FeedEntryRow.article_id == ArticleRow.id)
                .order_by(FeedEntryRow.id)
                .limit(1)
                .scalar_subquery()
            )
            rows = (
                await s.execute(
                    select(ArticleRow, source)
                    .where(ArticleRow.status == "pending", ArticleRow.attempts < max_attempts)
                    .order_by(ArticleRow.id)
                    .limit(limit)
                )
            ).all()
            return [
                PendingArticle(
                    id=a.id,
                    url=a.url,
                    title=a.title,
                    author=a.author,
                    published=a.published,
                    feed_text=a.feed_text,
                    attempts=a.attempts,
                    source=src,
                )
                for a, src in rows
            ]

    async def save_article(self, article_id: int, article: Article, summary: Summary | None) -> str:
        """Store an extracted article (and its summary, unless one exists for the
        same fingerprint). Returns the article's new status: ``ready`` or
        ``duplicate`` when an already-ready article has the same content."""
        now = utcnow()
        async with self.session() as s:
            row = await s.get(ArticleRow, article_id)
            if row is None:
                raise NotFoundError(f"article {article_id} does not exist")
            twin = await s.scalar(
                select(ArticleRow.id).where(
                    ArticleRow.fingerprint == article.fingerprint,
                    ArticleRow.status == "ready",
                    ArticleRow.id != article_id,
                ).limit(1)
            )
            row.title = article.title or row.title
            row.text = article.text
            row.author = article.author or row.author
            row.published = row.published or article.published
            row.language = article.language
            row.site_name = article.site_name
            row.fingerprint = article.fingerprint
            row.extraction_note = article.extraction_note
            row.processed_at = now
            row.attempts += 1
            if twin is not None:
                row.status, row.duplicate_of = "duplicate", twin
            else:
                row.status = "ready"
            if summary is not None:
                await self._put_summary(s, article.fingerprint, summary)
            return row.status

    async def mark_article_failed(self, article_id: int, reason: str, *, final: bool) -> None:
        async with self.session() as s:
            row = await s.get(ArticleRow, article_id)
            if row is None:
                return
            row.attempts += 1
            row.extraction_note = reason[:2000]
            if final:
                row.status = "failed"
                row.processed_at = utcnow()

    async def get_summary(self, fingerprint: str) -> Summary | None:
        async with self.session() as s:
            row = await s.get(SummaryRow, fingerprint)
            return summary_from_row(row) if row else None

    async def put_summary(self, fingerprint: str, summary: Summary) -> None:
        async with self.session() as s:
            await self._put_summary(s, fingerprint, summary)

    async def _put_summary(self, s: AsyncSession, fingerprint: str, summary: Summary) -> None:
        if await s.get(SummaryRow, fingerprint) is not None:
            return
        s.add(
            SummaryRow(
                fingerprint=fingerprint,
                engine=summary.engine,
                language=summary.language,
                key_points=list(summary.key_points),
                quotes=[_quote_to_json(q) for q in summary.quotes],
                key_quotes=[_quote_to_json(q) for q in summary.key_quotes],
                created_at=utcnow(),
            )
        )

    async def article_counts(self) -> dict[str, int]:
        async with self.session() as s:
            rows = await s.execute(select(ArticleRow.status, func.count()).group_by(ArticleRow.status))
            return {status: n for status, n in rows}

    # ------------------------------------------------------------------ chats

    async def upsert_chat(
        self, ref: ChatRef, kind: ChatKind = "private", title: str | None = None
    ) -> ChatInfo:
        async with self.session() as s:
            row = await self._chat_row(s, ref)
            if row is None:
                row = ChatRow(
                    platform=ref.platform,
                    external_id=ref.external_id,
                    kind=kind,
                    title=title,
                    settings={},
                    active=True,
                    schedule_mode="off",
                    schedule_hour=8,
                    schedule_minute=0,
                    created_at=utcnow(),
                )
                s.add(row)
                try:
                    async with s.begin_nested():
                        await s.flush()
                except IntegrityError:  # created concurrently
                    row = await self._chat_row(s, ref)
                    assert row is not None
            else:
                if title and row.title != title:
                    row.title = title
                if kind != row.kind:
                    row.kind = kind
            return _chat_info(row)

    async def get_chat(self, ref: ChatRef) -> ChatInfo | None:
        async with self.session() as s:
            row = await self._chat_row(s, ref)
            return _chat_info(row) if row else None

    async def list_chats(self, active_only: bool = True) -> list[ChatInfo]:
        async with self.session() as s:
            q = select(ChatRow).order_by(ChatRow.id)
            if active_only:
                q = q.where(ChatRow.active.is_(True))
            return [_chat_info(r) for r in await s.scalars(q)]

    async def _chat_row(self, s: AsyncSession, ref: ChatRef) -> ChatRow | None:
        return await s.scalar(
            select(ChatRow).where(
                ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id
            )
        )

    async def _require_chat(self, s: AsyncSession, ref: ChatRef) -> ChatRow:
        row = await self._chat_row(s, ref)
        if row is None:
            raise NotFoundError(f"unknown chat {ref}")
        return row

    async def update_chat_settings(self, ref: ChatRef, settings: ChatSettings) -> ChatInfo:
        async with self.session() as s:
            row = await self._require_chat(s, ref)
            row.settings = {
                "key_points": settings.key_points,
                "show_quotes": settings.show_quotes,
                "one_message_per_story": settings.one_message_per_story,
                "max_stories": settings.max_stories,
            }
            return _chat_info(row)

    async def set_schedule(self, ref: ChatRef, schedule: Schedule) -> ChatInfo:
        async with self.session() as s:
            row = await self._require_chat(s, ref)
            row.schedule_mode = schedule.mode
            row.schedule_hour = schedule.hour
            row.schedule_minute = schedule.minute
            if schedule.timezone:
                row.timezone = schedule.timezone
            return _chat_info(row)

    async def set_chat_active(self, ref: ChatRef, active: bool, reason: str | None = None) -> None:
        async with self.session() as s:
            row = await self._chat_row(s, ref)
            if row is None:
                return
            row.active = active
            row.inactive_reason = None if active else reason

    async def migrate_chat(self, ref: ChatRef, new_external_id: str) -> None:
        """Move a chat to its new id (Telegram group -> supergroup), keeping everything."""
        async with self.session() as s:
            row = await self._require_chat(s, ref)
            clash = await self._chat_row(s, ChatRef(ref.platform, new_external_id))
            if clash is not None and clash.id != row.id:
                await s.delete(clash)
                await s.flush()
            row.external_id = new_external_id

    # ---------------------------------------------------------- subscriptions

    async def subscribe(self, ref: ChatRef, feed_id: int) -> bool:
        """Subscribe a chat to a feed; False when it already was."""
        async with self.session() as s:
            chat = await self._require_chat(s, ref)
            found = await s.scalar(
                select(SubscriptionRow.id).where(
                    SubscriptionRow.chat_id == chat.id, SubscriptionRow.feed_id == feed_id
                )
            )
            if found is not None:
                return False
            s.add(SubscriptionRow(chat_id=chat.id, feed_id=feed_id, created_at=utcnow()))
            return True

    async def unsubscribe(self, ref: ChatRef, feed_id: int) -> bool:
        async with self.session() as s:
            chat = await self._chat_row(s, ref)
            if chat is None:
                return False
            result = await s.execute(
                delete(SubscriptionRow).where(
                    SubscriptionRow.chat_id == chat.id, SubscriptionRow.feed_id == feed_id
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def subscriptions(self, ref: ChatRef) -> list[FeedInfo]:
        async with self.session() as s:
            rows = await s.scalars(
                select(FeedRow)
                .join(SubscriptionRow, SubscriptionRow.feed_id == FeedRow.id)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id)
                .order_by(SubscriptionRow.id)
            )
            return [_feed_info(r) for r in rows]

    async def subscribers(self, feed_id: int, active_only: bool = True) -> list[ChatInfo]:
        async with self.session() as s:
            q = (
                select(ChatRow)
                .join(SubscriptionRow, SubscriptionRow.chat_id == ChatRow.id)
                .where(SubscriptionRow.feed_id == feed_id)
                .order_by(ChatRow.id)
            )
            if active_only:
                q = q.where(ChatRow.active.is_(True))
            return [_chat_info(r) for r in await s.scalars(q)]

    async def feeds_with_subscribers(self) -> set[int]:
        async with self.session() as s:
            return set(await s.scalars(select(SubscriptionRow.feed_id).distinct()))

    # ---------------------------------------------------------------- stories

    async def unseen_stories(
        self,
        ref: ChatRef,
        *,
        since: datetime | None = None,
        backlog: timedelta = timedelta(days=2),
        limit: int = 200,
    ) -> list[StoryRecord]:
        """Ready stories from the chat's feeds that the chat has not been given.

        Without ``since``, a story counts when it was ingested after the
        subscription was made, minus ``backlog`` (so a new subscriber gets the
        recent news at once rather than nothing or the whole archive).
        """
        async with self.session() as s:
            chat = await self._require_chat(s, ref)
            sub_since = SubscriptionRow.created_at - backlog if since is None else None
            conds = [
                SubscriptionRow.chat_id == chat.id,
                ArticleRow.status == "ready",
                ~exists().where(
                    and_(
                        ChatArticleRow.chat_id == chat.id,
                        ChatArticleRow.article_id == ArticleRow.id,
                    )
                ),
            ]
            if since is not None:
                conds.append(ArticleRow.ingested_at >= since)
            q = (
                select(ArticleRow, SummaryRow, func.min(func.coalesce(FeedRow.title, FeedRow.url)))
                .join(FeedEntryRow, FeedEntryRow.article_id == ArticleRow.id)
                .join(FeedRow, FeedRow.id == FeedEntryRow.feed_id)
                .join(SubscriptionRow, SubscriptionRow.feed_id == FeedRow.id)
                .join(SummaryRow, SummaryRow.fingerprint == ArticleRow.fingerprint)
                .where(*conds)
                .group_by(ArticleRow.id, SummaryRow.fingerprint)
                .order_by(ArticleRow.ingested_at.desc(), ArticleRow.id.desc())
                .limit(limit)
            )
            if sub_since is not None:
                # python-side filter below needs the subscription time; keep SQL portable
                q = q.add_columns(func.min(SubscriptionRow.created_at))
            rows = (await s.execute(q)).all()
            out: list[StoryRecord] = []
            for row in rows:
                art, summ, source = row[0], row[1], row[2]
                if sub_since is not None:
                    sub_created: datetime = row[3]  # type: ignore[misc]
                    if sub_created.tzinfo is None:
                        sub_created = sub_created.replace(tzinfo=UTC)
                    if art.ingested_at < sub_created - backlog:
                        continue
                out.append(
                    StoryRecord(
                        article_id=art.id,
                        title=art.title or art.url,
                        url=art.url,
                        source=art.site_name or source or "",
                        published=art.published,
                        ingested_at=art.ingested_at,
                        text_length=len(art.text or ""),
                        summary=summary_from_row(summ),
                    )
                )
            return out

    async def chats_for_articles(self, article_ids: Iterable[int]) -> list[ChatInfo]:
        """Active chats subscribed to a feed that carries any of these articles."""
        ids = list(article_ids)
        if not ids:
            return []
        async with self.session() as s:
            # DISTINCT over ids, not rows: PostgreSQL cannot compare the JSON settings column
            chat_ids = (
                select(SubscriptionRow.chat_id)
                .join(FeedEntryRow, FeedEntryRow.feed_id == SubscriptionRow.feed_id)
                .where(FeedEntryRow.article_id.in_(ids))
            )
            rows = await s.scalars(
                select(ChatRow)
                .where(ChatRow.id.in_(chat_ids), ChatRow.active.is_(True))
                .order_by(ChatRow.id)
            )
            return [_chat_info(r) for r in rows]

    # ---------------------------------------------------------- digests/outbox

    async def create_digest(
        self,
        ref: ChatRef,
        article_ids: Sequence[int],
        payloads: Sequence[dict[str, Any]],
        *,
        slot: str | None = None,
    ) -> int | None:
        """Persist a digest, mark its stories as given to the chat, and queue one
        outbox row per message, all in one transaction, before anything is sent.

        Returns the digest id, or None when ``slot`` was already built (the
        scheduler fired twice: nothing is created).
        """
        now = utcnow()
        async with self.session() as s:
            chat = await self._require_chat(s, ref)
            digest = DigestRow(chat_id=chat.id, slot=slot, story_count=len(article_ids), created_at=now)
            s.add(digest)
            try:
                async with s.begin_nested():
                    await s.flush()
            except IntegrityError:
                return None
            already = set(
                await s.scalars(
                    select(ChatArticleRow.article_id).where(
                        ChatArticleRow.chat_id == chat.id,
                        ChatArticleRow.article_id.in_(list(article_ids)),
                    )
                )
            )
            for article_id in dict.fromkeys(article_ids):
                if article_id not in already:
                    s.add(ChatArticleRow(chat_id=chat.id, article_id=article_id, digest_id=digest.id))
            prefix = f"{ref.platform}:{ref.external_id}:{digest.id}"
            s.add_all(_outbox_rows(chat.id, digest.id, prefix, payloads, now))
            chat.last_digest_at = now
            return digest.id

    async def queue_message(
        self, ref: ChatRef, payloads: Sequence[dict[str, Any]], *, key: str
    ) -> bool:
        """Queue a plain (non-digest) message in the outbox: one row per payload,
        ``digest_id`` NULL, idempotency keys ``platform:chat:msg:<key>:<part>``.

        Returns False (and queues nothing) when a message with this key was
        already queued, so a caller that may run twice tells a chat once.
        """
        now = utcnow()
        async with self.session() as s:
            chat = await self._require_chat(s, ref)
            prefix = f"{ref.platform}:{ref.external_id}:msg:{key}"
            try:
                async with s.begin_nested():
                    s.add_all(_outbox_rows(chat.id, None, prefix, payloads, now))
                    await s.flush()
            except IntegrityError:
                return False
            return True

    @staticmethod
    def _no_earlier_pending(waiting_after: datetime | None = None) -> Any:
        """A chat's messages go out in the order they were queued.

        Without ``waiting_after``: the row is the head of its chat's queue (no
        earlier pending row). With it: no earlier pending row of the chat is
        still waiting (due after ``waiting_after``), so every row returned can
        be sent now, in id order, without overtaking one held back for a retry.
        """
        earlier = DeliveryRow.__table__.alias("earlier")
        conds = [
            earlier.c.chat_id == DeliveryRow.chat_id,
            earlier.c.status == "pending",
            earlier.c.id < DeliveryRow.id,
        ]
        if waiting_after is not None:
            conds.append(earlier.c.next_attempt_at > waiting_after)
        return ~exists().where(*conds)

    async def due_deliveries(
        self,
        now: datetime,
        limit: int = 500,
        *,
        exclude_chats: Iterable[int] = (),
        only_chats: Iterable[int] | None = None,
        worker: str | None = None,
    ) -> list[OutboxItem]:
        """Unsent outbox rows whose time has come, oldest first, for active chats.

        A row is returned only when no earlier row of its chat is still waiting
        (for a retry or a rate limit), so part 1 never overtakes part 0; the
        rows of one chat come in the order they must be sent. ``exclude_chats``
        (chat row ids) skips chats the caller is already sending to;
        ``only_chats`` restricts the result to those chats. Chats another
        outbox worker holds a live lease on are skipped: every one when
        ``worker`` is None, every one but ``worker``'s own otherwise.
        """
        excluded = list(exclude_chats)
        async with self.session() as s:
            q = (
                select(DeliveryRow, ChatRow)
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(
                    DeliveryRow.status == "pending",
                    ChatRow.active.is_(True),
                    or_(DeliveryRow.next_attempt_at.is_(None), DeliveryRow.next_attempt_at <= now),
                    self._no_earlier_pending(now),
                    self._lease_free(now, worker),
                )
                .order_by(DeliveryRow.id)
                .limit(limit)
            )
            if excluded:
                q = q.where(DeliveryRow.chat_id.not_in(excluded))
            if only_chats is not None:
                q = q.where(DeliveryRow.chat_id.in_(list(only_chats)))
            rows = await s.execute(q)
            return [
                OutboxItem(
                    id=d.id,
                    chat=ChatRef(c.platform, c.external_id),  # type: ignore[arg-type]
                    chat_kind=c.kind,  # type: ignore[arg-type]
                    digest_id=d.digest_id,
                    part=d.part,
                    idempotency_key=d.idempotency_key,
                    payload=d.payload,
                    attempts=d.attempts,
                    chat_id=c.id,
                )
                for d, c in rows
            ]

    async def next_delivery_time(
        self, now: datetime | None = None, *, worker: str | None = None
    ) -> datetime | None:
        """When the earliest chat-queue head becomes due (None: nothing pending).

        A chat another worker holds a live lease on (see :meth:`due_deliveries`
        for ``worker``) counts as due when that lease expires, so a worker does
        not poll for rows someone else is sending.
        """
        now = now or utcnow()
        due_at = case(
            (self._lease_free(now, worker), DeliveryRow.next_attempt_at),
            else_=ChatRow.lease_until,
        )
        async with self.session() as s:
            return await s.scalar(
                select(func.min(due_at))
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(
                    DeliveryRow.status == "pending",
                    ChatRow.active.is_(True),
                    self._no_earlier_pending(),
                )
            )

    # ---------------------------------------------------- chat delivery leases

    @staticmethod
    def _lease_free(now: datetime, worker: str | None) -> Any:
        """No live lease of another worker on the chat: it is unclaimed, its
        lease has expired, or (``worker`` given) the lease is ``worker``'s."""
        conds = [ChatRow.lease_holder.is_(None), ChatRow.lease_until.is_(None),
                 ChatRow.lease_until <= now]
        if worker is not None:
            conds.append(ChatRow.lease_holder == worker)
        return or_(*conds)

    async def claim_chats(
        self, chat_ids: Iterable[int], worker: str, *, now: datetime, until: datetime
    ) -> set[int]:
        """Take the delivery lease on chats for ``worker`` until ``until``;
        return the ids of the chats it now holds.

        One conditional UPDATE (per 500 chats): a chat is taken only when its
        lease is free for ``worker`` (unclaimed, expired or already its own).
        The database re-checks that condition on the row it locks, so of two
        workers racing for a chat exactly one gets it, on SQLite and PostgreSQL.
        """
        claimed: set[int] = set()
        async with self.session() as s:
            for chunk in _chunks(sorted(set(chat_ids)), 500):
                rows = await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), self._lease_free(now, worker))
                    .values(lease_holder=worker, lease_until=until)
                    .returning(ChatRow.id)
                    .execution_options(synchronize_session=False)
                )
                claimed.update(rows.scalars())
        return claimed

    async def renew_chat_leases(
        self, chat_ids: Iterable[int], worker: str, *, until: datetime
    ) -> set[int]:
        """Extend ``worker``'s leases on these chats to ``until``; return the
        chats it still holds (not one another worker took over meanwhile)."""
        renewed: set[int] = set()
        async with self.session() as s:
            for chunk in _chunks(sorted(set(chat_ids)), 500):
                rows = await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), ChatRow.lease_holder == worker)
                    .values(lease_until=until)
                    .returning(ChatRow.id)
                    .execution_options(synchronize_session=False)
                )
                renewed.update(rows.scalars())
        return renewed

    async def release_chats(self, chat_ids: Iterable[int], worker: str) -> None:
        """Give up ``worker``'s leases on these chats (others' are left alone)."""
        async with self.session() as s:
            for chunk in _chunks(sorted(set(chat_ids)), 500):
                await s.execute(
                    update(ChatRow)
                    .where(ChatRow.id.in_(chunk), ChatRow.lease_holder == worker)
                    .values(lease_holder=None, lease_until=None)
                    .execution_options(synchronize_session=False)
                )

    async def mark_sent(self, delivery_id: int, message_id: str | None) -> None:
        async with self.session() as s:
            await s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(status="sent", sent_at=utcnow(), platform_message_id=message_id,
                        attempts=DeliveryRow.attempts + 1, last_error=None)
            )

    async def mark_sent_many(self, marks: Sequence[tuple[int, str | None]]) -> None:
        """Mark several deliveries sent in one transaction (the outbox's group
        commit: under load one commit covers every send that finished while
        the previous commit ran, instead of each waiting for the write lock)."""
        if not marks:
            return
        table = cast(Table, DeliveryRow.__table__)
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(status="sent", sent_at=utcnow(), platform_message_id=bindparam("b_msg"),
                    attempts=table.c.attempts + 1, last_error=None)
        )
        async with self.session() as s:
            await s.execute(stmt, [{"b_id": i, "b_msg": m} for i, m in marks])

    async def mark_retry(
        self, delivery_id: int, *, next_attempt_at: datetime, error: str, count_attempt: bool = True
    ) -> None:
        async with self.session() as s:
            values: dict[str, Any] = {"next_attempt_at": next_attempt_at, "last_error": error[:2000]}
            if count_attempt:
                values["attempts"] = DeliveryRow.attempts + 1
            await s.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        async with self.session() as s:
            await s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id)
                .values(status="failed", last_error=error[:2000], attempts=DeliveryRow.attempts + 1)
            )

    async def outbox_status(self, limit_failures: int = 20) -> OutboxStatus:
        async with self.session() as s:
            counts = dict(
                (await s.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status))).all()
            )
            failed = await s.execute(
                select(ChatRow.platform, ChatRow.external_id, DeliveryRow.idempotency_key, DeliveryRow.last_error)
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(DeliveryRow.status == "failed")
                .order_by(DeliveryRow.id.desc())
                .limit(limit_failures)
            )
            return OutboxStatus(
                pending=counts.get("pending", 0),
                sent=counts.get("sent", 0),
                failed=counts.get("failed", 0),
                failures=tuple((f"{p}:{e}", k, err or "") for p, e, k, err in failed),
            )


def _outbox_rows(
    chat_id: int, digest_id: int | None, key_prefix: str,
    payloads: Sequence[dict[str, Any]], now: datetime,
) -> list[DeliveryRow]:
    """One pending outbox row per payload, keyed ``<key_prefix>:<part>``."""
    return [
        DeliveryRow(
            digest_id=digest_id,
            chat_id=chat_id,
            part=part,
            idempotency_key=f"{key_prefix}:{part}",
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for part, payload in enumerate(payloads)
    ]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _article_values(e: EntryRecord, now: datetime) -> dict[str, Any]:
    return {
        "canonical_url": e.canonical_url,
        "url": e.url,
        "title": e.title,
        "author": e.author,
        "published": e.published,
        "feed_text": e.feed_text,
        "status": "pending",
        "attempts": 0,
        "ingested_at": now,
    }


def _fetch_ok_values(
    *,
    fetched_at: datetime,
    next_poll_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    not_modified: bool = False,
    title: str | None = None,
    site_url: str | None = None,
    poll_interval_s: int | None = None,
) -> dict[str, Any]:
    """Column values for a successful poll; a 304 keeps the stored validators."""
    values: dict[str, Any] = {
        "last_fetched_at": fetched_at,
        "last_success_at": fetched_at,
        "next_poll_at": next_poll_at,
        "consecutive_failures": 0,
        "last_error": None,
    }
    if not not_modified:
        values.update(etag=etag, last_modified=last_modified)
        if title:
            values["title"] = title[:512]
        if site_url:
            values["site_url"] = site_url[:2048]
    if poll_interval_s is not None:
        values["poll_interval_s"] = poll_interval_s
    return values


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


__all__ = [
    "EntryRecord",
    "OutboxItem",
    "OutboxStatus",
    "PendingArticle",
    "PollWrite",
    "Store",
    "StoryRecord",
    "database_urls",
    "utcnow",
]
