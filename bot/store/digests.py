"""The digests aggregate: which ready stories a chat has not been given yet,
and each digest built for a chat with the outbox rows that carry it.

A digest is written in one transaction with its outbox rows (see
:mod:`.outbox`) and with the stories it marks as given, before anything is
sent: a crash either loses the whole digest (and the stories stay unseen) or
keeps all of it for the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import ChatRef
from bot.errors import DigestRaced
from bot.records import DeliveredStory, Payload, StoryRecord
from bot.store.articles import summary_from_row
from bot.store.chats import require_chat
from bot.store.database import Database, chunks, insert_or_ignore
from bot.store.models import (
    ArticleRow,
    ChatArticleRow,
    ChatRow,
    ChatStoryRow,
    DigestRow,
    FeedEntryRow,
    FeedRow,
    StoryArticleRow,
    StoryRow,
    SubscriptionRow,
    SummaryRow,
)
from bot.store.outbox import outbox_rows


class DigestStore:
    """What each chat has seen, and the digests built for it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def unseen_stories(
        self,
        ref: ChatRef,
        *,
        since: datetime | None = None,
        backlog: timedelta = timedelta(days=2),
        limit: int = 200,
    ) -> list[StoryRecord]:
        """Ready articles from the chat's feeds that the chat has not been given
        (and duplicates that are in a story: see below).

        Without ``since``, a story counts when it was ingested after the
        subscription was made, minus ``backlog`` (so a new subscriber gets the
        recent news at once rather than nothing or the whole archive).
        """
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            sub_since = SubscriptionRow.created_at - backlog if since is None else None
            conds = [
                SubscriptionRow.chat_id == chat.id,
                # A duplicate (another outlet's copy of a ready article's text)
                # counts once it is in a story: it is then credited there, or
                # shown to a chat that follows only the outlet that copied it.
                ArticleRow.status.in_(("ready", "duplicate")),
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
            story_of = await _stories_of(s, [row[0].id for row in rows])
            out: list[StoryRecord] = []
            for row in rows:
                art, summ, source = row[0], row[1], row[2]
                if sub_since is not None:
                    sub_created: datetime = row[3]  # type: ignore[misc]
                    if sub_created.tzinfo is None:
                        sub_created = sub_created.replace(tzinfo=UTC)
                    if art.ingested_at < sub_created - backlog:
                        continue
                story_id, outlets, terms = story_of.get(art.id, (None, 1, {}))
                if art.status == "duplicate" and story_id is None:
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
                        story_id=story_id,
                        story_outlets=outlets,
                        terms=terms,
                        image_url=art.image_url,
                    )
                )
            return out

    async def delivered_stories(self, ref: ChatRef,
                                story_ids: Sequence[int]) -> dict[int, DeliveredStory]:
        """Of ``story_ids``, the stories the chat was already given, with the
        word counts of the articles of each it received."""
        out: dict[int, DeliveredStory] = {}
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            for ids in chunks(list(story_ids)):
                rows = await s.execute(select(ChatStoryRow.story_id, ChatStoryRow.updated_digest_id)
                                       .where(ChatStoryRow.chat_id == chat.id,
                                              ChatStoryRow.story_id.in_(list(ids))))
                for story_id, updated in rows.all():
                    out[story_id] = DeliveredStory(story_id, updated is not None, {})
            for ids in chunks(list(out)):
                seen = await s.execute(
                    select(StoryArticleRow.story_id, StoryArticleRow.terms)
                    .join(ChatArticleRow, ChatArticleRow.article_id == StoryArticleRow.article_id)
                    .where(ChatArticleRow.chat_id == chat.id, StoryArticleRow.story_id.in_(list(ids))))
                for story_id, terms in seen.all():
                    total = out[story_id].terms
                    for term, count in (terms or {}).items():
                        total[term] = total.get(term, 0) + int(count)
        return out

    async def mark_given(self, ref: ChatRef, article_ids: Sequence[int]) -> None:
        """Mark articles as given to the chat without a digest (later articles
        of stories it already has, not worth showing again)."""
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            await _mark_articles(s, chat.id, article_ids, None)

    async def create_digest(
        self,
        ref: ChatRef,
        article_ids: Sequence[int],
        payloads: Sequence[Payload],
        *,
        slot: str | None = None,
        stories: Sequence[tuple[int, bool]] = (),
    ) -> int | None:
        """Persist a digest, mark its articles and ``stories`` (``(story id,
        is_update)``) as given to the chat, and queue one outbox row per
        message, all in one transaction, before anything is sent.

        Returns the digest id, or None when ``slot`` was already built (the
        scheduler fired twice: nothing is created). Raises :class:`DigestRaced`,
        creating nothing, when another digest gave any of ``article_ids`` to the
        chat since they were read: the chat's row is locked first (PostgreSQL;
        SQLite has one writer), so of digests built at once for one chat the
        first wins and the others are built again from what is left.
        """
        now = utcnow()
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            await s.execute(select(ChatRow.id).where(ChatRow.id == chat.id).with_for_update())
            if slot is not None and await s.scalar(select(DigestRow.id).where(
                    DigestRow.chat_id == chat.id, DigestRow.slot == slot)) is not None:
                return None
            if await _given_any(s, chat.id, article_ids):
                raise DigestRaced(f"a digest for {ref} was built meanwhile")
            # INSERT .. ON CONFLICT in its own savepoint: a slot another process built
            # first is skipped without poisoning this transaction (PostgreSQL aborts a
            # transaction on any failed statement; a pending ORM row would be re-flushed).
            async with s.begin_nested():
                digest_id = (await s.execute(
                    insert_or_ignore(s, DigestRow, "chat_id", "slot").values(
                        chat_id=chat.id, slot=slot, story_count=len(article_ids), created_at=now,
                    ).returning(DigestRow.id)
                )).scalar_one_or_none()
            if digest_id is None:
                return None
            await _mark_articles(s, chat.id, article_ids, digest_id)
            await _mark_stories(s, chat.id, stories, digest_id, now)
            prefix = f"{ref.platform}:{ref.external_id}:{digest_id}"
            s.add_all(outbox_rows(chat.id, digest_id, prefix, payloads, now))
            chat.last_digest_at = now
            return int(digest_id)


