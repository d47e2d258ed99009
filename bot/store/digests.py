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
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.domain import ChatRef
from bot.records import Payload, StoryRecord
from bot.store.articles import summary_from_row
from bot.store.chats import require_chat
from bot.store.database import Database
from bot.store.models import (
    ArticleRow,
    ChatArticleRow,
    DigestRow,
    FeedEntryRow,
    FeedRow,
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
        """Ready stories from the chat's feeds that the chat has not been given.

        Without ``since``, a story counts when it was ingested after the
        subscription was made, minus ``backlog`` (so a new subscriber gets the
        recent news at once rather than nothing or the whole archive).
        """
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
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

    async def create_digest(
        self,
        ref: ChatRef,
        article_ids: Sequence[int],
        payloads: Sequence[Payload],
        *,
        slot: str | None = None,
    ) -> int | None:
        """Persist a digest, mark its stories as given to the chat, and queue one
        outbox row per message, all in one transaction, before anything is sent.

        Returns the digest id, or None when ``slot`` was already built (the
        scheduler fired twice: nothing is created).
        """
        now = utcnow()
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
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
            s.add_all(outbox_rows(chat.id, digest.id, prefix, payloads, now))
            chat.last_digest_at = now
            return digest.id


__all__ = ["DigestStore"]
