"""DST: a chat's digest fires exactly once per local day across both 2026
clock changes in London (29 March, 25 October), for 08:00 and for 01:30 (a
time that does not exist on the first day and happens twice on the second),
and a double fire on such a day builds one digest (the slot)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.domain import ChatRef, Schedule
from bot.scheduler import DailyTrigger, Scheduler
from bot.settings import Settings
from bot.store import Store
from bot.store.models import DigestRow
from tests.delivery.fakes import RecordingSender

LONDON = ZoneInfo("Europe/London")
CHANGES = [date(2026, 3, 29), date(2026, 10, 25)]


def fire_times(trigger: DailyTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Drive the trigger the way APScheduler does: next = f(prev, now)."""
    out: list[datetime] = []
    prev: datetime | None = None
    now = start
    while True:
        nxt = trigger.get_next_fire_time(prev, now)
        assert nxt is not None
        assert prev is None or nxt > prev, "a trigger that does not move forward hangs APScheduler"
        if nxt > end:
            return out
        out.append(nxt)
        prev, now = nxt, nxt + timedelta(milliseconds=5)


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (1, 30), (1, 0), (2, 0)])
def test_one_fire_per_local_day_across_the_change(change: date, hour: int, minute: int) -> None:
    trigger = DailyTrigger(hour, minute, LONDON)
    start = datetime.combine(change - timedelta(days=3), datetime.min.time(), tzinfo=LONDON)
    end = start + timedelta(days=7)
    fires = fire_times(trigger, start.astimezone(UTC), end.astimezone(UTC))
    days = Counter(f.astimezone(LONDON).date() for f in fires)
    assert list(days.values()) == [1] * 7 and len(days) == 7
    assert change in days
    for f in fires:
        local = f.astimezone(LONDON)
        if local.date() != change:
            assert (local.hour, local.minute) == (hour, minute)


def test_exact_fire_instants_on_the_change_days() -> None:
    at_0800 = DailyTrigger(8, 0, LONDON)
    assert at_0800.fire_time_on(date(2026, 3, 29)) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # BST
    assert at_0800.fire_time_on(date(2026, 10, 25)) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # GMT
    at_0130 = DailyTrigger(1, 30, LONDON)
    # 01:30 does not exist on 29 March (01:00 -> 02:00): fires just after the gap, 02:30 BST
    spring = at_0130.fire_time_on(date(2026, 3, 29))
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert spring.astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"
    # 01:30 happens twice on 25 October: fires at the first (BST) only
    autumn = at_0130.fire_time_on(date(2026, 10, 25))
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    nxt = at_0130.get_next_fire_time(autumn, autumn + timedelta(hours=1, seconds=1))
    assert nxt == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_weekdays_skip_the_weekend_across_the_change() -> None:
    trigger = DailyTrigger(8, 0, LONDON, weekdays=range(5))
    start = datetime(2026, 10, 19, tzinfo=UTC)
    fires = fire_times(trigger, start, start + timedelta(days=14))
    assert [f.astimezone(LONDON).weekday() for f in fires] == [0, 1, 2, 3, 4] * 2
    assert all(f.astimezone(LONDON).hour == 8 for f in fires)


def test_slot_is_the_run_day_even_when_fired_late() -> None:
    trigger = DailyTrigger(1, 30, LONDON)
    # the first 01:30 (BST) and the repeated 01:30 (GMT) an hour later: same slot
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    for when in (first, first + timedelta(hours=1), first + timedelta(hours=20)):
        day = trigger.last_run_day(when)
        assert day is not None and trigger.slot(day) == "2026-10-25 01:30"
    assert trigger.last_run_day(first - timedelta(seconds=1)) == date(2026, 10, 24)


async def _digests(store: Store) -> list[str]:
    async with store.session() as s:
        return list(await s.scalars(select(DigestRow.slot).order_by(DigestRow.id)))


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (1, 30)])
async def test_every_fire_and_every_double_fire_gives_one_digest_a_day(
    store: Store, hour: int, minute: int
) -> None:
    ref = ChatRef("telegram", "42")
    await store.chats.upsert_chat(ref)
    await store.chats.set_schedule(ref, Schedule("daily", hour, minute, "Europe/London"))

    async def queue(store: Store, sender: object, ref: ChatRef, *, slot: str | None = None,
                    since: datetime | None = None, update_novelty: float = 0.5,
                    embed: object = None) -> int | None:
        return await store.digests.create_digest(ref, [], [{"text": f"digest {slot}"}], slot=slot)

    sender = RecordingSender()
    from bot.delivery.outbox import Outbox

    sched = Scheduler(Settings(), store, pipeline=None, outbox=Outbox(store, {"telegram": sender}),  # type: ignore[arg-type]
                      senders={"telegram": sender}, queue_digest=queue)
    trigger = DailyTrigger(hour, minute, LONDON)
    created = 0
    for change in CHANGES:
        start = datetime.combine(change - timedelta(days=2), datetime.min.time(), tzinfo=LONDON)
        for fire in fire_times(trigger, start.astimezone(UTC), (start + timedelta(days=4)).astimezone(UTC)):
            created += await sched.fire_digest(ref, now=fire) is not None
            # a double fire (e.g. the repeated 01:30, or a restart's catch-up) builds nothing
            assert await sched.fire_digest(ref, now=fire + timedelta(hours=1)) is None
    slots = await _digests(store)
    assert created == len(slots) == 8
    assert len(set(slots)) == 8
    assert f"2026-03-29 {hour:02d}:{minute:02d}" in slots
    assert f"2026-10-25 {hour:02d}:{minute:02d}" in slots
    async with store.session() as s:
        assert await s.scalar(select(func.count()).select_from(DigestRow)) == 8
