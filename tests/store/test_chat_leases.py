"""Chat delivery leases in the store (migration 0002), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.clock import utcnow
from bot.store import Store
from bot.store.models import Base
from tests.support.leases import chat_with_messages, lease_of

MINUTE = timedelta(minutes=1)


async def test_the_migrations_match_the_models(store: Store) -> None:
    def diff(conn: Any) -> list[Any]:
        # procrastinate's tables (task engine, migration 0009) are not our models
        opts = {"include_name": lambda name, *_: not (name or "").startswith("procrastinate_")}
        return compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)

    async with store.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_a_claim_is_exclusive_until_released_or_expired(store: Store) -> None:
    chat = await chat_with_messages(store, "a")
    now = utcnow()
    assert await store.outbox.claim_chats([chat], "w1", now=now, until=now + MINUTE) == {chat}
    assert await lease_of(store, chat) == ("w1", now + MINUTE)
    assert await store.outbox.claim_chats([chat], "w2", now=now, until=now + MINUTE) == set()
    # the holder may claim again (it extends its own lease)
    later = now + 2 * MINUTE
    assert await store.outbox.claim_chats([chat], "w1", now=now, until=later) == {chat}
    # another worker's release or renewal does not touch it
    await store.outbox.release_chats([chat], "w2")
    assert await store.outbox.renew_chat_leases([chat], "w2", until=later + MINUTE) == set()
    assert await lease_of(store, chat) == ("w1", later)
    # expired: anyone may take it over; the old holder can no longer renew it
    assert await store.outbox.claim_chats([chat], "w2", now=later, until=later + MINUTE) == {chat}
    assert await store.outbox.renew_chat_leases([chat], "w1", until=later + 2 * MINUTE) == set()
    assert await store.outbox.renew_chat_leases([chat], "w2", until=later + 2 * MINUTE) == {chat}
    await store.outbox.release_chats([chat], "w2")
    assert await lease_of(store, chat) == (None, None)
    assert await store.outbox.claim_chats([chat], "w3", now=now, until=now + MINUTE) == {chat}


async def test_racing_claims_give_each_chat_to_exactly_one_worker(store: Store) -> None:
    """Separate engines (as separate processes would have) claim the same
    chats at once: every chat ends up with exactly one holder."""
    chats = [await chat_with_messages(store, f"c{i}") for i in range(40)]
    stores = [await Store.open(store.url, migrate=False) for _ in range(4)]
    now = utcnow()
    try:
        results = await asyncio.gather(*(
            st.outbox.claim_chats(chats[i % 3:], f"w{w}-{i}", now=now, until=now + MINUTE)
            for w, st in enumerate(stores) for i in range(3)
        ))
    finally:
        for st in stores:
            await st.close()
    claimed = [c for result in results for c in result]
    assert sorted(claimed) == chats  # each chat once, none left out
    for chat in chats:
        holder, _ = await lease_of(store, chat)
        assert holder is not None and sum(chat in r for r in results) == 1


async def test_due_deliveries_skip_chats_held_by_another_live_lease(store: Store) -> None:
    mine = await chat_with_messages(store, "mine")
    theirs = await chat_with_messages(store, "theirs")
    expired = await chat_with_messages(store, "expired")
    free = await chat_with_messages(store, "free")
    now = utcnow()
    await store.outbox.claim_chats([mine], "me", now=now, until=now + MINUTE)
    await store.outbox.claim_chats([theirs], "them", now=now, until=now + MINUTE)
    await store.outbox.claim_chats([expired], "them", now=now - 2 * MINUTE, until=now - MINUTE)

    def chats(items: list[Any]) -> set[int]:
        return {i.chat_id for i in items}

    assert chats(await store.outbox.due_deliveries(now, worker="me")) == {mine, expired, free}
    assert chats(await store.outbox.due_deliveries(now)) == {expired, free}  # no worker: skip all live
    assert chats(await store.outbox.due_deliveries(now, worker="me", only_chats=[mine, theirs])) == {mine}
    # after the lease ends the chat is due for everyone
    assert theirs in chats(await store.outbox.due_deliveries(now + MINUTE, worker="me"))


async def test_next_delivery_time_waits_for_another_workers_lease(store: Store) -> None:
    chat = await chat_with_messages(store, "a")
    now = utcnow()
    await store.outbox.claim_chats([chat], "them", now=now, until=now + MINUTE)
    assert await store.outbox.next_delivery_time(now, worker="me") == now + MINUTE
    queued_at = await store.outbox.next_delivery_time(now, worker="them")
    assert queued_at is not None and queued_at <= now  # due now for the holder
