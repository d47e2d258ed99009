"""The chats aggregate: chats, their settings and schedule, whether they can
hear us (paused with a :class:`~bot.errors.GoneKind`), and their subscriptions.

A chat is addressed by its :class:`~bot.domain.ChatRef` (platform and the
platform's id); its row id is stable across a move to a new platform id
(:meth:`ChatStore.migrate_chat`), which is why outbox rows and leases keep
the row id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.domain import ChatInfo, ChatKind, ChatRef, ChatSettings, FeedInfo, Schedule
from bot.errors import GoneKind, NotFoundError
from bot.store.database import Database
from bot.store.feeds import feed_info
from bot.store.models import ChatRow, FeedEntryRow, FeedRow, SubscriptionRow


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
        settings=_settings_from_json(row.settings),
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
        async with self.db.session() as s:
            row = await chat_row(s, ref)
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
                    row = await chat_row(s, ref)
                    assert row is not None
            else:
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
            }
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
        """Subscribe a chat to a feed; False when it already was."""
        async with self.db.session() as s:
            chat = await require_chat(s, ref)
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


def _settings_from_json(data: dict[str, Any] | None) -> ChatSettings:
    data = data or {}
    known = {k: v for k, v in data.items() if k in ChatSettings.__dataclass_fields__}
    return ChatSettings(**known)


def _gone_kind(value: str | None) -> GoneKind | None:
    try:
        return GoneKind(value) if value else None
    except ValueError:  # written by a newer newsbot: treat as "unknown, stays paused"
        return None


__all__ = ["ChatStore", "chat_info", "chat_row", "require_chat"]
