"""The outbox worker's rules, one per test, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import utcnow
from bot.delivery.outbox import Outbox
from bot.domain import ChatRef
from bot.errors import ChatMigrated, DeliveryError, GoneKind, RateLimited, RecipientGone
from bot.store import Store
from tests.delivery.fakes import RecordingSender


async def queue(store: Store, chat: str, parts: int, *, kind: str = "private",
                platform: str = "telegram") -> ChatRef:
    ref = ChatRef(platform, chat)  # type: ignore[arg-type]
    await store.chats.upsert_chat(ref, kind=kind)  # type: ignore[arg-type]
    await store.digests.create_digest(ref, [], [{"text": f"{chat}/{p}"} for p in range(parts)])
    return ref


def outbox(store: Store, sender: RecordingSender, **kw: Any) -> Outbox:
    kw.setdefault("base_backoff_s", 0.01)
    kw.setdefault("send_timeout_s", 0.2)
    return Outbox(store, {"telegram": sender}, **kw)


async def test_sends_every_part_in_order_and_never_twice(store: Store) -> None:
    sender = RecordingSender()
    for c in range(5):
        await queue(store, f"c{c}", 3)
    box = outbox(store, sender)
    assert await box.run_once() == 15
    for c in range(5):
        assert [t for chat, t in sender.delivered if chat == f"c{c}"] == [f"c{c}/{p}" for p in range(3)]
    assert await box.run_once() == 0  # sent rows are never resent
    status = await store.outbox.outbox_status()
    assert (status.pending, status.sent, status.failed) == (0, 15, 0)


async def test_rate_limited_waits_without_counting_an_attempt(store: Store) -> None:
    calls: list[str] = []

    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        calls.append(payload["text"])
        return RateLimited(0.3) if len(calls) == 1 else None

    sender = RecordingSender(fault=fault)
    await queue(store, "a", 2)
    box = outbox(store, sender, max_attempts=1)  # a counted attempt would fail the row at once
    assert await box.run_once() == 0  # part 0 must wait; part 1 must not overtake it
    assert sender.delivered == []
    assert await store.outbox.due_deliveries(utcnow()) == []
    await asyncio.sleep(0.35)
    assert await box.run_once() == 2
    assert sender.delivered == [("a", "a/0"), ("a", "a/1")]
    limited, first_ok = sender.attempts[0], sender.attempts[1]
    assert first_ok.at - limited.at >= 0.3


async def test_recipient_gone_pauses_the_chat_and_keeps_its_messages(store: Store) -> None:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        if to.external_id == "gone":
            return RecipientGone(GoneKind.BLOCKED, "bot was blocked by the user")
        return None

    sender = RecordingSender(fault=fault)
    gone = await queue(store, "gone", 2)
    await queue(store, "ok", 2)
    box = outbox(store, sender)
    assert await box.run_once() == 2
    chat = await store.chats.get_chat(gone)
    assert chat is not None and not chat.active and chat.inactive_reason == "bot was blocked by the user"
    assert chat.inactive_kind is GoneKind.BLOCKED
    assert (await store.outbox.outbox_status()).pending == 2  # kept, not failed
    # the user unblocks: the chat is re-activated and gets everything, in order
    sender.fault = None
    await store.chats.resume_chat(gone)
    assert await box.run_once() == 2
    assert [t for c, t in sender.delivered if c == "gone"] == ["gone/0", "gone/1"]


async def test_chat_migration_moves_the_chat_and_resends(store: Store) -> None:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        return ChatMigrated("-100777") if to.external_id == "-5" else None

    sender = RecordingSender(fault=fault)
    await queue(store, "-5", 2, kind="group")
    box = outbox(store, sender)
    assert await box.run_once() == 2
    assert sender.delivered == [("-100777", "-5/0"), ("-100777", "-5/1")]
    assert await store.chats.get_chat(ChatRef("telegram", "-5")) is None
    assert await store.chats.get_chat(ChatRef("telegram", "-100777")) is not None


async def test_errors_back_off_then_fail_visibly_and_the_next_part_still_goes(store: Store) -> None:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        return DeliveryError("HTTP 500") if payload["text"] == "a/0" else None

    sender = RecordingSender(fault=fault)
    await queue(store, "a", 2)
    box = outbox(store, sender, max_attempts=3)
    for _ in range(50):
        await box.run_once()
        if (await store.outbox.outbox_status()).pending == 0:
            break
        await asyncio.sleep(0.02)
    status = await store.outbox.outbox_status()
    assert (status.sent, status.failed) == (1, 1)
    assert status.failures[0][0] == "telegram:a" and "HTTP 500" in status.failures[0][2]
    assert [a.outcome for a in sender.attempts] == ["error", "error", "error", "ok"]
    assert sender.delivered == [("a", "a/1")]


async def test_a_timeout_counts_as_an_attempt(store: Store) -> None:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> str | None:
        return "hang" if n == 0 else None

    sender = RecordingSender(fault=fault)
    await queue(store, "a", 1)
    box = outbox(store, sender, send_timeout_s=0.05, base_backoff_s=0.3)
    assert await box.run_once() == 0
    await asyncio.sleep(0.4)
    assert await box.run_once() == 1
    assert [a.outcome for a in sender.attempts] == ["timeout", "ok"]


async def test_one_broken_chat_never_stops_the_others(store: Store) -> None:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        return RuntimeError("adapter bug") if to.external_id == "bad" else None

    sender = RecordingSender(fault=fault)
    await queue(store, "bad", 3)
    for c in range(10):
        await queue(store, f"c{c}", 1)
    box = outbox(store, sender)
    assert await box.run_once() == 10
    assert {c for c, _ in sender.delivered} == {f"c{c}" for c in range(10)}


async def test_platform_without_sender_is_kept_for_later(store: Store) -> None:
    sender = RecordingSender()
    await queue(store, "s1", 1, platform="slack")
    box = outbox(store, sender)
    assert await box.run_once() == 0
    status = await store.outbox.outbox_status()
    assert (status.pending, status.failed) == (1, 0)
    nxt = await store.outbox.next_delivery_time()
    assert nxt is not None and nxt > utcnow() + timedelta(minutes=10)


async def test_run_forever_wakes_on_notify_and_stops(store: Store) -> None:
    sender = RecordingSender()
    ref = ChatRef("telegram", "a")
    await store.chats.upsert_chat(ref)
    box = outbox(store, sender, idle_wakeup_s=30)
    stop = asyncio.Event()
    worker = asyncio.create_task(box.run_forever(stop))
    await asyncio.sleep(0.05)
    await store.digests.create_digest(ref, [], [{"text": "hello"}])
    box.notify()
    for _ in range(200):
        if sender.delivered:
            break
        await asyncio.sleep(0.01)
    assert sender.delivered == [("a", "hello")]
    stop.set()
    await asyncio.wait_for(worker, 5)


async def test_plain_messages_are_queued_once_per_key(store: Store) -> None:
    sender = RecordingSender()
    ref = ChatRef("telegram", "a")
    await store.chats.upsert_chat(ref)
    assert await store.outbox.queue_message(ref, [{"text": "feed gone"}], key="feed-off:1:2026-01-01")
    assert not await store.outbox.queue_message(ref, [{"text": "feed gone"}], key="feed-off:1:2026-01-01")
    assert await outbox(store, sender).run_once() == 1
    assert sender.delivered == [("a", "feed gone")]


async def test_settings_that_would_spin_or_lose_leases_are_refused(store: Store) -> None:
    sender = RecordingSender()
    for bad in ({"max_attempts": 0}, {"base_backoff_s": 0}, {"base_backoff_s": 10, "max_backoff_s": 1},
                {"lease_s": 10, "send_timeout_s": 30}):
        with pytest.raises(ValueError):
            Outbox(store, {"telegram": sender}, **bad)  # type: ignore[arg-type]
