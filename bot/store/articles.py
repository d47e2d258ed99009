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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import Article, Quote, Summary
from bot.errors import NotFoundError
from bot.records import EntryRecord, FeedCopy, PendingArticle
from bot.store.database import Database, chunks
from bot.store.models import ArticleRow, FeedEntryRow, FeedRow, SummaryRow


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

    async def pending_articles(self, limit: int = 50, max_attempts: int = 3) -> list[PendingArticle]:
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
                    .where(ArticleRow.status == "pending", ArticleRow.attempts < max_attempts)
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
            row.title = article.title or row.title
            row.text = article.text
            row.author = article.author or row.author
            row.published = row.published or article.published
            row.language = article.language
            row.site_name = article.site_name
            row.fingerprint = article.fingerprint
            row.extraction_note = article.extraction_note
            row.image_url = article.image_url
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
            row.extraction_note = reason[:2000]
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
    wanted = {(fid, e.guid): e for fid, entries in batches for e in entries}
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
    existing: dict[str, int] = {}
    for urls in chunks(list({e.canonical_url for _, e in fresh})):
        found = await s.execute(
            select(ArticleRow.canonical_url, ArticleRow.id).where(ArticleRow.canonical_url.in_(urls))
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


def _quote_to_json(q: Quote) -> dict[str, Any]:
    return {"text": q.text, "speaker": q.speaker, "start": q.start, "end": q.end}


def _quote_from_json(d: dict[str, Any]) -> Quote:
    return Quote(text=d["text"], speaker=d.get("speaker"), start=int(d["start"]), end=int(d["end"]))


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


__all__ = ["ArticleStore", "insert_entries", "summary_from_row"]
