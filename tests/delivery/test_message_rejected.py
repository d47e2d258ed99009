"""A message the platform refuses for good (MessageRejected) is failed after one send,
and the chat's next message still goes: on SQLite and PostgreSQL.

The outbox part uses the in-process RecordingSender; the end-to-end part sends
through the real Telegram adapter (python-telegram-bot) to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.adapters.telegram import TelegramAdapter
from bot.delivery.outbox import REJECTED_PREFIX, Outbox
from bot.domain import ChatRef
from bot.errors import DeliveryError, MessageRejected
from bot.store import Store
from bot.store.models import DeliveryRow
from tests.adapters.telegram.helpers import FAST_LIMITS
from tests.delivery.fakes import RecordingSender
from tests.support.fake_telegram import FakeTelegram, running_fake_telegram, telegram_settings

REASON = "Telegram: Message is too long"


async def queue(store: Store, chat: str, texts: list[str]) -> ChatRef:
    ref = ChatRef("telegram", chat)
    await store.chats.upsert_chat(ref)
    await store.digests.create_digest(ref, [], [{"text": t} for t in texts])
    return ref


async def rows(store: Store) -> list[DeliveryRow]:
    async with store.session() as s:
        return list((await s.execute(select(DeliveryRow).order_by(DeliveryRow.id))).scalars())


def reject(text: str) -> Any:
    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        return MessageRejected(REASON) if payload["text"] == text else None

    return fault


async def test_rejected_row_fails_after_one_send_and_the_next_row_goes(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    sender = RecordingSender(fault=reject("a/1"))
    ref = await queue(store, "a", ["a/0", "a/1", "a/2"])
    await queue(store, "b", ["b/0"])
    # the default max_attempts (6) and a tiny backoff: a retried row would be sent again below
    box = Outbox(store, {"telegram": sender}, base_backoff_s=0.001, max_backoff_s=0.001)

    with caplog.at_level(logging.WARNING, logger="bot.delivery.outbox"):
        assert await box.run_once() == 3
    assert await box.run_once() == 0

    # tried exactly once; the chat's rows before and after it went, in order
    assert [a.text for a in sender.attempts if a.chat == "a"] == ["a/0", "a/1", "a/2"]
    assert [t for c, t in sender.delivered if c == "a"] == ["a/0", "a/2"]
    assert ("b", "b/0") in sender.delivered
    status = await store.outbox.outbox_status()
    assert (status.pending, status.sent, status.failed) == (0, 3, 1)
    [(where, _key, error)] = status.failures
    assert where == "telegram:a" and error == REJECTED_PREFIX + REASON
    [failed] = [r for r in await rows(store) if r.status == "failed"]
    assert failed.attempts == 1 and failed.part == 1

    # the chat is not paused
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active and chat.inactive_reason is None

    # one warning line, naming the row and the reason
    [record] = [r for r in caplog.records if r.name == "bot.delivery.outbox"]
    assert record.levelno == logging.WARNING
    assert REASON in record.getMessage() and "not retried" in record.getMessage()


async def test_a_plain_delivery_error_is_still_retried(store: Store) -> None:
    """The contrast: the same refusal as a plain DeliveryError costs max_attempts sends."""

    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        return DeliveryError(REASON) if payload["text"] == "a/0" else None

    sender = RecordingSender(fault=fault)
    await queue(store, "a", ["a/0"])
    box = Outbox(store, {"telegram": sender}, base_backoff_s=0.001, max_backoff_s=0.001,
                 max_attempts=3)
    for _ in range(200):
        await box.run_once()
        if (await store.outbox.outbox_status()).pending == 0:
            break
        await asyncio.sleep(0.005)
    assert len(sender.attempts) == 3
    [(_, _, error)] = (await store.outbox.outbox_status()).failures
    assert not error.startswith(REJECTED_PREFIX)


# ---------------------------------------------------------------- end to end


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeTelegram, TelegramAdapter]]:
    async with running_fake_telegram() as server:
        adapter = TelegramAdapter(telegram_settings(server), limits=FAST_LIMITS)
        await adapter.connect()
        try:
            yield server, adapter
        finally:
            await adapter.close()


@pytest.mark.parametrize("how", ["injected", "over-long text"])
async def test_too_long_through_the_real_telegram_client_is_tried_once(
    store: Store, telegram: tuple[FakeTelegram, TelegramAdapter], how: str
) -> None:
    server, adapter = telegram
    first = "x" * 5000 if how == "over-long text" else "part 0"
    if how == "injected":
        server.inject("bad_request", chat_id=42, description="Bad Request: message is too long")
    await queue(store, "42", [first, "part 1"])
    box = Outbox(store, {"telegram": adapter}, base_backoff_s=0.001, max_backoff_s=0.001)

    assert await box.run_once() == 1
    assert await box.run_once() == 0

    calls = server.calls_to("sendMessage", chat_id=42)
    assert [(c.status, c.description) for c in calls] == [
        (400, "Bad Request: message is too long"),
        (200, None),
    ]
    assert [m["text"] for m in server.sent_messages(42)] == ["part 1"]
    status = await store.outbox.outbox_status()
    assert (status.pending, status.sent, status.failed) == (0, 1, 1)
    assert status.failures[0][2] == REJECTED_PREFIX + REASON
