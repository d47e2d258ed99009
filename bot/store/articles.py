"""The articles aggregate: feed entries, articles and their summaries.

Deduplication lives here because it is a property of what is stored:

- an entry is new to a feed only if ``(feed, guid)`` is unseen;
- an article is one row per canonical URL, shared by every feed that carries it;
- a summary is one row per content fingerprint, shared by every article whose
  extracted text is the same; an article whose text matches an already-ready
  article becomes a ``duplicate`` of it and is never shown twice.

An article goes ``pending`` (stored from a feed entry) -> ``ready`` (its page
was extracted and summarized), ``duplicate`` or ``failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import Article, Quote, Summary
from bot.errors import NotFoundError
from bot.records import EntryRecord, FeedCopy, PendingArticle
from bot.store import bounds
from bot.store.database import Database, chunks, insert_or_ignore
from bot.store.models import ArticleRow, FeedEntryRow, FeedRow, SummaryRow

logger = logging.getLogger(__name__)


class ArticleStore:
    """Articles from feed entries to summaries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_entries(self, feed_id: int, entries: Sequence[EntryRecord]) -> list[int]:
        """Store a feed's entries, deduplicated. Returns ids of articles that are new.

        An entry whose GUID this feed already had is skipped. An entry whose
        canonical URL another feed already brought links to that article
        instead of creating a second one.
        """
        async with self.db.session() as s:
            return (await insert_entries(s, [(feed_id, entries)]))[feed_id]

    async def pending_articles(
        self, limit: int = 50, max_attempts: int = 3, *, ids: Sequence[int] | None = None
    ) -> list[PendingArticle]:
        """Articles waiting to be fetched and summarized, oldest first
        (``ids``: only those, as the task engine's per-article jobs ask)."""
        async with self.db.session() as s:
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
                    .where(ArticleRow.status == "pending", ArticleRow.attempts < max_attempts,
                           *([ArticleRow.id.in_(list(ids))] if ids is not None else []))
                    .order_by(ArticleRow.id)
                    .limit(limit)
                )
            ).all()
            return [
                PendingArticle(
                    id=a.id,
                    url=a.url,
                    attempts=a.attempts,
                    source=src,
                    feed=FeedCopy(
                        url=a.url,
                        title=a.title or "",
                        text=a.feed_text or "",
                        author=a.author,
                        published=a.published,
                    ),
                )
                for a, src in rows
            ]

    async def save_article(self, article_id: int, article: Article, summary: Summary | None) -> str:
        """Store an extracted article (and its summary, unless one exists for the
        same fingerprint). Returns the article's new status: ``ready`` or
        ``duplicate`` when an already-ready article has the same content."""
        now = utcnow()
        async with self.db.session() as s:
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
            row.title = bounds.clip(article.title, bounds.MAX_TITLE_CHARS) or row.title
            row.text = bounds.clip(article.text, bounds.MAX_TEXT_CHARS)
            row.author = bounds.clip(article.author, bounds.MAX_AUTHOR_CHARS) or row.author
            row.published = row.published or article.published
            row.language = bounds.clip_or_none(article.language, bounds.MAX_LANGUAGE_CHARS)
            row.site_name = bounds.clip(article.site_name, bounds.MAX_SITE_NAME_CHARS)
            row.fingerprint = article.fingerprint
            row.extraction_note = bounds.clip(article.extraction_note, bounds.MAX_NOTE_CHARS)
            row.image_url = bounds.url_or_none(article.image_url, bounds.MAX_IMAGE_URL_CHARS)
            row.processed_at = now
            row.attempts += 1
            if twin is not None:
                row.status, row.duplicate_of = "duplicate", twin
            else:
                row.status = "ready"
            if summary is not None:
                await _put_summary(s, article.fingerprint, summary)
            return row.status

    async def mark_article_failed(self, article_id: int, reason: str, *, final: bool) -> None:
        async with self.db.session() as s:
            row = await s.get(ArticleRow, article_id)
            if row is None:
                return
            row.attempts += 1
            row.extraction_note = bounds.clip(reason, bounds.MAX_NOTE_CHARS)
            if final:
                row.status = "failed"
                row.processed_at = utcnow()

    async def get_summary(self, fingerprint: str) -> Summary | None:
        async with self.db.session() as s:
            row = await s.get(SummaryRow, fingerprint)
            return summary_from_row(row) if row else None

    async def put_summary(self, fingerprint: str, summary: Summary) -> None:
        async with self.db.session() as s:
            await _put_summary(s, fingerprint, summary)

    async def article_counts(self) -> dict[str, int]:
        async with self.db.session() as s:
            rows = await s.execute(select(ArticleRow.status, func.count()).group_by(ArticleRow.status))
            return {status: n for status, n in rows}


