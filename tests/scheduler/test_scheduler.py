"""The Scheduler against the real store (SQLite and PostgreSQL): jobs derived
from the database, live resync, feed deactivation, realtime digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.delivery.outbox import Outbox
from bot.domain import Article, ChatRef, FeedInfo, Schedule, Summary
from bot.errors import GoneKind
from bot.pipeline import PollOutcome
from bot.records import EntryRecord
from bot.scheduler import DailyTrigger, Scheduler, job_id
from bot.settings import Settings
from bot.store import Store
from tests.delivery.fakes import RecordingSender


@dataclass
class FakePipeline:
    """Stands in for bot.pipeline.Pipeline: records calls, fails feeds on request."""

    store: Store
    failing: set[int] = field(default_factory=set)
    ready: list[list[int]] = field(default_factory=list)
    polled: list[int] = field(default_factory=list)

    async def poll_feed(self, feed: FeedInfo) -> PollOutcome:
        self.polled.append(feed.id)
        if feed.id in self.failing:
            n = await self.store.feeds.record_fetch_error(
                feed.id, fetched_at=datetime.now(UTC), error="HTTP 500", next_poll_at=datetime.now(UTC))
            return PollOutcome(feed.id, error="the server answered HTTP 500", consecutive_failures=n)
        return PollOutcome(feed.id)

    async def process_pending(self, limit: int = 50) -> list[int]:
        return self.ready.pop(0) if self.ready else []


def make(store: Store, pipeline: Any = None, **kw: Any) -> tuple[Scheduler, RecordingSender]:
    sender = RecordingSender()
    outbox = Outbox(store, {"telegram": sender})
    settings = Settings(feed_max_failures=3, default_timezone="Europe/Paris")
    return Scheduler(settings, store, pipeline or FakePipeline(store), outbox,
                     {"telegram": sender}, **kw), sender


async def chat(store: Store, name: str, schedule: Schedule) -> ChatRef:
    ref = ChatRef("telegram", name)
    await store.chats.upsert_chat(ref)
    await store.chats.set_schedule(ref, schedule)
    return ref


async def test_start_up_derives_jobs_from_the_store_and_changes_replace_them(store: Store) -> None:
    daily = await chat(store, "daily", Schedule("daily", 8, 0, "Europe/London"))
    weekdays = await chat(store, "weekdays", Schedule("weekdays", 7, 30))  # default tz
    await chat(store, "realtime", Schedule("realtime"))
    await chat(store, "off", Schedule("off"))
    sched, _ = make(store, poll_every_s=3600)
    await sched.start()
    try:
        jobs = sched.digest_jobs()
        assert set(jobs) == {job_id(daily), job_id(weekdays)}
        assert (jobs[job_id(daily)].hour, str(jobs[job_id(daily)].tz)) == (8, "Europe/London")
        assert jobs[job_id(weekdays)].weekdays == frozenset(range(5))
        assert str(jobs[job_id(weekdays)].tz) == "Europe/Paris"
        assert sched.aps.get_job("poll") is not None

        # a /schedule command changes the chat: the job is replaced live
        await store.chats.set_schedule(daily, Schedule("daily", 18, 45, "America/New_York"))
        await sched.sync_chat(daily)
        trigger = sched.digest_jobs()[job_id(daily)]
        assert isinstance(trigger, DailyTrigger)
        assert (trigger.hour, trigger.minute, str(trigger.tz)) == (18, 45, "America/New_York")
        nxt = sched.aps.get_job(job_id(daily)).next_run_time
        assert nxt.astimezone(trigger.tz).strftime("%H:%M") == "18:45"

        # switched off (or paused): the job goes
        await store.chats.set_schedule(daily, Schedule("off"))
        await sched.sync_chat(daily)
        await store.chats.pause_chat(weekdays, GoneKind.BLOCKED, "blocked")
        await sched.sync_chat(weekdays)
        assert sched.digest_jobs() == {}
    finally:
        await sched.stop()


async def test_a_failing_feed_is_deactivated_and_subscribers_told_once(store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://bad.example/rss", "Bad Feed")
    good, _ = await store.feeds.add_feed("https://good.example/rss", "Good Feed")
    refs = [await chat(store, f"c{i}", Schedule("off")) for i in range(2)]
    for ref in refs:
        await store.chats.subscribe(ref, feed.id)
    pipeline = FakePipeline(store, failing={feed.id})
    sched, sender = make(store, pipeline)
    for _ in range(3):
        await sched.poll_tick()
    status = await store.outbox.outbox_status()
    assert status.pending == 2  # one notice per subscriber
    assert not (await store.feeds.get_feed(feed.id)).active  # type: ignore[union-attr]
    assert (await store.feeds.get_feed(good.id)).active  # type: ignore[union-attr]
    await sched.poll_tick()  # deactivated: no longer polled, nobody told twice
    assert pipeline.polled.count(feed.id) == 3
    assert (await store.outbox.outbox_status()).pending == 2
    assert await sched.outbox.run_once() == 2
    assert all("I stopped checking Bad Feed" in text for _, text in sender.delivered)


async def test_realtime_chats_get_new_stories_at_once(store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://news.example/rss", "News")
    live = await chat(store, "live", Schedule("realtime"))
    daily = await chat(store, "later", Schedule("daily", 8, 0))
    for ref in (live, daily):
        await store.chats.subscribe(ref, feed.id)
    ids = await store.articles.add_entries(feed.id, [EntryRecord(
        guid="g1", url="https://news.example/1", canonical_url="https://news.example/1",
        title="Big story", published=datetime(2026, 1, 1, tzinfo=UTC), feed_text="Text")])
    summary = Summary(key_points=("It happened.",), quotes=(), key_quotes=(), engine="test")
    await store.articles.save_article(ids[0], Article(url="https://news.example/1", title="Big story",
                                             text="It happened.", fingerprint="fp1"), summary)
    pipeline = FakePipeline(store, ready=[ids])
    sched, sender = make(store, pipeline)  # the real bot.digest.builder.queue_digest
    await sched.poll_tick()
    assert await sched.outbox.run_once() >= 1
    assert {c for c, _ in sender.delivered} == {"live"}
    assert any("Big story" in text for _, text in sender.delivered)
