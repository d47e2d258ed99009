"""Fair delivery: a chat's own pacing never holds shared capacity.

Order-based (no timed assertions): with Telegram-like limits (1 message/s per
chat), a long queue of one chat must not keep any other chat's first message
behind its own second one. Timings are in ``bench/delivery.py --scenario
fairness``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import utcnow
from bot.delivery.outbox import Outbox
from bot.delivery.ratelimit import RateLimiter
from bot.ports import RateLimits
from bot.store import Store
from tests.delivery.fakes import RecordingSender
from tests.support.leases import chat_with_messages, lease_of

TELEGRAM_LIKE = RateLimits(global_per_second=30, per_chat_per_second=1, per_group_per_minute=None)


async def test_the_limiter_serves_a_chats_first_message_before_another_chats_second() -> None:
    limiter = RateLimiter(TELEGRAM_LIKE)
    order: list[str] = []

    async def big() -> None:
        for n in range(3):
            await limiter.acquire("big")
            order.append(f"big/{n}")

    async def small(name: str) -> None:
        await limiter.acquire(name)
        order.append(name)

    first = asyncio.create_task(big())
    while not order:  # the big chat has had its first slot
        await asyncio.sleep(0.001)
    await asyncio.gather(first, *(small(f"s{i}") for i in range(20)))
    assert order[0] == "big/0"
    assert order.index("big/1") > max(order.index(f"s{i}") for i in range(20))


async def test_one_long_queue_takes_one_place_in_the_window(store: Store) -> None:
    """A window of 2 chats: the 30-message chat queued first takes one place; the
    other chats' messages all go out while it is still sending."""
    sender = RecordingSender(limits=RateLimits(global_per_second=200, per_chat_per_second=20,
                                               per_group_per_minute=None))
    await chat_with_messages(store, "big", 30)
    for c in range(6):
        await chat_with_messages(store, f"small{c}", 1)
    box = Outbox(store, {"telegram": sender}, max_in_flight=2, per_chat_batch=5,
                 base_backoff_s=0.01, send_timeout_s=0.5)
    assert await box.run_once() == 36
    texts = [t for _, t in sender.delivered]
    assert [t for t in texts if t.startswith("big/")] == [f"big/{p}" for p in range(30)]
    assert max(texts.index(f"small{c}/0") for c in range(6)) < texts.index("big/29")


async def test_deliver_chat_sends_one_chats_rows_unless_another_worker_holds_it(
        store: Store) -> None:
    chat = await chat_with_messages(store, "solo", 12)
    other = await chat_with_messages(store, "held", 2)
    now = utcnow()
    assert await store.outbox.claim_chats({other}, "someone-else", now=now,
                                          until=now + timedelta(seconds=60))
    sender = RecordingSender()
    box = Outbox(store, {"telegram": sender}, per_chat_batch=5, send_timeout_s=0.5)
    assert await box.deliver_chat(other) == 0
    assert await box.deliver_chat(chat) == 12  # three batches of at most 5
    assert [t for _, t in sender.delivered] == [f"solo/{p}" for p in range(12)]
    assert await lease_of(store, chat) == (None, None)
    assert (await lease_of(store, other))[0] == "someone-else"
