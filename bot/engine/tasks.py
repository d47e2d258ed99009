"""What each job of the task engine does, on plain newsbot objects.

Every function here takes a :class:`Runtime` (the services and platforms of
the process running the job) and ids that are valid JSON; none of them knows
procrastinate, so they are tested and reused without a worker. The jobs are
idempotent: each one looks at the store first and does nothing when its work
was done already (by a retried twin, or a stalled worker that came back),
which is what makes "at least once" from the engine safe.

==================  ===========================================================
job                  does
==================  ===========================================================
``poll_feed``        fetch one feed if still due; new entries -> a
                     ``process_article`` job each; deactivate a failing feed
``process_article``  fetch, extract, summarize one article if still pending
                     (story assignment is the pipeline's own hook); realtime
                     chats it concerns -> a ``build_digest`` job each
``build_digest``     build one chat's digest into the outbox (its slot makes a
                     scheduled digest happen once); the rows' commit defers
                     the chat's ``deliver_chat`` (:mod:`bot.store.jobs`)
``deliver_chat``     send the chat's due outbox rows in order; again later when
                     rows wait for a retry or a rate limit
``tick_poll``        (every 30 s) a ``poll_feed`` per due feed and a
                     ``process_article`` per pending article
``tick_digests``     (every minute) a ``build_digest`` per chat whose daily
                     time passed since the last tick (catch-up: 6 h)
``tick_sweep``       (every minute) stalled jobs of dead workers retried,
                     delivery for chats with due rows and no job, old jobs purged
==================  ===========================================================
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import Clock, utcnow
from bot.domain import ChatRef, Platform
from bot.polling import should_deactivate
from bot.ports import Sender
from bot.store.jobs import DELIVERY_PRIORITY, DELIVERY_QUEUE, DELIVERY_TASK

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox
    from bot.pipeline import Pipeline
    from bot.scheduler import Scheduler
    from bot.settings import Settings
    from bot.store import Store

logger = logging.getLogger(__name__)

# Queues: a worker may serve only some (``newsbot worker --queues``).
POLL_QUEUE = "poll"
PROCESS_QUEUE = "process"
DIGEST_QUEUE = "digest"
TICKS_QUEUE = "ticks"
QUEUES = (POLL_QUEUE, PROCESS_QUEUE, DIGEST_QUEUE, DELIVERY_QUEUE, TICKS_QUEUE)

# Job priorities by queue, highest first. procrastinate's fetch walks the waiting
# jobs of *every* queue in (priority, id) order and skips those of queues the
# worker does not serve, so a backlog ahead of a worker's own jobs costs every
# fetch a scan of it (24,000 waiting articles: 4 ms and 24,000 rows per fetch
# of a delivery job). Ordering the queues puts the big backlog (articles to
# summarize) last and what people wait for (delivery, digests) first.
PRIORITIES = {DELIVERY_QUEUE: DELIVERY_PRIORITY, DIGEST_QUEUE: 20, POLL_QUEUE: 10,
              TICKS_QUEUE: 0, PROCESS_QUEUE: -10}

POLL_TASK = "newsbot.poll_feed"
PROCESS_TASK = "newsbot.process_article"
DIGEST_TASK = "newsbot.build_digest"
assert DELIVERY_TASK == "newsbot.deliver_chat"

DIGEST_CURSOR = "mark:digest-ticks"
"""The lease-table mark up to which scheduled digests were deferred."""
CATCH_UP = timedelta(hours=6)
"""A scheduled digest missed while nothing ran is still built this long after."""
RETRY_IDLE_S = 5.0
"""A chat with rows due that sent nothing (its lease held elsewhere) is tried again after this."""
TICK_BATCH = 20_000
"""At most this many feeds or articles are deferred per tick (the next tick takes the rest)."""


@dataclass
class Runtime:
    """What jobs run on: one process's services and platforms."""

    settings: Settings
    store: Store
    pipeline: Pipeline
    outbox: Outbox
    senders: Mapping[Platform, Sender]
    scheduler: Scheduler
    clock: Clock = field(default=utcnow)


# ------------------------------------------------------------------ feeds


async def poll_feed(rt: Runtime, feed_id: int) -> int:
    """Poll one feed if it is still due; defer its new articles. Returns how many."""
    feed = await rt.store.feeds.get_feed(feed_id)
    if feed is None or not feed.active:
        return 0
    if feed.next_poll_at is not None and feed.next_poll_at > rt.clock():
        return 0  # polled already (a twin job, or a tick that raced the last poll)
    outcome = await rt.pipeline.poll_feed(feed)
    if outcome.error is not None:
        if should_deactivate(outcome.consecutive_failures, rt.settings.feed_max_failures):
            await rt.scheduler.deactivate_feed(feed, outcome.consecutive_failures, outcome.error)
        return 0
    await defer_articles(rt, outcome.new_articles)
    return len(outcome.new_articles)


async def defer_articles(rt: Runtime, article_ids: Sequence[int]) -> None:
    await rt.store.jobs.defer(PROCESS_TASK, PROCESS_QUEUE,
                              [(f"article:{i}", f"article:{i}", {"article_id": i})
                               for i in article_ids], priority=PRIORITIES[PROCESS_QUEUE])