async def _stories_of(s: AsyncSession,
                      article_ids: Sequence[int]) -> dict[int, tuple[int, int, dict[str, int]]]:
    """article id -> (story id, the story's outlet count, the article's word counts)."""
    out: dict[int, tuple[int, int, dict[str, int]]] = {}
    for ids in chunks(list(article_ids)):
        rows = await s.execute(
            select(StoryArticleRow.article_id, StoryArticleRow.story_id, StoryRow.outlet_count,
                   StoryArticleRow.terms)
            .join(StoryRow, StoryRow.id == StoryArticleRow.story_id)
            .where(StoryArticleRow.article_id.in_(list(ids))))
        for article_id, story_id, outlets, terms in rows.all():
            out[article_id] = (story_id, outlets, dict(terms or {}))
    return out


async def _given_any(s: AsyncSession, chat_id: int, article_ids: Sequence[int]) -> bool:
    for ids in chunks(list(dict.fromkeys(article_ids))):
        if await s.scalar(select(ChatArticleRow.article_id).where(
                ChatArticleRow.chat_id == chat_id, ChatArticleRow.article_id.in_(list(ids)))
                .limit(1)) is not None:
            return True
    return False


async def _mark_articles(s: AsyncSession, chat_id: int, article_ids: Sequence[int],
                         digest_id: int | None) -> None:
    wanted = list(dict.fromkeys(article_ids))
    already: set[int] = set()
    for ids in chunks(wanted):
        already.update(await s.scalars(
            select(ChatArticleRow.article_id).where(ChatArticleRow.chat_id == chat_id,
                                                    ChatArticleRow.article_id.in_(list(ids)))))
    for article_id in wanted:
        if article_id not in already:
            s.add(ChatArticleRow(chat_id=chat_id, article_id=article_id, digest_id=digest_id))


async def _mark_stories(s: AsyncSession, chat_id: int, stories: Sequence[tuple[int, bool]],
                        digest_id: int, now: datetime) -> None:
    """A new story is recorded as delivered by this digest; an update records
    the digest that carried it, so the story is never updated again."""
    for story_id, is_update in dict(stories).items():
        row = await s.get(ChatStoryRow, (chat_id, story_id))
        if row is None:
            s.add(ChatStoryRow(chat_id=chat_id, story_id=story_id, digest_id=digest_id,
                               updated_digest_id=digest_id if is_update else None,
                               delivered_at=now))
        elif is_update and row.updated_digest_id is None:
            row.updated_digest_id = digest_id


__all__ = ["DigestStore"]
