"""The composition root: Settings -> store, fetcher, summarizer, pipeline,
command layer, adapters, outbox, scheduler, HTTP server.

Nothing else in newsbot wires objects together or reads configuration; the
summarization model is built lazily on first use (or by ``preload``), never at
import time.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.adapters.console import ConsoleAdapter
from bot.commands.handlers import CoreCommands
from bot.domain import Platform
from bot.pipeline import Pipeline
from bot.ports import Adapter, Sender
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store.repository import Store
from bot.summarize.base import Summarizer

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox

logger = logging.getLogger(__name__)


def summarizer_factory(settings: Settings) -> Callable[[], Summarizer]:
    """A zero-argument callable building the configured summarizer on first use."""

    def build() -> Summarizer:
        from bot.summarize.factory import build_summarizer

        return build_summarizer(settings)

    return build


@dataclass
class Services:
    settings: Settings
    store: Store
    fetcher: Fetcher
    pipeline: Pipeline
    senders: dict[Platform, Sender] = field(default_factory=dict)
    commands: CoreCommands | None = None


@asynccontextmanager
async def services(settings: Settings, *, summarizer: Summarizer | None = None) -> AsyncIterator[Services]:
    """Store + fetcher + pipeline + command layer, closed on exit (CLI and run)."""
    async with AsyncExitStack() as stack:
        store = await Store.open(settings.database_url)
        stack.push_async_callback(store.close)
        fetcher = await stack.enter_async_context(Fetcher(settings))
        pipeline = Pipeline(settings, store, fetcher, summarizer or summarizer_factory(settings))
        svc = Services(settings, store, fetcher, pipeline)
        svc.commands = CoreCommands(store, pipeline, svc.senders)
        yield svc


def build_adapters(settings: Settings, svc: Services) -> list[Adapter]:
    """Telegram and/or Slack when their tokens are set; else the console."""
    assert svc.commands is not None
    adapters: list[Adapter] = []
    if settings.telegram_enabled:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(settings, svc.commands, connection_pool_size=8))
    if settings.slack_enabled:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(settings, svc.commands))
    if not adapters:
        logger.info("no chat platform configured: digests are printed to this terminal")
        adapters.append(ConsoleAdapter())  # type: ignore[arg-type]
    return adapters


#: How often a delivery-only worker looks for rows queued by other processes
#: (the process that queues a digest wakes its own outbox at once).
DELIVERY_WORKER_WAKEUP_S = 5.0


def _outbox_for(svc: Services, adapters: list[Adapter], **options: Any) -> Outbox:
    """Register the adapters as senders and build the outbox over them. Direct
    command replies and digests share one limiter per platform: an adapter that
    paces itself gets the outbox's."""
    from bot.delivery.outbox import Outbox

    for adapter in adapters:
        svc.senders[adapter.platform] = adapter
    outbox = Outbox(svc.store, svc.senders, **options)
    for adapter in adapters:
        if getattr(adapter, "limiter", "absent") is None:
            adapter.limiter = outbox.limiter(adapter.platform)  # type: ignore[attr-defined]
    return outbox


def main_worker_id() -> str:
    """The outbox worker id of the full ``newsbot run`` on this host.

    Stable across restarts, so after a crash the restarted process takes its
    own chat leases back at once instead of waiting for them to expire (one
    full run per database is the supported layout; delivery-only workers get
    unique ids).
    """
    return f"{socket.gethostname()}:main"


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
    if delivery_only:
        await run_delivery_worker(settings, stop)
        return
    from bot.scheduler import Scheduler

    async with services(settings) as svc, AsyncExitStack() as stack:
        adapters = build_adapters(settings, svc)
        outbox = _outbox_for(svc, adapters, worker_id=main_worker_id())
        scheduler = Scheduler(settings, svc.store, svc.pipeline, outbox, svc.senders)
        assert svc.commands is not None
        svc.commands.on_chat_changed = scheduler.sync_chat
        svc.commands.on_digest_queued = outbox.notify

        routes = [r for a in adapters for r in a.routes()]
        if routes:
            from bot.web import WebServer

            web = WebServer(routes, settings.http_host, settings.effective_http_port)
            await web.start()
            stack.push_async_callback(web.stop)
        for adapter in adapters:
            await adapter.start()
            stack.push_async_callback(adapter.stop)
        if not await svc.store.list_feeds():
            logger.info("no feeds yet: add some with 'newsbot feeds add <feed or site URL>' or "
                        "'newsbot feeds import config/feeds.opml', or subscribe from a chat")
        await scheduler.start()
        stack.push_async_callback(scheduler.stop)
        outbox_task = asyncio.create_task(outbox.run_forever(stop))
        logger.info("newsbot is running with %s; press Ctrl+C to stop",
                    ", ".join(a.platform for a in adapters))
        await stop.wait()
        logger.info("stopping")
        outbox.notify()
        await outbox_task


async def run_delivery_worker(settings: Settings, stop: asyncio.Event) -> None:
    """An extra outbox worker: sends queued digests and replies, nothing else.

    No feed polling, no schedules, no incoming commands (the adapters connect
    for sending only, so a second Telegram long poll never fights the main
    one). Chat leases (docs/delivery.md) keep workers from sending the same
    chat's messages; run it beside one full ``newsbot run`` on a shared
    database when one process cannot send fast enough.
    """
    async with services(settings) as svc, AsyncExitStack() as stack:
        adapters = build_adapters(settings, svc)
        outbox = _outbox_for(svc, adapters, idle_wakeup_s=DELIVERY_WORKER_WAKEUP_S)
        for adapter in adapters:
            connect = getattr(adapter, "connect", None)
            if callable(connect):
                await connect()
                stack.push_async_callback(adapter.stop)
        logger.info("newsbot delivery worker %s is running with %s; press Ctrl+C to stop",
                    outbox.worker_id, ", ".join(a.platform for a in adapters))
        await outbox.run_forever(stop)
