"""APScheduler jobs derived from what the store says.

The database is the source of truth: jobs live in APScheduler's in-memory job
store and are rebuilt from the chats table at start-up (:meth:`Scheduler.sync_all`)
and whenever a chat changes its schedule (:meth:`Scheduler.sync_chat`, called by
the command layer). Nothing is pickled.

Jobs:

- ``poll`` every ``poll_every_s`` (30 s): poll the feeds whose ``next_poll_at``
  is due, deactivate (and tell the subscribers of) feeds that failed
  ``feed_max_failures`` times in a row, process pending articles, and queue a
  digest at once for every "realtime" chat the new stories concern.
- ``digest:<platform>:<chat>`` per daily/weekdays chat: a :class:`DailyTrigger`
  at the chat's local time. The job queues the digest under a *slot* (the
  chat-local date and time of the run), unique per chat in the store, so a
  double fire builds one digest.

Why not APScheduler's ``CronTrigger``: in 3.11 (the installed 3.x) it fires an
ambiguous local time twice on the autumn DST day and then keeps returning that
same past time, so the scheduler's catch-up loop never ends (agronholm/apscheduler
issue #1021, open). :class:`DailyTrigger` computes "hour:minute local, once a
day" directly with ``zoneinfo``: a time that happens twice fires at its first
occurrence, a time that does not exist fires just after the gap (01:30 on the
spring-forward day in London fires at 02:30 BST), and every day fires exactly
once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import utcnow
from bot.delivery.outbox import Outbox
from bot.domain import ChatInfo, ChatRef, FeedInfo, Platform, Reply, Schedule
from bot.metrics import Metrics, PollCycle
from bot.pipeline import PollOutcome
from bot.polling import should_deactivate
from bot.ports import Sender
from bot.settings import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.digest.filters import EmbedTopics

logger = logging.getLogger(__name__)

WEEKDAYS = frozenset(range(5))  # Monday..Friday
SCHEDULED_MODES = frozenset({"daily", "weekdays"})

QueueDigest = Callable[..., Awaitable[int | None]]
"""``queue_digest(store, sender, ref, *, slot=None, since=None, update_novelty=0.5, embed=None)
-> digest id | None``."""


class PipelineLike(Protocol):
    async def poll_feed(self, feed: FeedInfo) -> PollOutcome: ...

    async def process_pending(self, limit: int = 50) -> list[int]: ...


class DailyTrigger(BaseTrigger):
    """Once per local day at ``hour:minute`` in ``tz`` (optionally only on
    ``weekdays``, Monday = 0), exactly once per day across DST changes."""

    def __init__(self, hour: int, minute: int, tz: tzinfo,
                 weekdays: Iterable[int] | None = None) -> None:
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValueError(f"invalid time {hour}:{minute}")
        self.hour, self.minute, self.tz = hour, minute, tz
        self.weekdays = frozenset(weekdays) if weekdays is not None else None

    def _runs_on(self, day: date) -> bool:
        return self.weekdays is None or day.weekday() in self.weekdays

    def fire_time_on(self, day: date) -> datetime:
        """The UTC instant of ``day``'s run. ``fold=0`` picks the first of two
        repeated wall times; for a skipped wall time zoneinfo applies the
        offset from before the gap, which lands just after it."""
        local = datetime.combine(day, time(self.hour, self.minute), tzinfo=self.tz)
        return local.astimezone(UTC)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        threshold = (
            previous_fire_time + timedelta(microseconds=1) if previous_fire_time else now
        ).astimezone(UTC)
        day = threshold.astimezone(self.tz).date() - timedelta(days=1)
        for offset in range(9):
            candidate = day + timedelta(days=offset)
            if self._runs_on(candidate):
                fire = self.fire_time_on(candidate)
                if fire >= threshold:
                    return fire
        return None  # no weekday allowed

    def last_run_day(self, now: datetime) -> date | None:
        """The local date of the latest run at or before ``now``."""
        day = now.astimezone(self.tz).date() + timedelta(days=1)
        for offset in range(9):
            candidate = day - timedelta(days=offset)
            if self._runs_on(candidate) and self.fire_time_on(candidate) <= now:
                return candidate
        return None

    def slot(self, day: date) -> str:
        """The digest slot of ``day``'s run: chat-local date and time."""
        return f"{day.isoformat()} {self.hour:02d}:{self.minute:02d}"

    def __str__(self) -> str:
        days = "mon-fri" if self.weekdays == WEEKDAYS else "daily"
        return f"daily[{self.hour:02d}:{self.minute:02d} {self.tz} {days}]"

    def __repr__(self) -> str:
        return f"<DailyTrigger {self}>"


def chat_timezone(schedule: Schedule, default: str) -> tzinfo:
    for name in (schedule.timezone, default, "UTC"):
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("unknown time zone %r; using %s", name, default)
    return UTC


