"""Outbox rows and their delivery jobs: written together, run by a real worker."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest
from sqlalchemy import text

from bot.delivery.outbox import Outbox
from bot.domain import ChatRef
from bot.engine.app import build_app, worker_options
from bot.engine.tasks import Runtime
from bot.settings import Settings
from bot.store import Store
from bot.store.jobs import install_delivery_jobs
from bot.store.models import ChatRow
from bot.store.outbox import outbox_rows
from tests.delivery.fakes import RecordingSender

pytestmark = pytest.mark.postgres

A = ChatRef("telegram", "100")
B = ChatRef("telegram", "200")


async def jobs(store: Store) -> list[tuple[str, str, str, dict[str, Any]]]:
    async with store.session() as s:
        rows = await s.execute(text(
            "SELECT task_name, status::text, queueing_lock, args FROM procrastinate_jobs ORDER BY id"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def runtime(store: Store, sender: RecordingSender, url: str) -> Runtime:
    outbox = Outbox(store, {"telegram": sender}, send_timeout_s=5.0, lease_s=30.0)
    return Runtime(settings=Settings(database_url=url), store=store,
                   pipeline=cast(Any, None), outbox=outbox, senders={"telegram": sender},
                   scheduler=cast(Any, None))


async def test_outbox_rows_and_their_job_commit_together(pg_store: Store) -> None:
    install_delivery_jobs(pg_store.db)
    for ref in (A, B):
        await pg_store.chats.upsert_chat(ref)
    assert await pg_store.outbox.queue_message(A, [{"text": "a1"}], key="k1")
    assert await pg_store.outbox.queue_message(A, [{"text": "a2"}, {"text": "a3"}], key="k2")
    assert await pg_store.outbox.queue_message(B, [{"text": "b1"}], key="k3")
    found = await jobs(pg_store)
    # one waiting job per chat, however many rows: the queueing lock
    assert [(t, st) for t, st, _, _ in found] == [("newsbot.deliver_chat", "todo")] * 2
    assert sorted(a["chat_id"] for *_, a in found) == sorted(
        [(await pg_store.chats.get_chat(r)).id for r in (A, B)])  # type: ignore[union-attr]

    # rows rolled back: their job goes with them
    chat_c = await pg_store.chats.upsert_chat(ChatRef("telegram", "300"))
    with pytest.raises(RuntimeError):
        async with pg_store.session() as s:
            row = await s.get(ChatRow, chat_c.id)
            assert row is not None
            s.add_all(outbox_rows(row.id, None, "x", [{"text": "never"}], row.created_at))
            await s.flush()
            raise RuntimeError("abort the transaction")
    assert len(await jobs(pg_store)) == 2


async def test_a_real_worker_delivers_every_chat_in_order(pg_store: Store,
                                                          engine_db_url: str) -> None:
    install_delivery_jobs(pg_store.db)
    sender = RecordingSender()
    chats = [ChatRef("telegram", str(1000 + i)) for i in range(12)]
    for ref in chats:
        await pg_store.chats.upsert_chat(ref)
        for n in range(3):
            await pg_store.outbox.queue_message(
                ref, [{"text": f"{ref.external_id}-{n}-{p}"} for p in range(2)], key=f"m{n}")
    app = build_app(engine_db_url)
    rt = runtime(pg_store, sender, engine_db_url)
    async with app.open_async():
        options = worker_options(rt, queues=["delivery"], concurrency=4, name="test")
        options["wait"] = False  # stop once the queue is empty
        await app.run_worker_async(**options)
    for ref in chats:
        got = [t for c, t in sender.delivered if c == ref.external_id]
        assert got == [f"{ref.external_id}-{n}-{p}" for n in range(3) for p in range(2)]
    status = await pg_store.outbox.outbox_status()
    assert (status.pending, status.sent) == (0, 72)
    # (the periodic ticks deferred by the worker wait for a worker on the "ticks" queue)
    assert {st for t, st, _, _ in await jobs(pg_store) if t == "newsbot.deliver_chat"} == {
        "succeeded"}


async def test_a_chat_waiting_on_a_retry_gets_its_job_again_later(pg_store: Store,
                                                                  engine_db_url: str) -> None:
    from bot.errors import DeliveryError

    install_delivery_jobs(pg_store.db)
    failures = iter([DeliveryError("502 from the platform")])

    def fail_once(_to: ChatRef, _payload: dict[str, Any], _n: int) -> BaseException | None:
        return next(failures, None)

    sender = RecordingSender(fault=fail_once)
    await pg_store.chats.upsert_chat(A)
    await pg_store.outbox.queue_message(A, [{"text": "first"}, {"text": "second"}], key="r")
    rt = runtime(pg_store, sender, engine_db_url)
    rt.outbox.base_backoff_s = rt.outbox.max_backoff_s = 0.01  # retry at once
    app = build_app(engine_db_url)
    async with app.open_async():
        options = worker_options(rt, queues=["delivery"], concurrency=2, name="test")
        worker = asyncio.create_task(app.run_worker_async(**options))
        deadline = time.monotonic() + 30
        while len(sender.delivered) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert [t for _, t in sender.delivered] == ["first", "second"]
    found = [j for j in await jobs(pg_store) if j[0] == "newsbot.deliver_chat"]
    assert len(found) >= 2 and {st for _, st, _, _ in found} == {"succeeded"}


async def test_a_digest_promised_by_digest_is_deferred_once_when_the_first_stories_are_ready(
        pg_store: Store, engine_db_url: str) -> None:
    from bot.domain import Schedule
    from bot.engine.tasks import DIGEST_TASK, defer_realtime_digests
    from bot.records import EntryRecord

    feed, _ = await pg_store.feeds.add_feed("https://news.example/rss.xml")
    daily, realtime, other = ChatRef("telegram", "1"), ChatRef("telegram", "2"), ChatRef("telegram", "3")
    for ref in (daily, realtime, other):
        await pg_store.chats.upsert_chat(ref)
        await pg_store.chats.subscribe(ref, feed.id)
    await pg_store.chats.set_schedule(realtime, Schedule(mode="realtime"))
    [article] = await pg_store.articles.add_entries(feed.id, [EntryRecord(
        "g1", "https://news.example/a", "https://news.example/a", "A", None)])
    await pg_store.chats.want_digest(daily)  # "/digest": the first stories are being read
    rt = runtime(pg_store, RecordingSender(), engine_db_url)

    assert await defer_realtime_digests(rt, [article]) == 2  # the promise and the realtime chat
    deferred = [a for t, _, _, a in await jobs(pg_store) if t == DIGEST_TASK]
    assert sorted(a["external_id"] for a in deferred) == ["1", "2"]
    assert await defer_realtime_digests(rt, [article]) == 1  # promised once; realtime waits already
    assert len([t for t, *_ in await jobs(pg_store) if t == DIGEST_TASK]) == 2


@pytest.mark.parametrize("seed", [1, 2])
async def test_engine_delivery_under_faults_once_in_order_within_retry_after(
        pg_store: Store, engine_db_url: str, seed: int) -> None:
    """The fault test on the engine: 20% of sends rate limited, failing with HTTP 500
    or hanging past the send timeout, two workers' worth of job concurrency."""
    from collections import Counter

    from tests.delivery.fakes import assert_no_send_inside_retry_after, random_faults

    install_delivery_jobs(pg_store.db)
    sender = RecordingSender(fault=random_faults(0.2, seed))
    chats = [ChatRef("telegram", str(3000 + i)) for i in range(20)]
    for ref in chats:
        await pg_store.chats.upsert_chat(ref)
        await pg_store.outbox.queue_message(ref, [{"text": f"{ref.external_id}/{p}"} for p in range(3)],
                                            key="d")
    rt = runtime(pg_store, sender, engine_db_url)
    rt.outbox.base_backoff_s, rt.outbox.max_backoff_s = 0.01, 0.1
    rt.outbox.send_timeout_s = 0.05
    rt.outbox.max_attempts = 30
    app = build_app(engine_db_url)
    async with app.open_async():
        options = worker_options(rt, queues=["delivery"], concurrency=8, name="faults")
        worker = asyncio.create_task(app.run_worker_async(**options))
        deadline = time.monotonic() + 90
        while (await pg_store.outbox.outbox_status()).pending and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    status = await pg_store.outbox.outbox_status()
    assert (status.pending, status.failed, status.sent) == (0, 0, 60)
    counts = Counter(sender.delivered)
    assert max(counts.values()) == 1 and len(counts) == 60
    for ref in chats:
        assert [t for c, t in sender.delivered if c == ref.external_id] == [
            f"{ref.external_id}/{p}" for p in range(3)]
    outcomes = Counter(a.outcome for a in sender.attempts)
    assert outcomes["rate_limited"] and outcomes["error"] and outcomes["timeout"]
    assert_no_send_inside_retry_after(sender.attempts)