async def process_article(rt: Runtime, article_id: int) -> bool:
    """Fetch, extract and summarize one pending article; queue the realtime
    digests it completes. Returns whether it is ready now."""
    ready = await rt.pipeline.process_pending(limit=1, ids=[article_id])
    if not ready:
        return False
    await defer_realtime_digests(rt, ready)
    return True


async def defer_realtime_digests(rt: Runtime, article_ids: Sequence[int]) -> int:
    """A ``build_digest`` job for every realtime chat these articles concern
    (one waiting per chat: a burst of articles makes one digest, not fifty), and
    for every chat whose ``/digest`` found nothing yet and was promised its first
    stories when ready (claimed once, as the local scheduler does)."""
    chats, claimed = [], []
    for chat in await rt.store.chats.chats_for_articles(article_ids):
        if chat.ref.platform not in rt.senders:
            continue
        if chat.schedule.mode == "realtime":
            chats.append(chat)
        elif await rt.store.chats.claim_wanted_digest(chat.ref):
            chats.append(chat)
            claimed.append(chat.ref)
    try:
        await rt.store.jobs.defer(DIGEST_TASK, DIGEST_QUEUE, [
            (f"digest:{c.id}", f"digest:{c.id}", {"platform": c.ref.platform,
                                                  "external_id": c.ref.external_id, "slot": None})
            for c in chats
        ], priority=PRIORITIES[DIGEST_QUEUE])
    except Exception:
        for ref in claimed:  # the promise stands: the retried job claims it again
            await rt.store.chats.want_digest(ref)
        raise
    return len(chats)


# ---------------------------------------------------------------- digests


async def build_digest(rt: Runtime, platform: str, external_id: str, slot: str | None) -> int | None:
    """Build one chat's digest into the outbox (None: nothing new, or the slot
    was built already). Its delivery job is deferred by the same commit."""
    from bot.digest.builder import queue_digest

    ref = ChatRef(platform, external_id)  # type: ignore[arg-type]
    sender = rt.senders.get(ref.platform)
    if sender is None:
        logger.warning("engine: no sender for %s in this process; digest not built", ref)
        return None
    chat = await rt.store.chats.get_chat(ref)
    if chat is None or not chat.active:
        return None
    return await queue_digest(rt.store, sender, ref, slot=slot,
                              update_novelty=rt.settings.story_update_novelty,
                              embed=rt.pipeline.embed_topics)


async def tick_digests(rt: Runtime) -> int:
    """Defer the scheduled digests whose local time came since the last tick."""
    from bot.scheduler import trigger_for

    now = rt.clock()
    since = await rt.store.leases.advance_mark(DIGEST_CURSOR, now)
    since = max(since or now - CATCH_UP, now - CATCH_UP)
    jobs: list[tuple[str | None, str, dict[str, Any]]] = []
    for chat in await rt.store.chats.list_chats(active_only=True):
        trigger = trigger_for(chat.schedule, rt.settings.default_timezone)
        if trigger is None or chat.ref.platform not in rt.senders:
            continue
        day = trigger.last_run_day(now)
        if day is None or not since < trigger.fire_time_on(day) <= now:
            continue
        slot = trigger.slot(day)
        jobs.append((f"digest:{chat.id}", f"digest:{chat.id}:{slot}", {"platform": chat.ref.platform,
                                                  "external_id": chat.ref.external_id,
                                                  "slot": slot}))
    await rt.store.jobs.defer(DIGEST_TASK, DIGEST_QUEUE, jobs, priority=PRIORITIES[DIGEST_QUEUE])
    return len(jobs)


# --------------------------------------------------------------- delivery


async def deliver_chat(rt: Runtime, chat_id: int) -> int:
    """Send the chat's due rows; defer this job again for what must wait."""
    sent = await rt.outbox.deliver_chat(chat_id)
    nxt = await rt.store.jobs.next_due(chat_id)
    if nxt is not None:
        now = rt.clock()
        if nxt <= now and not sent:
            nxt = now + timedelta(seconds=RETRY_IDLE_S)  # its lease is someone else's
        await rt.store.jobs.defer_delivery([chat_id], at=nxt if nxt > now else None)
    return sent


# ------------------------------------------------------------------ ticks


async def tick_poll(rt: Runtime) -> tuple[int, int]:
    """Defer a poll per due feed and a processing job per pending article."""
    feeds = await rt.store.feeds.due_feeds(rt.clock(), limit=TICK_BATCH)
    await rt.store.jobs.defer(POLL_TASK, POLL_QUEUE,
                              [(f"poll:{f.id}", f"poll:{f.id}", {"feed_id": f.id}) for f in feeds],
                              priority=PRIORITIES[POLL_QUEUE])
    pending = await rt.store.articles.pending_articles(limit=TICK_BATCH)
    await defer_articles(rt, [p.id for p in pending])
    return len(feeds), len(pending)


async def sweep_deliveries(rt: Runtime) -> int:
    """Defer delivery for chats with rows due and no job (see bot.store.jobs)."""
    chats = await rt.store.jobs.chats_needing_delivery(rt.clock())
    await rt.store.jobs.defer_delivery(chats)
    if chats:
        logger.info("engine: %d chats had due messages and no delivery job; deferred", len(chats))
    return len(chats)


__all__ = [
    "DIGEST_TASK", "POLL_TASK", "PROCESS_TASK", "QUEUES", "Runtime", "build_digest",
    "deliver_chat", "poll_feed", "process_article", "sweep_deliveries", "tick_digests",
    "tick_poll",
]
