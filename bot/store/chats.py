"""The chats aggregate: chats, their settings and schedule, whether they can
hear us (paused with a :class:`~bot.errors.GoneKind`), and their subscriptions.

A chat is addressed by its :class:`~bot.domain.ChatRef` (platform and the
platform's id); its row id is stable across a move to a new platform id
(:meth:`ChatStore.migrate_chat`), which is why outbox rows and leases keep
the row id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import (
    LAYOUTS,
    ChatInfo,
    ChatKind,
    ChatRef,
    ChatSettings,
    ChatTopics,
    FeedFilter,
    FeedInfo,
    Schedule,
    TopicKind,
)
from bot.errors import GoneKind, NotFoundError
from bot.store.database import Database, insert_or_ignore
from bot.store.feeds import feed_info
from bot.store.models import (
    ArticleRow,
    ChatRow,
    ChatTopicRow,
    FeedEntryRow,
    FeedRow,
    SubscriptionRow,
)


async def chat_row(s: AsyncSession, ref: ChatRef) -> ChatRow | None:
    return await s.scalar(
        select(ChatRow).where(
            ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id
        )
    )


async def require_chat(s: AsyncSession, ref: ChatRef) -> ChatRow:
    row = await chat_row(s, ref)
    if row is None:
        raise NotFoundError(f"unknown chat {ref}")
    return row


def chat_info(row: ChatRow) -> ChatInfo:
    return ChatInfo(
        id=row.id,
        ref=ChatRef(row.platform, row.external_id),  # type: ignore[arg-type]
        kind=row.kind,  # type: ignore[arg-type]
        title=row.title,
        active=row.active,
        inactive_reason=row.inactive_reason,
        inactive_kind=_gone_kind(row.inactive_kind),
        settings=_settings_from_json(row.settings, row.layout),
        schedule=Schedule(
            mode=row.schedule_mode,  # type: ignore[arg-type]
            hour=row.schedule_hour,
            minute=row.schedule_minute,
            timezone=row.timezone,
        ),
        last_digest_at=row.last_digest_at,
    )


class ChatStore:
    """Chats and what they subscribe to."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ chats

    async def upsert_chat(
        self, ref: ChatRef, kind: ChatKind = "private", title: str | None = None
    ) -> ChatInfo:
        """Create the chat or get it (its title and kind brought up to date).

        ``INSERT ... ON CONFLICT DO NOTHING`` in its own savepoint: when
        another request creates the same chat at the same moment (a new
        chat's first commands arrive together), this one reads that row.
        """
        async with self.db.session() as s:
            row = await chat_row(s, ref)
            if row is None:
                async with s.begin_nested():
                    await s.execute(
                        insert_or_ignore(s, ChatRow, "platform", "external_id").values(
                            platform=ref.platform,
                            external_id=ref.external_id,
                            kind=kind,
                            title=title,
                            settings={},
                            active=True,
                            schedule_mode="off",
                            schedule_hour=8,
                            schedule_minute=0,
                            layout="brief",
                            created_at=utcnow(),
                        )
                    )
                row = await chat_row(s, ref)
                if row is None:  # created and deleted again meanwhile (a migration)
                    raise NotFoundError(f"chat {ref} vanished while it was being created")
            if title and row.title != title:
                row.title = title
            if kind != row.kind:
                row.kind = kind
            return chat_info(row)

    async def get_chat(self, ref: ChatRef) -> ChatInfo | None:
        async with self.db.session() as s:
            row = await chat_row(s, ref)
            return chat_info(row) if row else None

    async def list_chats(self, active_only: bool = True) -> list[ChatInfo]:
        async with self.db.session() as s:
            q = select(ChatRow).order_by(ChatRow.id)
            if active_only:
                q = q.where(ChatRow.active.is_(True))
            return [chat_info(r) for r in await s.scalars(q)]

    async def update_chat_settings(self, ref: ChatRef, settings: ChatSettings) -> ChatInfo:
        async with self.db.session() as s:
            row = await require_chat(s, ref)
            row.settings = {
                "key_points": settings.key_points,
                "show_quotes": settings.show_quotes,
                "one_message_per_story": settings.one_message_per_story,
                "max_stories": settings.max_stories,
                "lead_image": settings.lead_image,
            }
            row.layout = settings.layout
            return chat_info(row)

    async def set_schedule(self, ref: ChatRef, schedule: Schedule) -> ChatInfo:
        async with self.db.session() as s:
            row = await require_chat(s, ref)
            row.schedule_mode = schedule.mode
            row.schedule_hour = schedule.hour
            row.schedule_minute = schedule.minute
            if schedule.timezone:
                row.timezone = schedule.timezone
            return chat_info(row)

    async def want_digest(self, ref: ChatRef) -> None:
        """Remember that /digest found nothing ready yet (see :meth:`claim_wanted_digest`)."""
        async with self.db.session() as s:
            row = await require_chat(s, ref)
            row.digest_wanted_at = utcnow()

    async def claim_wanted_digest(self, ref: ChatRef, max_age: timedelta = timedelta(hours=2)) -> bool:
        """True once for a /digest request made within ``max_age``, clearing it
        (a conditional UPDATE, so two workers never both post it)."""
        async with self.db.session() as s:
            row = await chat_row(s, ref)
            if row is None or row.digest_wanted_at is None:
                return False
            wanted = row.digest_wanted_at
            result = await s.execute(
                update(ChatRow)
                .where(ChatRow.id == row.id, ChatRow.digest_wanted_at == wanted)
                .values(digest_wanted_at=None)
                .execution_options(synchronize_session=False)
            )
            claimed = bool(result.rowcount)  # type: ignore[attr-defined]
        return claimed and utcnow() - wanted <= max_age

    async def has_unread_articles(self, ref: ChatRef) -> bool:
        """Whether articles of the chat's feeds are still waiting to be read (pending)."""
        async with self.db.session() as s:
            found = await s.scalar(
                select(ArticleRow.id)
                .join(FeedEntryRow, FeedEntryRow.article_id == ArticleRow.id)
                .join(SubscriptionRow, SubscriptionRow.feed_id == FeedEntryRow.feed_id)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id,
                       ArticleRow.status == "pending")
                .limit(1)
            )
            return found is not None

    async def pause_chat(self, ref: ChatRef, kind: GoneKind, reason: str) -> None:
        """Stop sending to the chat (its queued messages are kept): ``kind`` says
        why for the code that may resume it, ``reason`` for people."""
        async with self.db.session() as s:
            row = await chat_row(s, ref)
            if row is None:
                return
            row.active = False
            row.inactive_kind = kind.value
            row.inactive_reason = reason[:2000]

    async def resume_chat(self, ref: ChatRef) -> None:
        async with self.db.session() as s:
            row = await chat_row(s, ref)
            if row is None:
                return
            row.active = True
            row.inactive_kind = None
            row.inactive_reason = None

    async def migrate_chat(self, ref: ChatRef, new_external_id: str) -> None:
        """Move a chat to its new id (Telegram group -> supergroup), keeping everything."""
        async with self.db.session() as s:
            row = await require_chat(s, ref)
            clash = await chat_row(s, ChatRef(ref.platform, new_external_id))
            if clash is not None and clash.id != row.id:
                await s.delete(clash)
                await s.flush()
            row.external_id = new_external_id

    # ---------------------------------------------------------- subscriptions

    async def subscribe(self, ref: ChatRef, feed_id: int) -> bool:
        """Subscribe a chat to a feed; False when it already was (also when the
        same subscription was made a moment ago by a concurrent request)."""
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            async with s.begin_nested():
                created = await s.scalar(
                    insert_or_ignore(s, SubscriptionRow, "chat_id", "feed_id")
                    .values(chat_id=chat.id, feed_id=feed_id, created_at=utcnow())
                    .returning(SubscriptionRow.id)
                )
            return created is not None

    async def unsubscribe(self, ref: ChatRef, feed_id: int) -> bool:
        async with self.db.session() as s:
            chat = await chat_row(s, ref)
            if chat is None:
                return False
            result = await s.execute(
                delete(SubscriptionRow).where(
                    SubscriptionRow.chat_id == chat.id, SubscriptionRow.feed_id == feed_id
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_feed_filter(
        self, ref: ChatRef, feed_id: int, include: str | None, exclude: str | None
    ) -> bool:
        """Set one subscription's keyword filters (None clears one); False when not subscribed."""
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            sub = await s.scalar(select(SubscriptionRow).where(
                SubscriptionRow.chat_id == chat.id, SubscriptionRow.feed_id == feed_id))
            if sub is None:
                return False
            sub.include_words = include[:512] if include else None
            sub.exclude_words = exclude[:512] if exclude else None
            return True

    async def feed_filters(self, ref: ChatRef) -> dict[int, FeedFilter]:
        """Keyword filters of the chat's subscriptions that have any, by feed id."""
        async with self.db.session() as s:
            rows = await s.execute(
                select(SubscriptionRow.feed_id, SubscriptionRow.include_words,
                       SubscriptionRow.exclude_words)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id)
            )
            return {feed_id: FeedFilter(_split(inc), _split(exc))
                    for feed_id, inc, exc in rows if inc or exc}

    async def article_feeds(self, ref: ChatRef, article_ids: Iterable[int]) -> dict[int, set[int]]:
        """For each article, the chat's subscribed feeds that carry it."""
        ids = list(article_ids)
        if not ids:
            return {}
        out: dict[int, set[int]] = {}
        async with self.db.session() as s:
            rows = await s.execute(
                select(FeedEntryRow.article_id, FeedEntryRow.feed_id)
                .join(SubscriptionRow, SubscriptionRow.feed_id == FeedEntryRow.feed_id)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id,
                       FeedEntryRow.article_id.in_(ids))
            )
            for article_id, feed_id in rows:
                out.setdefault(article_id, set()).add(feed_id)
        return out

    # ----------------------------------------------------------------- topics

    async def add_topic(self, ref: ChatRef, kind: TopicKind, topic: str) -> bool:
        """Follow or mute ``topic``; False when the chat already did. Following a
        muted topic (or the reverse) moves it."""
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
            rows = list(await s.scalars(select(ChatTopicRow).where(
                ChatTopicRow.chat_id == chat.id, ChatTopicRow.topic == topic)))
            if any(r.kind == kind for r in rows):
                return False
            for r in rows:
                await s.delete(r)
            s.add(ChatTopicRow(chat_id=chat.id, kind=kind, topic=topic[:200], created_at=utcnow()))
            return True

    async def remove_topic(self, ref: ChatRef, kind: TopicKind, topic: str) -> bool:
        async with self.db.session() as s:
            chat = await chat_row(s, ref)
            if chat is None:
                return False
            result = await s.execute(delete(ChatTopicRow).where(
                ChatTopicRow.chat_id == chat.id, ChatTopicRow.kind == kind,
                ChatTopicRow.topic == topic))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def topics(self, ref: ChatRef) -> ChatTopics:
        async with self.db.session() as s:
            rows = await s.execute(
                select(ChatTopicRow.kind, ChatTopicRow.topic)
                .join(ChatRow, ChatRow.id == ChatTopicRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id)
                .order_by(ChatTopicRow.id)
            )
            pairs = list(rows)
        return ChatTopics(follow=tuple(t for k, t in pairs if k == "follow"),
                          mute=tuple(t for k, t in pairs if k == "mute"))

    async def subscriptions(self, ref: ChatRef) -> list[FeedInfo]:
        async with self.db.session() as s:
            rows = await s.scalars(
                select(FeedRow)
                .join(SubscriptionRow, SubscriptionRow.feed_id == FeedRow.id)
                .join(ChatRow, ChatRow.id == SubscriptionRow.chat_id)
                .where(ChatRow.platform == ref.platform, ChatRow.external_id == ref.external_id)
                .order_by(SubscriptionRow.id)
            )
            return [feed_info(r) for r in rows]

    async def subscribers(self, feed_id: int, active_only: bool = True) -> list[ChatInfo]:
        async with self.db.session() as s:
            q = (
                select(ChatRow)
                .join(SubscriptionRow, SubscriptionRow.chat_id == ChatRow.id)
                .where(SubscriptionRow.feed_id == feed_id)
                .order_by(ChatRow.id)
            )
            if active_only:
                q = q.where(ChatRow.active.is_(True))
            return [chat_info(r) for r in await s.scalars(q)]

    async def feeds_with_subscribers(self) -> set[int]:
        async with self.db.session() as s:
            return set(await s.scalars(select(SubscriptionRow.feed_id).distinct()))

    async def chats_for_articles(self, article_ids: Iterable[int]) -> list[ChatInfo]:
        """Active chats subscribed to a feed that carries any of these articles."""
        ids = list(article_ids)
        if not ids:
            return []
        async with self.db.session() as s:
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
            return [chat_info(r) for r in rows]


def _settings_from_json(data: dict[str, Any] | None, layout: str | None = None) -> ChatSettings:
    data = data or {}
    known = {k: v for k, v in data.items() if k in ChatSettings.__dataclass_fields__}
    known.pop("layout", None)
    return ChatSettings(**known, layout=layout if layout in LAYOUTS else "brief")


def _split(words: str | None) -> tuple[str, ...]:
    return tuple(w for w in (words or "").split(",") if w.strip())


def _gone_kind(value: str | None) -> GoneKind | None:
    try:
        return GoneKind(value) if value else None
    except ValueError:  # written by a newer newsbot: treat as "unknown, stays paused"
        return None


__all__ = ["ChatStore", "chat_info", "chat_row", "require_chat"]
