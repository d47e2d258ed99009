"""The composition root: the one place that builds and wires newsbot's objects.

Two layers, each complete when built (nothing optional, nothing patched in
afterwards):

- :func:`services`: what every ``newsbot`` command needs, settings -> the log
  redactor, the store, the fetcher and the pipeline (the summarization model
  is built lazily on first use, never at import time); :func:`summarizing`
  is the storeless subset ``newsbot summarize`` needs;
- :func:`wire`: services plus chat platforms -> one rate limiter per
  platform (shared by the outbox and direct replies), the outbox, the
  scheduler, the command layer behind its access rules, and the direct-reply
  policy. :func:`bot` does both for a ``with`` block.

``newsbot run`` (:func:`run`), the delivery-only worker and the CLI's
``digest`` all go through :func:`wire`; platforms are started, connected and
closed here too. Nothing else in newsbot reads configuration or constructs a
platform.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from bot import logredact
from bot.commands.access import AccessPolicy, AllowList
from bot.commands.handlers import CoreCommands
from bot.commands.inbound import Inbound
from bot.commands.quotas import CommandQuotas, Limits
from bot.delivery.outbox import Outbox
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.replies import DirectReplies
from bot.domain import Platform
from bot.errors import ConfigError
from bot.health import Readiness
from bot.metrics import Metrics, StoreFacts
from bot.pipeline import Pipeline
from bot.ports import ChatPlatform
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store
from bot.stories.signature import Embedder
from bot.summarize.base import Summarizer

logger = logging.getLogger(__name__)

#: How often a delivery-only worker looks for rows queued by other processes
#: (the process that queues a digest wakes its own outbox at once).
DELIVERY_WORKER_WAKEUP_S = 5.0


def summarizer_factory(settings: Settings) -> Callable[[], Summarizer]:
    """A zero-argument callable building the configured summarizer on first use."""

    def build() -> Summarizer:
        from bot.summarize.factory import build_summarizer

        return build_summarizer(settings)

    return build


def embedder_factory() -> Callable[[], Embedder]:
    """The process's MiniLM embedder (shared with the extractive summarizer),
    for story assignment; the model loads on first use."""

    def build() -> Embedder:
        from bot.summarize.embedder import shared_embedder

        return shared_embedder()

    return build


@dataclass(frozen=True)
class Services:
    """What every ``newsbot`` command needs."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    pipeline: Pipeline

    @property
    def metrics(self) -> Metrics:
        """The process's metrics (the pipeline holds them; wire() passes them on)."""
        return self.pipeline.metrics


@dataclass(frozen=True)
class Bot:
    """Services wired to chat platforms (see the module docstring)."""

    services: Services
    platforms: Mapping[Platform, ChatPlatform]
    limiters: Mapping[Platform, RateLimiter]
    outbox: Outbox
    scheduler: Scheduler
    commands: CoreCommands
    inbound: Inbound

    @property
    def store(self) -> Store:
        return self.services.store


def settle_heap() -> None:
    """Move everything start-up created (modules, the store, the fetcher) out of
    the garbage collector's sight (``gc.freeze``). Those objects live as long as
    the process, yet each full collection walked all of them: on two loaded
    cores that was a 180-490 ms pause of the event loop in the middle of a
    ``feeds add`` (measured with bench/hostile.py and gc callbacks)."""
    gc.freeze()


@asynccontextmanager
async def services(
    settings: Settings, *, summarizer: Summarizer | None = None
) -> AsyncIterator[Services]:
    """Redactor, store, fetcher and pipeline; closed on exit."""
    logredact.install(settings)  # first: nothing may log a secret before it is in place
    async with AsyncExitStack() as stack:
        store = await Store.open(settings.database_url)
        stack.push_async_callback(store.close)
        fetcher = await stack.enter_async_context(Fetcher(settings))
        metrics = Metrics()
        metrics.add_facts_source(lambda: store_facts(store))
        pipeline = Pipeline(settings, store, fetcher, summarizer or summarizer_factory(settings),
                            metrics=metrics, embedder=embedder_factory())
        settle_heap()
        yield Services(settings, store, fetcher, pipeline)


async def store_facts(store: Store) -> StoreFacts:
    """What ``/metrics`` reads from the database at each scrape."""
    return StoreFacts(outbox=await store.stats.outbox_counts(),
                      paused_chats=await store.stats.paused_chats(),
                      failing_feeds=await store.stats.failing_feeds())


