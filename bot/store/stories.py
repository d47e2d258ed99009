"""The stories aggregate: which story each article tells, and each story's
running state (time span, outlets, centroid, word counts).

Implements :class:`bot.stories.ports.StoryRepository` over the ``stories`` and
``story_articles`` tables, so the in-memory story index can be rebuilt from
the database after a restart (:meth:`StoryStore.stories_in_window`) and every
decision of :class:`bot.stories.StoryAssigner` is kept
(:meth:`StoryStore.save_assignment`).

Vectors are kept compactly: a member's unit vector as float16 (768 bytes),
a story's centroid as the float16 of the unnormalised sum of its members'
vectors, so a join updates it without reading the members back.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, select, text

from bot.clock import utcnow
from bot.store.database import Database, chunks
from bot.store.models import StoryArticleRow, StoryRow
from bot.stories.records import (
    ArticleSignature,
    Decision,
    StoryConfig,
    StoryState,
    pack_vector,
    unpack_vector,
)

#: Distinct words kept in a story's summed word counts (the most frequent):
#: bounds the row; the rarer words of a big story matter little to its tf-idf.
TERMS_KEPT = 300
#: Outlet names kept per story (the count goes on).
OUTLETS_KEPT = 200
#: Stories read back per query when warming the index.
_READ_CHUNK = 500
#: Advisory lock keys of story assignment: this base plus a hash of the language.
_LOCK_BASE = 0x5_7031_0000


def _pack_sum(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).reshape(-1).astype("<f2").tobytes()


def _unpack_sum(data: bytes | None) -> np.ndarray | None:
    if not data or len(data) % 2:
        return None
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


def _cap_terms(terms: dict[str, int]) -> dict[str, int]:
    if len(terms) <= TERMS_KEPT:
        return terms
    return dict(sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:TERMS_KEPT])


class StoryStore:
    """Stories and their articles; the SQL :class:`~bot.stories.ports.StoryRepository`."""

    def __init__(self, db: Database, config: StoryConfig | None = None) -> None:
        self.db = db
        self.config = config or StoryConfig()

    async def save_assignment(self, article: ArticleSignature, story_id: str | None,
                              decision: Decision | None = None) -> str:
        """Put ``article`` in ``story_id`` (a new story when None or unknown);
        return the story's id. An article already assigned keeps its story."""
        now = utcnow()
        article_id = int(article.article_id)
        async with self.db.session() as s:
            existing = await s.scalar(select(StoryArticleRow.story_id)
                                      .where(StoryArticleRow.article_id == article_id))
            if existing is not None:
                return str(existing)
            row: StoryRow | None = None
            if story_id is not None and story_id.isdigit():
                # Row lock on PostgreSQL: two workers adding to one story add up.
                row = await s.scalar(select(StoryRow).where(StoryRow.id == int(story_id))
                                     .with_for_update())
            if row is None:
                row = StoryRow(
                    language=article.language, first_seen=article.published,
                    last_seen=article.published, size=1, outlet_count=1,
                    outlets=[article.outlet][:OUTLETS_KEPT],
                    centroid_sum=None if article.vector is None else _pack_sum(article.vector),
                    term_sum=_cap_terms(dict(article.terms)), created_at=now, updated_at=now,
                )
                s.add(row)
                await s.flush()
            else:
                row.size += 1
                row.first_seen = min(row.first_seen, article.published)
                row.last_seen = max(row.last_seen, article.published)
                outlets = list(row.outlets or [])
                if article.outlet not in outlets:
                    row.outlet_count += 1
                    if len(outlets) < OUTLETS_KEPT:
                        row.outlets = [*outlets, article.outlet]
                if article.vector is not None:
                    current = _unpack_sum(row.centroid_sum)
                    vector = np.asarray(article.vector, dtype=np.float32)
                    row.centroid_sum = _pack_sum(vector if current is None else current + vector)
                terms = dict(row.term_sum or {})
                for term, count in article.terms.items():
                    terms[term] = terms.get(term, 0) + count
                row.term_sum = _cap_terms(terms)
                row.updated_at = now
            s.add(StoryArticleRow(
                article_id=article_id, story_id=row.id, language=article.language,
                outlet=article.outlet[:512], published=article.published,
                vector=None if article.vector is None else pack_vector(article.vector),
                terms=dict(article.terms), words=sorted(article.words),
                score=float(decision.score) if decision else 0.0,
                reason=(decision.reason if decision else "new")[:16], assigned_at=now,
            ))
            return str(row.id)

    async def stories_in_window(self, start: datetime, end: datetime) -> list[StoryState]:
        """Stories spanning any part of ``[start, end]``, with their first and
        latest members (``members_kept``), for warming the story index."""
        return await self._read(StoryRow.last_seen >= start, StoryRow.first_seen <= end)

    async def stories_updated_since(self, since: datetime, known_size: Callable[[str], int | None],
                                    first_seen_from: datetime | None = None) -> list[StoryState]:
        """Stories created or joined at or after ``since`` (by any process)
        whose size differs from the caller's copy: one light read of (id,
        size), then the full state of the changed ones only."""
        async with self.db.session() as s:
            query = select(StoryRow.id, StoryRow.size).where(StoryRow.updated_at >= since)
            if first_seen_from is not None:
                query = query.where(StoryRow.first_seen >= first_seen_from)
            rows = (await s.execute(query)).all()
        changed = [story_id for story_id, size in rows if known_size(str(story_id)) != size]
        if not changed:
            return []
        out: list[StoryState] = []
        for ids in chunks(changed, _READ_CHUNK):
            out += await self._read(StoryRow.id.in_(list(ids)))
        return out

    @asynccontextmanager
    async def exclusive(self, language: str) -> AsyncIterator[None]:
        """Serialise assignment of one language across processes: a PostgreSQL
        advisory lock held from the refresh of the index to the save (two
        workers deciding at once would both start the same story). SQLite has
        one writer and newsbot one assigning process on it: nothing to do."""
        if self.db.dialect != "postgresql":
            yield
            return
        key = _LOCK_BASE + zlib.crc32(language.encode()) % 1_000_000
        async with self.db.engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await conn.commit()

    async def _read(self, *conditions: ColumnElement[bool]) -> list[StoryState]:
        async with self.db.session() as s:
            rows = list(await s.scalars(select(StoryRow).where(*conditions).order_by(StoryRow.id)))
            members: dict[int, list[Any]] = defaultdict(list)  # rows of _MEMBER_COLUMNS
            for ids in chunks([r.id for r in rows], _READ_CHUNK):
                # Plain rows, not ORM objects: a start-up rebuild reads every
                # member of the window, and the identity map only costs here.
                found = await s.execute(
                    select(*_MEMBER_COLUMNS).where(StoryArticleRow.story_id.in_(list(ids)))
                    .order_by(StoryArticleRow.assigned_at, StoryArticleRow.article_id))
                for member in found:
                    members[member.story_id].append(member)
        return [self._state(row, members.get(row.id, [])) for row in rows]

    def _state(self, row: StoryRow, members: Sequence[Any]) -> StoryState:
        kept = self.config.members_kept
        chosen = list(members) if len(members) <= kept else [members[0], *members[-(kept - 1):]]
        signatures = [_signature(m) for m in chosen]
        words: set[str] = set()
        for sig in signatures:
            words |= sig.words
        return StoryState(
            story_id=str(row.id), language=row.language, first_seen=row.first_seen,
            last_seen=row.last_seen, size=row.size, centroid_sum=_unpack_sum(row.centroid_sum),
            members=signatures, outlets=set(row.outlets or []), words=words,
            term_sum=dict(row.term_sum or {}),
        )

    async def article_vectors(self, article_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored MiniLM vectors (title and lead) of these articles, by id;
        articles assigned without a vector, or with a corrupt one, are left out."""
        out: dict[int, np.ndarray] = {}
        async with self.db.session() as s:
            for part in chunks(sorted(set(article_ids))):
                rows = await s.execute(select(StoryArticleRow.article_id, StoryArticleRow.vector)
                                       .where(StoryArticleRow.article_id.in_(part),
                                              StoryArticleRow.vector.is_not(None)))
                for article_id, blob in rows:
                    if not blob:
                        continue
                    try:
                        out[article_id] = unpack_vector(blob)
                    except ValueError:
                        continue
        return out

    async def story_of(self, article_id: int) -> int | None:
        async with self.db.session() as s:
            return await s.scalar(select(StoryArticleRow.story_id)
                                  .where(StoryArticleRow.article_id == article_id))


_MEMBER_COLUMNS = (StoryArticleRow.story_id, StoryArticleRow.article_id, StoryArticleRow.language,
                   StoryArticleRow.outlet, StoryArticleRow.published, StoryArticleRow.vector,
                   StoryArticleRow.terms, StoryArticleRow.words)


def _signature(row: Any) -> ArticleSignature:
    vector: np.ndarray | None = None
    if row.vector:
        try:
            vector = unpack_vector(row.vector)
        except ValueError:
            vector = None
    return ArticleSignature(
        article_id=str(row.article_id), language=row.language, published=row.published,
        outlet=row.outlet, title="", words=frozenset(row.words or ()), vector=vector,
        terms=dict(row.terms or {}),
    )


__all__ = ["StoryStore"]
