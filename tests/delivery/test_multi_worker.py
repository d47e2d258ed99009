"""Several outbox workers on one database (chat leases), on SQLite and PostgreSQL.

Each worker has its own Store (its own engine and connections, as a separate
process would) and its own sender; a shared log records every accepted
message in the order the platform accepted it. Time is the Outbox's injectable
clock wherever a lease must expire or be renewed, never a real wait.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import utcnow
from bot.delivery.outbox import Outbox
from bot.domain import ChatRef
from bot.errors import RateLimited
from bot.store import Store
from bot.store.outbox import OutboxStore
from tests.delivery.fakes import RecordingSender
from tests.support.leases import chat_with_messages, lease_of

CHATS, PARTS = 50, 3


class Gate:
    """Holds every send until it is opened: by :meth:`open`, or (``names``
    given) once each named worker has started a send, so that each of them
    does part of the work whatever the scheduling."""

    def __init__(self, names: tuple[str, ...] = ()) -> None:
        self.waiting = set(names)
        self.auto = bool(names)
        self.arrived = asyncio.Event()  # a send has started
        self.opened = asyncio.Event()

    def open(self) -> None:
        self.opened.set()

    async def arrive(self, name: str) -> None:
        self.arrived.set()
        self.waiting.discard(name)
        if self.auto and not self.waiting:
            self.opened.set()
        await asyncio.wait_for(self.opened.wait(), 10)


@dataclass
class LoggingSender(RecordingSender):
    """A RecordingSender that waits at a gate first and appends every accepted
    message to a log shared by all workers: (worker, chat, text)."""

    name: str = "w"
    log: list[tuple[str, str, str]] = field(default_factory=list)
    gate: Gate | None = None

    async def send_payload(self, to: ChatRef, payload: dict[str, Any]) -> str | None:
        if self.gate is not None:
            await self.gate.arrive(self.name)
        message_id = await super().send_payload(to, payload)
        self.log.append((self.name, to.external_id, str(payload["text"])))
        return message_id


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def queue(store: Store, chat: str, parts: int = PARTS) -> int:
    return await chat_with_messages(store, chat, parts)


@asynccontextmanager
async def worker_stores(store: Store, n: int) -> AsyncIterator[list[Store]]:
    stores = [await Store.open(store.url, migrate=False) for _ in range(n)]
    try:
        yield stores
    finally:
        for st in stores:
            await st.close()


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 5.0) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.005)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for: {what}") from None


def outbox(store: Store, sender: RecordingSender, name: str, **kw: Any) -> Outbox:
    kw.setdefault("base_backoff_s", 0.01)
    kw.setdefault("send_timeout_s", 0.5)
    return Outbox(store, {"telegram": sender}, worker_id=name, **kw)


def in_chat(log: list[tuple[str, str, str]], chat: str) -> list[str]:
    return [text for _, c, text in log if c == chat]


@pytest.mark.slow  # four workers, many chats
async def test_workers_share_the_outbox_and_send_each_message_once_in_order(store: Store) -> None:
    names = ("w1", "w2", "w3")
    log: list[tuple[str, str, str]] = []
    gate = Gate(names)
    limited: set[str] = set()

    def fault(to: ChatRef, payload: dict[str, Any], n: int) -> BaseException | None:
        # part 1 of every fifth chat is rate limited once: that chat is released
        # half sent and its rest may go out from another worker
        text = payload["text"]
        if text.endswith("/1") and int(to.external_id[4:]) % 5 == 0 and text not in limited:
            limited.add(text)
            return RateLimited(0.02)
        return None

    chat_ids = [await queue(store, f"chat{c}") for c in range(CHATS)]
    async with worker_stores(store, len(names)) as stores:
        senders = [LoggingSender(name=n, log=log, gate=gate, fault=fault) for n in names]
        # a small window: a worker claims a few chats at a time, not the whole outbox
        boxes = [outbox(st, s, n, max_in_flight=6) for st, s, n in
                 zip(stores, senders, names, strict=True)]
        stop = asyncio.Event()
        workers = [asyncio.create_task(box.run_forever(stop)) for box in boxes]
        try:
            await wait_for(lambda: _nothing_pending(store), "every message sent", timeout=60)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*workers), 10)

    expected = {(f"chat{c}", f"chat{c}/{p}") for c in range(CHATS) for p in range(PARTS)}
    counts = Counter((chat, text) for _, chat, text in log)
    assert set(counts) == expected and max(counts.values()) == 1  # exactly once
    for c in range(CHATS):
        assert in_chat(log, f"chat{c}") == [f"chat{c}/{p}" for p in range(PARTS)]
    by_worker = Counter(name for name, _, _ in log)
    assert set(by_worker) == set(names), by_worker  # each did some of the work
    assert len(limited) == CHATS // 5
    for chat_id in chat_ids:
        assert await lease_of(store, chat_id) == (None, None)  # all released


async def _nothing_pending(store: Store) -> bool:
    return (await store.outbox.outbox_status()).pending == 0


async def test_a_dead_workers_chat_waits_until_its_lease_expires(store: Store) -> None:
    held = await queue(store, "held")
    await queue(store, "free")
    clock = Clock()
    # a worker claims the chat and dies before sending (it never releases it)
    assert await store.outbox.claim_chats([held], "dead", now=clock.now,
                                   until=clock.now + timedelta(seconds=60)) == {held}
    sender = RecordingSender()
    box = outbox(store, sender, "alive", clock=clock)

    clock.advance(59)
    assert await box.run_once() == PARTS
    assert {chat for chat, _ in sender.delivered} == {"free"}
    # the worker sleeps until the dead worker's lease ends, not until the rows' due time
    assert await store.outbox.next_delivery_time(clock.now, worker="alive") == clock.now + timedelta(seconds=1)

    clock.advance(1)
    assert await box.run_once() == PARTS
    assert [t for c, t in sender.delivered if c == "held"] == [f"held/{p}" for p in range(PARTS)]
    assert await lease_of(store, held) == (None, None)


async def test_renewal_keeps_a_long_running_chat_from_being_taken_over(store: Store) -> None:
    chat = await queue(store, "long")
    clock = Clock()  # after queueing: the rows are due
    start = clock.now
    log: list[tuple[str, str, str]] = []
    gate = Gate()
    a_sender = LoggingSender(name="a", log=log, gate=gate)
    b_sender = LoggingSender(name="b", log=log)
    async with worker_stores(store, 2) as (store_a, store_b):
        a = outbox(store_a, a_sender, "a", clock=clock, lease_s=60, renew_interval_s=0.01,
                   send_timeout_s=10)
        b = outbox(store_b, b_sender, "b", clock=clock)
        sending = asyncio.create_task(a.run_once())
        await asyncio.wait_for(gate.arrived.wait(), 5)  # a is stuck sending part 0
        assert await lease_of(store, chat) == ("a", start + timedelta(seconds=60))

        clock.advance(50)

        async def renewed() -> bool:
            _, until = await lease_of(store, chat)
            return until == start + timedelta(seconds=110)

        await wait_for(renewed, "a renews its lease")
        clock.advance(50)  # the first lease has ended; the renewed one has not
        assert await b.run_once() == 0
        assert b_sender.attempts == []

        gate.open()
        assert await asyncio.wait_for(sending, 10) == PARTS
    assert log == [("a", "long", f"long/{p}") for p in range(PARTS)]
    assert await lease_of(store, chat) == (None, None)


async def test_a_worker_that_stalled_past_its_lease_stops_sending_to_the_chat(store: Store) -> None:
    chat = await queue(store, "slow")
    clock = Clock()  # after queueing: the rows are due
    start = clock.now
    log: list[tuple[str, str, str]] = []
    gate = Gate()
    sender = LoggingSender(name="a", log=log, gate=gate)
    # no renewal comes within the test: the worker is stalled
    a = outbox(store, sender, "a", clock=clock, lease_s=60, renew_interval_s=30, send_timeout_s=10)
    sending = asyncio.create_task(a.run_once())
    await asyncio.wait_for(gate.arrived.wait(), 5)

    clock.advance(61)  # the lease ended while part 0 was being sent: another worker takes over
    until = start + timedelta(seconds=200)
    assert await store.outbox.claim_chats([chat], "b", now=clock.now, until=until) == {chat}
    gate.open()
    assert await asyncio.wait_for(sending, 10) == 1  # the send in flight ends; no new one starts
    assert log == [("a", "slow", "slow/0")]
    assert await lease_of(store, chat) == ("b", until)  # and b's lease is left alone
    assert (await store.outbox.outbox_status()).pending == PARTS - 1


class RacingOutbox(OutboxStore):
    """An outbox store that runs ``before_claim`` (once) just before its next claim."""

    before_claim: Callable[[], Awaitable[object]] | None = None

    async def claim_chats(self, *args: Any, **kwargs: Any) -> set[int]:
        hook, self.before_claim = self.before_claim, None
        if hook is not None:
            await hook()
        return await super().claim_chats(*args, **kwargs)


class RacingStore(Store):
    """A store whose outbox runs ``outbox.before_claim`` just before its next claim."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.outbox = RacingOutbox(self.db)


async def test_rows_another_worker_sent_between_look_and_claim_are_not_sent_again(
    store: Store,
) -> None:
    await queue(store, "a")
    log: list[tuple[str, str, str]] = []
    first = outbox(store, LoggingSender(name="first", log=log), "first")
    racer = RacingStore(store.url)  # already migrated
    try:
        # "late" has seen the rows due; before it claims the chat, "first"
        # sends them all and releases it
        racer.outbox.before_claim = first.run_once
        late = outbox(racer, LoggingSender(name="late", log=log), "late")
        assert await late.run_once() == 0
    finally:
        await racer.close()
    assert log == [("first", "a", f"a/{p}") for p in range(PARTS)]