@asynccontextmanager
async def summarizing(settings: Settings) -> AsyncIterator[tuple[Fetcher, Summarizer]]:
    """What ``newsbot summarize`` needs, and no store: the redactor, a fetcher and the
    configured summarizer (its model loads on first use)."""
    logredact.install(settings)
    async with Fetcher(settings) as fetcher:
        summarizer = summarizer_factory(settings)()
        settle_heap()
        yield fetcher, summarizer


def build_platforms(
    settings: Settings, only: Iterable[Platform] | None = None
) -> dict[Platform, ChatPlatform]:
    """Telegram and/or Slack when their tokens are set; else the console.

    ``only`` builds just those platforms (the console is always available);
    one that is not configured is a :class:`~bot.errors.ConfigError`.
    """
    wanted = set(only) if only is not None else None
    platforms: dict[Platform, ChatPlatform] = {}
    if settings.telegram_enabled and (wanted is None or "telegram" in wanted):
        from bot.adapters.telegram import TelegramAdapter

        platforms["telegram"] = TelegramAdapter(settings, connection_pool_size=8)
    if settings.slack_enabled and (wanted is None or "slack" in wanted):
        from bot.adapters.slack import SlackAdapter

        platforms["slack"] = SlackAdapter(settings)
    if (wanted is None and not platforms) or (wanted is not None and "console" in wanted):
        from bot.adapters.console import ConsoleAdapter

        if wanted is None:
            logger.info("no chat platform configured: digests are printed to this terminal")
        platforms["console"] = ConsoleAdapter()
    missing = sorted((wanted or set()) - set(platforms))
    if missing:
        raise ConfigError(f"{missing[0]} is not configured: set its token (see README)")
    return platforms


def wire(svc: Services, platforms: Mapping[Platform, ChatPlatform], **outbox_options: Any) -> Bot:
    """Everything between the pipeline and the platforms, for ``platforms``.

    ``outbox_options`` go to :class:`~bot.delivery.outbox.Outbox` (worker id,
    wake-up interval).
    """
    settings, store, metrics = svc.settings, svc.store, svc.metrics
    for name in platforms:
        metrics.add_platform(name)
    limiters = {name: RateLimiter(p.limits, on_penalty=metrics.penalty_hook(name))
                for name, p in platforms.items()}
    options: dict[str, Any] = {"max_unconfirmed": settings.outbox_max_unconfirmed,
                               **outbox_options}
    outbox = Outbox(store, platforms, limiters=limiters, metrics=metrics, **options)
    for platform in platforms.values():
        platform.use_inbox(store.inbox)
    scheduler = Scheduler(settings, store, svc.pipeline, outbox, platforms, metrics=metrics,
                          embed_topics=svc.pipeline.embed_topics)
    access = AccessPolicy(members_manage=["slack"] if settings.slack_members_can_manage else [],
                          allowed=AllowList(settings.allowed_users, settings.allowed_chats))
    quotas = CommandQuotas(store.quotas, Limits(
        summary_per_hour=settings.summary_quota_per_hour,
        subscribe_per_hour=settings.subscribe_quota_per_hour,
        summary_concurrency=settings.summary_concurrency,
        summary_queue_max=settings.summary_queue_max,
    ))
    commands = CoreCommands(store, svc.pipeline, platforms, access=access,
                            on_chat_changed=scheduler.sync_chat, on_digest_queued=outbox.notify)
    replies = DirectReplies(limiters, store.outbox, wake_outbox=outbox.notify)
    inbound = Inbound(commands, platforms, access, replies, metrics=metrics, quotas=quotas)
    return Bot(svc, platforms, limiters, outbox, scheduler, commands, inbound)


@asynccontextmanager
async def bot(
    settings: Settings,
    *,
    platforms: Iterable[Platform] | None = None,
    summarizer: Summarizer | None = None,
    **outbox_options: Any,
) -> AsyncIterator[Bot]:
    """:func:`services` and :func:`wire` for a ``with`` block. Platforms are
    built but not connected: :func:`connected` or :func:`run` do that."""
    chosen = build_platforms(settings, platforms)
    async with services(settings, summarizer=summarizer) as svc:
        yield wire(svc, chosen, **outbox_options)


@asynccontextmanager
async def connected(wired: Bot) -> AsyncIterator[Bot]:
    """Connect every platform for sending (no updates received); close on exit."""
    async with AsyncExitStack() as stack:
        for platform in wired.platforms.values():
            await platform.connect()
            stack.push_async_callback(platform.close)
        yield wired


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError, RuntimeError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)


