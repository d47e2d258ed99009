"""The feeds aggregate: which feeds exist, when to poll them, how their polls went.

A successful poll is stored by :meth:`FeedStore.save_polls` in one
transaction with the entries it brought (new entries become pending
articles, see :mod:`.articles`), so a crash never records a fetch whose
entries were lost, or the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import FeedInfo
from bot.errors import FeedError, NotFoundError
from bot.records import FetchState, PollWrite
from bot.store import bounds
from bot.store.articles import insert_entries
from bot.store.database import Database, insert_or_ignore
from bot.store.models import FeedRow

logger = logging.getLogger(__name__)


def feed_info(row: FeedRow) -> FeedInfo:
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


class FeedStore:
    """Feeds and their polling state."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_feed(
        self, url: str, title: str | None = None, site_url: str | None = None
    ) -> tuple[FeedInfo, bool]:
        """Add a feed (or return the existing one, reactivated). Returns (feed, created).

        ``INSERT ... ON CONFLICT (url_hash) DO NOTHING`` in its own savepoint,
        so two chats subscribing to the same new feed at once both succeed and
        share one row. Raises :class:`FeedError` for a URL longer than
        :data:`~bot.store.bounds.MAX_URL_CHARS`; title and site URL are bounded.
        """
        url = bounds.url(url)
        if len(url) > bounds.MAX_URL_CHARS:
            raise FeedError(f"the feed's address is {len(url):,} characters long; newsbot keeps "
                            f"addresses of up to {bounds.MAX_URL_CHARS:,}")
        key = bounds.url_hash(url)
        async with self.db.session() as s:
            now = utcnow()
            async with s.begin_nested():
                created = await s.scalar(
                    insert_or_ignore(s, FeedRow, "url_hash")
                    .values(
                        url=url,
                        url_hash=key,
                        title=bounds.clip(title, bounds.MAX_TITLE_CHARS),
                        site_url=bounds.url_or_none(site_url),
                        active=True,
                        created_at=now,
                        next_poll_at=now,
                        consecutive_failures=0,
                        total_failures=0,
                        item_count=0,
                    )
                    .returning(FeedRow.id)
                )
            row = await s.scalar(select(FeedRow).where(FeedRow.url_hash == key))
            if row is None:  # removed again between the insert and this read
                raise NotFoundError(f"feed {url} vanished while it was being added")
            if created is None and not row.active:
                row.active = True
                row.consecutive_failures = 0
                row.next_poll_at = now
            return feed_info(row), created is not None

    async def get_feed(self, feed_id: int) -> FeedInfo | None:
        async with self.db.session() as s:
            row = await s.get(FeedRow, feed_id)
            return feed_info(row) if row else None

    async def find_feed(self, url_or_id: str) -> FeedInfo | None:
        """Find a feed by id, exact URL, or site URL."""
        async with self.db.session() as s:
            if url_or_id.isdigit():
                row = await s.get(FeedRow, int(url_or_id))
                if row:
                    return feed_info(row)
            row = await s.scalar(
                select(FeedRow)
                .where(or_(FeedRow.url_hash == bounds.url_hash(url_or_id),
                           FeedRow.site_url == bounds.url(url_or_id)))
                .order_by(FeedRow.id)
                .limit(1)
            )
            return feed_info(row) if row else None

    async def list_feeds(self, active_only: bool = False) -> list[FeedInfo]:
        async with self.db.session() as s:
            q = select(FeedRow).order_by(FeedRow.id)
            if active_only:
                q = q.where(FeedRow.active.is_(True))
            return [feed_info(r) for r in await s.scalars(q)]

    async def remove_feed(self, feed_id: int) -> bool:
        async with self.db.session() as s:
            result = await s.execute(delete(FeedRow).where(FeedRow.id == feed_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def due_feeds(self, now: datetime, limit: int | None = None) -> list[FeedInfo]:
        """Active feeds whose next poll time has come, most overdue first."""
        async with self.db.session() as s:
            q = (
                select(FeedRow)
                .where(FeedRow.active.is_(True))
                .where(or_(FeedRow.next_poll_at.is_(None), FeedRow.next_poll_at <= now))
                .order_by(FeedRow.next_poll_at)
            )
            if limit:
                q = q.limit(limit)
            return [feed_info(r) for r in await s.scalars(q)]

    async def record_fetch_ok(self, feed_id: int, state: FetchState) -> None:
        """Record a successful poll that brought no entries to store."""
        async with self.db.session() as s:
            await s.execute(
                update(FeedRow).where(FeedRow.id == feed_id).values(**_fetch_state_values(state))
            )

    async def record_fetch_error(
        self, feed_id: int, *, fetched_at: datetime, error: str, next_poll_at: datetime
    ) -> int:
        """Count a failed poll; return the number of consecutive failures."""
        async with self.db.session() as s:
            row = await s.get(FeedRow, feed_id)
            if row is None:
                raise NotFoundError(f"feed {feed_id} does not exist")
            row.last_fetched_at = fetched_at
            row.last_error = bounds.clip(error, bounds.MAX_NOTE_CHARS)
            row.consecutive_failures += 1
            row.total_failures += 1
            row.next_poll_at = next_poll_at
            return row.consecutive_failures

    async def set_feed_active(self, feed_id: int, active: bool) -> None:
        async with self.db.session() as s:
            values: dict[str, Any] = {"active": active}
            if active:
                values.update(consecutive_failures=0, next_poll_at=utcnow())
            await s.execute(update(FeedRow).where(FeedRow.id == feed_id).values(**values))

    async def save_polls(self, polls: Sequence[PollWrite]) -> dict[int, list[int]]:
        """Store many successful polls (entries and fetch state) in one
        transaction with a handful of statements, whatever the number of
        feeds: a poll cycle over thousands of feeds is bounded by fetching,
        not by database round trips. Returns, per feed, the ids of articles
        that are new (every feed of ``polls`` has a key).

        Values are bounded before they are written (:mod:`.bounds`), and one
        feed can still never fail the others: if the batch is refused, it is
        rolled back to a savepoint and written again one feed at a time, and
        a feed the database refuses is written entry by entry, skipping (and
        logging, one line per feed) the entries it refuses."""
        if not polls:
            return {}
        async with self.db.session() as s:
            try:
                async with s.begin_nested():
                    return await _write_polls(s, polls)
            except Exception as exc:
                if _connection_lost(exc):
                    raise
                if len(polls) > 1:
                    logger.warning("storing %d polled feeds together failed (%s); storing them "
                                   "one feed at a time", len(polls), _one_line(exc))
            new_by_feed: dict[int, list[int]] = {}
            for poll in polls:
                new_by_feed[poll.feed_id] = await _write_one_feed(s, poll)
            return new_by_feed


async def _write_polls(s: AsyncSession, polls: Sequence[PollWrite]) -> dict[int, list[int]]:
    new_by_feed = await insert_entries(s, [(p.feed_id, p.entries) for p in polls])
    # Fetch state: one executemany per shape of row (a 304 keeps its
    # validators, so it sets fewer columns than a full fetch).
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for p in polls:
        values = _fetch_state_values(p.state)
        shapes.setdefault(tuple(sorted(values)), []).append({"id": p.feed_id, **values})
    for rows in shapes.values():
        await s.execute(update(FeedRow), rows)
    return new_by_feed


async def _write_one_feed(s: AsyncSession, poll: PollWrite) -> list[int]:
    """One feed in its own savepoint; if refused, entry by entry, then its state
    (or, if even that is refused, the failure as its last error)."""
    try:
        async with s.begin_nested():
            return (await _write_polls(s, [poll]))[poll.feed_id]
    except Exception as exc:
        if _connection_lost(exc):
            raise
        first_error = _one_line(exc)
    new: list[int] = []
    skipped = 0
    for entry in poll.entries:
        try:
            async with s.begin_nested():
                new += (await insert_entries(s, [(poll.feed_id, [entry])]))[poll.feed_id]
        except Exception as exc:
            if _connection_lost(exc):
                raise
            skipped += 1
    try:
        async with s.begin_nested():
            await s.execute(update(FeedRow).where(FeedRow.id == poll.feed_id)
                            .values(**_fetch_state_values(poll.state)))
        state_error = None
    except Exception as exc:
        if _connection_lost(exc):
            raise
        state_error = _one_line(exc)
        async with s.begin_nested():
            await s.execute(
                update(FeedRow).where(FeedRow.id == poll.feed_id).values(
                    last_fetched_at=poll.state.fetched_at,
                    next_poll_at=poll.state.next_poll_at,
                    last_error=f"could not store this feed: {state_error}",
                    consecutive_failures=FeedRow.consecutive_failures + 1,
                    total_failures=FeedRow.total_failures + 1,
                )
            )
    logger.warning("feed %d: the database refused %d of %d entries%s (first: %s); "
                   "the rest of the batch is stored", poll.feed_id, skipped, len(poll.entries),
                   f" and its poll state ({state_error})" if state_error else "", first_error)
    return sorted(new)


def _connection_lost(exc: BaseException) -> bool:
    """True when the database itself is gone (retrying row by row cannot help)."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _one_line(exc: BaseException) -> str:
    """The driver's own message, first line, bounded (SQLAlchemy's str() carries
    the statement and its parameters, which may be a megabyte of a feed)."""
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(orig).strip().splitlines() or [""]
    return bounds.clip(f"{type(orig).__name__}: {lines[0]}", 300)


def _fetch_state_values(state: FetchState) -> dict[str, Any]:
    """Column values for a successful poll; a 304 keeps the stored validators."""
    values: dict[str, Any] = {
        "last_fetched_at": state.fetched_at,
        "last_success_at": state.fetched_at,
        "next_poll_at": state.next_poll_at,
        "consecutive_failures": 0,
        "last_error": None,
    }
    if not state.not_modified:
        values.update(etag=bounds.clip_or_none(state.etag, bounds.MAX_ETAG_CHARS),
                      last_modified=bounds.clip_or_none(state.last_modified,
                                                        bounds.MAX_LAST_MODIFIED_CHARS))
        title = bounds.clip(state.title, bounds.MAX_TITLE_CHARS)
        if title:
            values["title"] = title
        site_url = bounds.url_or_none(state.site_url)
        if site_url:
            values["site_url"] = site_url
    if state.poll_interval_s is not None:
        values["poll_interval_s"] = state.poll_interval_s
    return values


__all__ = ["FeedStore", "feed_info"]