async def test_jobs_carry_their_queues_priority_so_the_article_backlog_waits_behind(
        pg_store: Store, engine_db_url: str) -> None:
    """A worker's fetch walks every queue's waiting jobs in priority order: the
    article backlog must come last, deliveries first (bench/engine_fetch.py)."""
    from bot.engine.tasks import PRIORITIES, defer_articles

    install_delivery_jobs(pg_store.db)
    await pg_store.chats.upsert_chat(A)
    await pg_store.outbox.queue_message(A, [{"text": "hello"}], key="p")
    rt = runtime(pg_store, RecordingSender(), engine_db_url)
    await defer_articles(rt, [1, 2])
    async with pg_store.session() as s:
        rows = (await s.execute(text(
            "SELECT queue_name, priority FROM procrastinate_jobs ORDER BY id"))).all()
    assert set(rows) == {("delivery", PRIORITIES["delivery"]), ("process", PRIORITIES["process"])}
    assert PRIORITIES["process"] == min(PRIORITIES.values())
    assert PRIORITIES["delivery"] == max(PRIORITIES.values())


async def test_waiting_and_running_jobs_are_indexed_by_lock(pg_store: Store) -> None:
    """procrastinate's fetch looks up each candidate's lock; without this index
    (migration 0010) that lookup scanned the whole (id, lock) index."""
    async with pg_store.session() as s:
        plan = "\n".join(r[0] for r in await s.execute(text(
            "EXPLAIN SELECT 1 FROM procrastinate_jobs WHERE lock = 'deliver:1' "
            "AND status IN ('todo', 'doing')")))
    assert "newsbot_procrastinate_jobs_lock_idx" in plan, plan