def trigger_for(schedule: Schedule, default_tz: str = "UTC") -> DailyTrigger | None:
    """The trigger of a chat's schedule; None unless daily/weekdays."""
    if schedule.mode not in SCHEDULED_MODES:
        return None
    weekdays = WEEKDAYS if schedule.mode == "weekdays" else None
    return DailyTrigger(schedule.hour, schedule.minute, chat_timezone(schedule, default_tz), weekdays)


def job_id(ref: ChatRef) -> str:
    return f"digest:{ref.platform}:{ref.external_id}"


class Scheduler:
    """Runs newsbot's periodic work; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: PipelineLike,
        outbox: Outbox,
        senders: Mapping[Platform, Sender],
        *,
        queue_digest: QueueDigest | None = None,
        embed_topics: EmbedTopics | None = None,
        poll_every_s: float = 30.0,
        poll_concurrency: int | None = None,
        process_rounds: int = 20,
        catch_up: timedelta = timedelta(hours=6),
        run_outbox: bool = False,
        clock: Callable[[], datetime] = utcnow,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.store = store
        self.pipeline = pipeline
        self.outbox = outbox
        self.senders = senders
        self._queue_digest = queue_digest
        self._embed_topics = embed_topics
        self.poll_every_s = poll_every_s
        self.poll_concurrency = poll_concurrency or min(settings.fetch_concurrency, 32)
        self.process_rounds = process_rounds
        self.catch_up = catch_up
        self.run_outbox = run_outbox
        self._clock = clock
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        self._outbox_stop = asyncio.Event()
        self._outbox_task: asyncio.Task[None] | None = None
        self._pending_fires: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Derive every job from the store and start firing them."""
        self.aps.add_job(
            self.poll_tick, IntervalTrigger(seconds=self.poll_every_s, timezone=UTC),
            id="poll", name="poll feeds", next_run_time=datetime.now(UTC), replace_existing=True,
        )
        await self.sync_all(catch_up=True)
        self.aps.start()
        if self.run_outbox:
            self._outbox_stop.clear()
            self._outbox_task = asyncio.create_task(self.outbox.run_forever(self._outbox_stop))
        logger.info("scheduler started: %d digest jobs", len(self.digest_jobs()))

    async def stop(self, timeout: float = 10.0) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
        for task in list(self._pending_fires):
            task.cancel()
        if self._outbox_task is not None:
            self._outbox_stop.set()
            self.outbox.stop()
            try:
                await asyncio.wait_for(self._outbox_task, timeout)
            except TimeoutError:
                logger.warning("outbox did not stop within %.0fs", timeout)
            self._outbox_task = None

    @property
    def running(self) -> bool:
        """Whether jobs fire (for the readiness check)."""
        return bool(self.aps.running)

    # ------------------------------------------------------------- digest jobs

    def digest_jobs(self) -> dict[str, DailyTrigger]:
        return {
            job.id: job.trigger
            for job in self.aps.get_jobs()
            if job.id.startswith("digest:") and isinstance(job.trigger, DailyTrigger)
        }

    async def sync_chat(self, ref: ChatRef) -> None:
        """Add, replace or remove one chat's digest job to match the store."""
        chat = await self.store.chats.get_chat(ref)
        self._apply(ref, chat)

    async def sync_all(self, *, catch_up: bool = False) -> None:
        """Rebuild every digest job from the store. With ``catch_up``, a run
        missed while newsbot was down (within ``self.catch_up``) is done now;
        its slot makes that a no-op when the digest was built already."""
        chats = await self.store.chats.list_chats(active_only=True)
        wanted: set[str] = set()
        now = self._clock()
        for chat in chats:
            trigger = self._apply(chat.ref, chat)
            if trigger is None:
                continue
            wanted.add(job_id(chat.ref))
            if catch_up:
                day = trigger.last_run_day(now)
                if day is not None and now - trigger.fire_time_on(day) <= self.catch_up:
                    self._spawn(self.fire_digest(chat.ref, now=now))
        for jid in list(self.digest_jobs()):
            if jid not in wanted:
                self.aps.remove_job(jid)

    def _apply(self, ref: ChatRef, chat: ChatInfo | None) -> DailyTrigger | None:
        jid = job_id(ref)
        trigger = (
            trigger_for(chat.schedule, self.settings.default_timezone)
            if chat is not None and chat.active else None
        )
        if trigger is None:
            if self.aps.get_job(jid) is not None:
                self.aps.remove_job(jid)
                logger.info("digest job for %s removed", ref)
            return None
        self.aps.add_job(self.fire_digest, trigger, args=[ref], id=jid,
                         name=f"digest for {ref}", replace_existing=True)
        logger.debug("digest job for %s: %s", ref, trigger)
        return trigger

    async def fire_digest(self, ref: ChatRef, *, now: datetime | None = None) -> int | None:
        """The digest job: queue this run's digest (idempotent per slot), wake the outbox."""
        now = now or self._clock()
        chat = await self.store.chats.get_chat(ref)
        trigger = trigger_for(chat.schedule, self.settings.default_timezone) if chat else None
        if chat is None or not chat.active or trigger is None:
            self._apply(ref, chat)  # stale job (chat gone, paused or rescheduled)
            return None
        day = trigger.last_run_day(now)
        if day is None:
            return None
        sender = self.senders.get(ref.platform)
        if sender is None:
            logger.warning("no sender for %s; digest not built", ref)
            return None
        try:
            digest_id = await self._queue(sender, ref, slot=trigger.slot(day))
        except Exception:
            logger.exception("building the digest for %s failed", ref)
            return None
        if digest_id is not None:
            self.outbox.notify()
        return digest_id

    async def _queue(self, sender: Sender, ref: ChatRef, *, slot: str | None) -> int | None:
        if self._queue_digest is None:
            from bot.digest.builder import queue_digest

            self._queue_digest = queue_digest
        return await self._queue_digest(self.store, sender, ref, slot=slot,
                                        update_novelty=self.settings.story_update_novelty,
                                        embed=self._embed_topics)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._pending_fires.add(task)
        task.add_done_callback(self._pending_fires.discard)

    # ------------------------------------------------------------- polling

    async def poll_tick(self) -> None:
        """Poll due feeds, process new articles, send realtime digests; one
        summary log line per cycle that did something (:class:`PollCycle`)."""
        with PollCycle(self.metrics, logger):
            await self._poll_cycle()

    async def _poll_cycle(self) -> None:
        try:
            await self._poll_due()
        except Exception:
            logger.exception("polling feeds failed")
        for _ in range(self.process_rounds):
            try:
                ready = await self.pipeline.process_pending()
            except Exception:
                logger.exception("processing articles failed")
                break
            if not ready:
                break
            await self.queue_realtime(ready)

    async def _poll_due(self) -> None:
        feeds = await self.store.feeds.due_feeds(self._clock())
        if not feeds:
            return
        limit = asyncio.Semaphore(self.poll_concurrency)

        async def poll(feed: FeedInfo) -> tuple[FeedInfo, PollOutcome | None]:
            async with limit:
                try:
                    return feed, await self.pipeline.poll_feed(feed)
                except Exception:
                    logger.exception("polling %s failed", feed.url)
                    return feed, None

        for feed, outcome in await asyncio.gather(*(poll(f) for f in feeds)):
            if outcome is None or outcome.error is None:
                continue
            if should_deactivate(outcome.consecutive_failures, self.settings.feed_max_failures):
                await self.deactivate_feed(feed, outcome.consecutive_failures, outcome.error)

    async def deactivate_feed(self, feed: FeedInfo, failures: int, error: str) -> None:
        """Stop polling a feed that keeps failing and tell its subscribers, once."""
        name = feed.title or feed.url
        text = (
            f"I stopped checking {name}: it failed {failures} times in a row "
            f"(last error: {error[:200]}). Send {{command}} {feed.url} to try it again."
        )
        key = f"feed-off:{feed.id}:{self._clock().date().isoformat()}"
        told = 0
        for chat in await self.store.chats.subscribers(feed.id):
            sender = self.senders.get(chat.ref.platform)
            if sender is None:
                continue
            try:
                command = "/newsbot subscribe" if chat.ref.platform == "slack" else "/subscribe"
                payloads = sender.render(Reply(text=text.replace("{command}", command)))
                told += await self.store.outbox.queue_message(chat.ref, payloads, key=key)
            except Exception:
                logger.exception("could not tell %s that %s was deactivated", chat.ref, feed.url)
        await self.store.feeds.set_feed_active(feed.id, False)
        logger.warning("feed %s deactivated after %d failures; %d chats told", feed.url, failures, told)
        if told:
            self.outbox.notify()

    async def queue_realtime(self, article_ids: list[int]) -> int:
        """Queue a digest now for every realtime chat these stories concern, and for
        every chat whose /digest was waiting for its first stories (once)."""
        queued = 0
        for chat in await self.store.chats.chats_for_articles(article_ids):
            if chat.schedule.mode != "realtime" and not await self.store.chats.claim_wanted_digest(
                chat.ref
            ):
                continue
            sender = self.senders.get(chat.ref.platform)
            if sender is None:
                continue
            try:
                queued += await self._queue(sender, chat.ref, slot=None) is not None
            except Exception:
                logger.exception("queueing the realtime digest for %s failed", chat.ref)
        if queued:
            self.outbox.notify()
        return queued


__all__ = ["DailyTrigger", "Scheduler", "chat_timezone", "job_id", "trigger_for"]
