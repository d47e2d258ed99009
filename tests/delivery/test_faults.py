"""Fault injection: 20% of sends are rate limited, fail with HTTP 500 or hang.

Uses the in-process :class:`~tests.delivery.fakes.RecordingSender` (the outbox
only sees the ``Sender`` protocol; the Telegram adapter's own error mapping is
tested by its owners). Every message must arrive exactly once, in order per
chat, and no send may start inside a ``retry_after`` the platform asked for:
per chat for chat-scoped limits, for every chat when platform-wide.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.delivery.outbox import Outbox
from bot.domain import ChatRef
from bot.store import Store
from tests.delivery.fakes import RecordingSender, assert_no_send_inside_retry_after, random_faults

CHATS = 40
PARTS = 3


@pytest.mark.parametrize("seed", [1, 2])
async def test_every_message_arrives_once_in_order_within_retry_after(store: Store, seed: int) -> None:
    sender = RecordingSender(fault=random_faults(0.2, seed))
    for c in range(CHATS):
        ref = ChatRef("telegram", f"chat{c}")
        await store.chats.upsert_chat(ref)
        await store.digests.create_digest(ref, [], [{"text": f"chat{c}/{p}"} for p in range(PARTS)])
    box = Outbox(store, {"telegram": sender}, base_backoff_s=0.01, max_backoff_s=0.1,
                 send_timeout_s=0.05, max_attempts=30)
    stop = asyncio.Event()
    worker = asyncio.create_task(box.run_forever(stop))
    try:
        for _ in range(3000):
            if (await store.outbox.outbox_status()).pending == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(worker, 10)

    status = await store.outbox.outbox_status()
    assert (status.pending, status.failed, status.sent) == (0, 0, CHATS * PARTS)

    # exactly once
    counts = Counter(sender.delivered)
    expected = {(f"chat{c}", f"chat{c}/{p}") for c in range(CHATS) for p in range(PARTS)}
    assert set(counts) == expected
    assert max(counts.values()) == 1

    # in order within each chat
    for c in range(CHATS):
        texts = [t for chat, t in sender.delivered if chat == f"chat{c}"]
        assert texts == [f"chat{c}/{p}" for p in range(PARTS)]

    # faults really happened, of every kind
    outcomes = Counter(a.outcome for a in sender.attempts)
    assert outcomes["rate_limited"] > 0 and outcomes["error"] > 0 and outcomes["timeout"] > 0

    # no send started inside a retry_after
    assert_no_send_inside_retry_after(sender.attempts)
