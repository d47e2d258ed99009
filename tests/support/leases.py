"""Store helpers shared by the chat-lease tests (tests/store and tests/delivery)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain import ChatRef
from bot.store import Store
from bot.store.models import ChatRow


async def chat_with_messages(store: Store, name: str, parts: int = 1) -> int:
    """A Telegram chat ``name`` with one digest of ``parts`` queued messages
    (texts ``name/0``, ``name/1``, ...); returns the chat's row id."""
    ref = ChatRef("telegram", name)
    info = await store.chats.upsert_chat(ref)
    await store.digests.create_digest(ref, [], [{"text": f"{name}/{p}"} for p in range(parts)])
    return info.id


async def lease_of(store: Store, chat_id: int) -> tuple[str | None, datetime | None]:
    """(holder, until) of the chat's delivery lease, as stored."""
    async with store.session() as s:
        holder, until = (await s.execute(
            select(ChatRow.lease_holder, ChatRow.lease_until).where(ChatRow.id == chat_id)
        )).one()
        return holder, until