async def run(settings: Settings, stop: asyncio.Event | None = None, *,
              delivery_only: bool = False) -> None:
    """``newsbot run``: everything, until SIGINT/SIGTERM or ``stop`` is set.

    ``delivery_only`` runs just the outbox (``newsbot run --delivery-only``).
    """
    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    if delivery_only and settings.engine_enabled:
        # the engine's delivery jobs replace lease-sharing outbox loops on PostgreSQL
        logger.info("--delivery-only on the task engine: running 'newsbot worker --queues delivery'")
        from bot.engine.process import run_worker as engine_worker

        await engine_worker(settings, stop, queues=["delivery"])
        return
    if delivery_only:
        await run_delivery_worker(settings, stop)
        return
    if settings.engine_enabled:
        from bot.engine.process import run_full

        await run_full(settings, stop)
        return
    async with bot(settings) as wired, AsyncExitStack() as stack:
        readiness = Readiness()
        process = readiness.flag("newsbot", "starting")
        readiness.add("database", wired.store.stats.ping)
        routes = [r for p in wired.platforms.values() for r in p.routes()]
        await serve_http(settings, routes, wired.services.metrics, readiness, stack)
        for name, platform in wired.platforms.items():
            connected_flag = readiness.flag(f"platform:{name}", "not connected yet")
            await platform.start(wired.inbound)
            connected_flag(None)
            stack.push_async_callback(platform.close)
            stack.callback(connected_flag, "closed")
        if not await wired.store.feeds.list_feeds():
            logger.info("no feeds yet: add some with 'newsbot feeds add <feed or site URL>' or "
                        "'newsbot feeds import --starter', or subscribe from a chat")
        await wired.scheduler.start()
        stack.push_async_callback(wired.scheduler.stop)
        readiness.add("scheduler", lambda: None if wired.scheduler.running else "not running")
        outbox_task = asyncio.create_task(wired.outbox.run_forever(stop))
        process(None)
        logger.info("newsbot is running with %s; press Ctrl+C to stop",
                    ", ".join(wired.platforms))
        await stop.wait()
        process("stopping")
        logger.info("stopping")
        wired.outbox.notify()
        await outbox_task


async def run_worker(settings: Settings, stop: asyncio.Event | None = None, *,
                     queues: Iterable[str] | None = None, concurrency: int | None = None) -> None:
    """``newsbot worker``: task-engine jobs only, until SIGINT/SIGTERM or ``stop``
    (:func:`bot.engine.process.run_worker`; PostgreSQL only)."""
    if not settings.engine_enabled:
        raise ConfigError("'newsbot worker' runs task-engine jobs, which need PostgreSQL: set "
                          "NEWSBOT_DATABASE_URL=postgresql://... (with SQLite, 'newsbot run' "
                          "does everything in one process)")
    from bot.engine.process import run_worker as engine_worker

    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    await engine_worker(settings, stop, queues=list(queues) if queues else None,
                        concurrency=concurrency)


async def run_delivery_worker(settings: Settings, stop: asyncio.Event) -> None:
    """An extra outbox worker: sends queued digests and replies, nothing else.

    No feed polling, no schedules, no incoming commands (the platforms connect
    for sending only, so a second Telegram long poll never fights the main
    one). Chat leases (docs/delivery.md) keep workers from sending the same
    chat's messages; run it beside one full ``newsbot run`` on a shared
    database when one process cannot send fast enough.
    """
    async with (bot(settings, idle_wakeup_s=DELIVERY_WORKER_WAKEUP_S) as wired,
                AsyncExitStack() as stack):
        readiness = Readiness()
        process = readiness.flag("newsbot", "starting")
        readiness.add("database", wired.store.stats.ping)
        platforms = readiness.flag("platforms", "not connected yet")
        await serve_http(settings, [], wired.services.metrics, readiness, stack)
        await stack.enter_async_context(connected(wired))
        platforms(None)
        process(None)
        logger.info("newsbot delivery worker %s is running with %s; press Ctrl+C to stop",
                    wired.outbox.worker_id, ", ".join(wired.platforms))
        await wired.outbox.run_forever(stop)
        process("stopping")


async def serve_http(settings: Settings, routes: list[Any], metrics: Metrics,
                     readiness: Readiness, stack: AsyncExitStack) -> None:
    """Start newsbot's HTTP server (stopped by ``stack``) when a platform has
    inbound routes or ``NEWSBOT_HTTP_PORT`` asks for it (health, readiness and
    metrics in any mode)."""
    if not routes and settings.http_port is None:
        return
    from bot.web import WebServer

    web = WebServer(routes, settings.effective_http_host, settings.effective_http_port,
                    metrics=metrics, readiness=readiness)
    await web.start()
    stack.push_async_callback(web.stop)