async def insert_entries(
    s: AsyncSession, batches: Sequence[tuple[int, Sequence[EntryRecord]]]
) -> dict[int, list[int]]:
    """Deduplicate and insert entries of several feeds with set queries and
    bulk inserts, in the caller's transaction; keep each feed's item count.
    Returns new article ids per feed."""
    now = utcnow()
    new_by_feed: dict[int, list[int]] = {fid: [] for fid, _ in batches}
    # keyed by (feed, GUID): also dedupes GUIDs repeated within one feed
    wanted = {(fid, e.guid): e for fid, entries in batches for e in _bounded(fid, entries)}
    if not wanted:
        return new_by_feed
    known: set[tuple[int, str]] = set()
    for chunk in chunks(list(wanted)):
        rows = await s.execute(
            select(FeedEntryRow.feed_id, FeedEntryRow.guid).where(
                tuple_(FeedEntryRow.feed_id, FeedEntryRow.guid).in_(chunk)
            )
        )
        known.update((fid, guid) for fid, guid in rows.all())
    fresh = [(fid, e) for (fid, guid), e in wanted.items() if (fid, guid) not in known]
    if not fresh:
        return new_by_feed
    # Articles are unique on the hash of their canonical URL (bot/store/bounds.py).
    keys = {e.canonical_url: bounds.url_hash(e.canonical_url) for _, e in fresh}
    existing: dict[str, int] = {}
    for hashes in chunks(list(set(keys.values()))):
        found = await s.execute(
            select(ArticleRow.canonical_url_hash, ArticleRow.id)
            .where(ArticleRow.canonical_url_hash.in_(hashes))
        )
        existing.update((key, aid) for key, aid in found.all())
    to_create: dict[str, tuple[int, EntryRecord]] = {}
    for fid, e in fresh:
        if keys[e.canonical_url] not in existing:
            to_create.setdefault(keys[e.canonical_url], (fid, e))
    if to_create:
        # ON CONFLICT DO NOTHING in a savepoint: an article another poll (or
        # process) stored meanwhile is linked to, not an error
        async with s.begin_nested():
            created = await s.execute(
                insert_or_ignore(s, ArticleRow, "canonical_url_hash")
                .returning(ArticleRow.id, ArticleRow.canonical_url_hash),
                [_article_values(e, key, now) for key, (_, e) in to_create.items()],
            )
            for aid, key in created.all():
                existing[key] = aid
                new_by_feed[to_create[key][0]].append(aid)
        raced = [key for key in to_create if key not in existing]
        for raced_keys in chunks(raced):
            found = await s.execute(
                select(ArticleRow.canonical_url_hash, ArticleRow.id)
                .where(ArticleRow.canonical_url_hash.in_(raced_keys))
            )
            existing.update((key, aid) for key, aid in found.all())
    links = [
        {"feed_id": fid, "article_id": existing[keys[e.canonical_url]], "guid": e.guid,
         "published": e.published, "seen_at": now}
        for fid, e in fresh
        if keys[e.canonical_url] in existing
    ]
    if links:
        async with s.begin_nested():
            # the same feed polled twice at once: the second skips the entries
            await s.execute(insert_or_ignore(s, FeedEntryRow, "feed_id", "guid"), links)
    for feed_ids in chunks(sorted({fid for fid, _ in fresh})):
        await s.execute(
            update(FeedRow)
            .where(FeedRow.id.in_(feed_ids))
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


def summary_from_row(row: SummaryRow) -> Summary:
    return Summary(
        key_points=tuple(row.key_points),
        quotes=tuple(_quote_from_json(q) for q in row.quotes),
        key_quotes=tuple(_quote_from_json(q) for q in row.key_quotes),
        engine=row.engine,
        language=row.language,
    )


async def _put_summary(s: AsyncSession, fingerprint: str, summary: Summary) -> None:
    """Store a summary unless one exists for the fingerprint (the same text
    summarized by two workers at once keeps the first)."""
    if await s.get(SummaryRow, fingerprint) is not None:
        return
    async with s.begin_nested():
        await s.execute(
            insert_or_ignore(s, SummaryRow, "fingerprint").values(
                fingerprint=fingerprint,
                engine=bounds.clip(summary.engine, 64),
                language=bounds.clip_or_none(summary.language, bounds.MAX_LANGUAGE_CHARS),
                key_points=bounds.json_strings(list(summary.key_points)),
                quotes=bounds.json_strings([_quote_to_json(q) for q in summary.quotes]),
                key_quotes=bounds.json_strings([_quote_to_json(q) for q in summary.key_quotes]),
                created_at=utcnow(),
            )
        )


def _quote_to_json(q: Quote) -> dict[str, Any]:
    return {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end}


def _quote_from_json(d: dict[str, Any]) -> Quote:
    return Quote(text=d["text"], speaker=d.get("speaker"), start=int(d["start"]), end=int(d["end"]))


def _bounded(feed_id: int, entries: Sequence[EntryRecord]) -> list[EntryRecord]:
    """``entries`` with every value bounded (bot/store/bounds.py); an entry whose
    link is too long to keep whole is skipped, with one log line per feed."""
    kept: list[EntryRecord] = []
    for e in entries:
        url, canonical = bounds.url_or_none(e.url), bounds.url_or_none(e.canonical_url)
        if (url is None and e.url) or (canonical is None and e.canonical_url):
            continue
        kept.append(EntryRecord(
            guid=bounds.guid(e.guid),
            url=url or "",
            canonical_url=canonical or "",
            title=bounds.clip(e.title, bounds.MAX_TITLE_CHARS),
            published=e.published,
            author=bounds.clip(e.author, bounds.MAX_AUTHOR_CHARS),
            feed_text=bounds.clip(e.feed_text, bounds.MAX_FEED_TEXT_CHARS),
        ))
    if len(kept) < len(entries):
        logger.warning("feed %d: skipped %d entries whose link is longer than %d characters",
                       feed_id, len(entries) - len(kept), bounds.MAX_URL_CHARS)
    return kept


def _article_values(e: EntryRecord, key: str, now: datetime) -> dict[str, Any]:
    return {
        "canonical_url": e.canonical_url,
        "canonical_url_hash": key,
        "url": e.url,
        "title": e.title,
        "author": e.author,
        "published": e.published,
        "feed_text": e.feed_text,
        "status": "pending",
        "attempts": 0,
        "ingested_at": now,
    }


__all__ = ["ArticleStore", "insert_entries", "summary_from_row"]
