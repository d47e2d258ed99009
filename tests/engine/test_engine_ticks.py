"""The engine's digest tick across DST changes and its progress mark under races
(PostgreSQL, as the engine runs): every scheduled chat gets exactly one digest job
per local day at its local time, however the ticks fall and however many workers
tick at once; the first mark, created by several processes at once, fails none."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import text

from bot.domain import ChatRef, Schedule
from bot.engine.tasks import DIGEST_TASK, Runtime, tick_digests
from bot.settings import Settings
from bot.store import Store
from tests.delivery.fakes import RecordingSender
from tests.scheduler.test_dst import CHANGES, LONDON

pytestmark = pytest.mark.postgres


async def digest_slots(store: Store) -> list[tuple[str, str]]:
    async with store.session() as s:
        rows = await s.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = :t "
                                    "ORDER BY id"), {"t": DIGEST_TASK})
        return [(a["external_id"], a["slot"]) for (a,) in rows]


@pytest.mark.parametrize("change", CHANGES)
async def test_one_digest_job_per_local_day_across_a_dst_change_with_overlapping_ticks(
        pg_store: Store, change: Any) -> None:
    schedules = {"8": Schedule("daily", 8, 0, "Europe/London"),
                 "130": Schedule("daily", 1, 30, "Europe/London")}
    for ident, schedule in schedules.items():
        ref = ChatRef("telegram", ident)
        await pg_store.chats.upsert_chat(ref)
        await pg_store.chats.set_schedule(ref, schedule)
    now = [datetime.combine(change - timedelta(days=2), datetime.min.time(),
                            tzinfo=LONDON).astimezone(UTC)]
    rt = Runtime(settings=Settings(), store=pg_store, pipeline=cast(Any, None),
                 outbox=cast(Any, None), senders={"telegram": RecordingSender()},
                 scheduler=cast(Any, None), clock=lambda: now[0])
    end = now[0] + timedelta(days=4)
    step = 0
    while now[0] < end:
        # two workers tick at once now and then (procrastinate dedups most, not all)
        ticks = 2 if step % 5 == 0 else 1
        await asyncio.gather(*(tick_digests(rt) for _ in range(ticks)))
        step += 1
        now[0] += timedelta(minutes=7 + step % 5)  # uneven, as a busy worker's ticks are
    slots = await digest_slots(pg_store)
    per_chat_day = Counter(slots)
    assert all(n == 1 for n in per_chat_day.values()), per_chat_day
    for ident in schedules:
        days = sorted(slot for chat, slot in slots if chat == ident)
        assert len(days) == 4, (ident, days)  # one a day: the change day included


async def test_the_first_mark_raced_by_several_processes_fails_none(engine_db_url: str) -> None:
    stores = [await Store.open(engine_db_url) for _ in range(6)]
    try:
        for round_ in range(5):
            name = f"race-{round_}"
            to = datetime(2026, 12, 1, 8, tzinfo=UTC)
            got = await asyncio.gather(*(s.leases.advance_mark(name, to + timedelta(seconds=i))
                                         for i, s in enumerate(stores)), return_exceptions=True)
            assert not [g for g in got if isinstance(g, BaseException)], got
            # one of them created it; each of the others was handed where it stood
            assert sum(g is None for g in got) == 1, got
    finally:
        for s in stores:
            await s.close()
