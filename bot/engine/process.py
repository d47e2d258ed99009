"""The engine's two processes: ``newsbot run`` and ``newsbot worker`` on PostgreSQL.

- :func:`run_worker` (``newsbot worker [--queues ...]``): platforms connected
  for sending only, and a procrastinate worker on the chosen queues. No web
  server, no incoming updates. Start as many as needed, on any machine.
- :func:`run_full` (``newsbot run``): the same worker on every queue, plus the
  incoming side: the web server (webhooks, Slack HTTP) in every such process,
  Slack socket mode in every process (Slack spreads events over up to ten
  connections), and Telegram long polling only in the process that holds the
  ``telegram-polling`` lease (:mod:`bot.engine.leader`). Commands are handled
  where they arrive; what they queue is sent by delivery jobs.

No APScheduler and no outbox loop here: the periodic tasks poll feeds and
fire scheduled digests, and every outbox row commits with its delivery job
(:func:`bot.store.jobs.install_delivery_jobs`).

Stopping (SIGTERM): the worker stops fetching jobs; jobs running finish
within ``shutdown_graceful_timeout`` (5 s; the outbox stops starting new
sends at once), anything left is aborted and retried by another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack

from bot.engine.app import build_app, worker_options
from bot.engine.leader import TELEGRAM_POLLING, Leader
from bot.engine.tasks import QUEUES, Runtime
from bot.errors import ConfigError
from bot.settings import Settings
from bot.store.jobs import install_delivery_jobs
from bot.summarize.base import Summarizer

logger = logging.getLogger(__name__)

STOP_GRACE_S = 7.0
"""SIGTERM to exit: the worker's own 5 s grace, plus closing, within Docker's 10 s."""


def runtime_for(wired: object) -> Runtime:
    """The jobs' :class:`Runtime` from a wired :class:`bot.app.Bot`."""
    from bot.app import Bot

    assert isinstance(wired, Bot)
    return Runtime(settings=wired.services.settings, store=wired.store,
                   pipeline=wired.services.pipeline, outbox=wired.outbox,
                   senders=wired.platforms, scheduler=wired.scheduler)


def check_queues(queues: Sequence[str] | None) -> list[str] | None:
    """Validated ``--queues`` (None: all)."""
    if not queues:
        return None
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise ConfigError(f"unknown queue {unknown[0]!r}: choose from {', '.join(QUEUES)}")
    return list(dict.fromkeys(queues))


async def _work(wired: object, stop: asyncio.Event, *, queues: list[str] | None,
                concurrency: int, name: str, on_ready: Callable[[], None] | None = None) -> None:
    """Run a procrastinate worker for ``wired`` until ``stop`` (or it fails)."""
    rt = runtime_for(wired)
    install_delivery_jobs(rt.store.db)
    app = build_app(rt.settings.database_url, pool_max=max(4, concurrency // 2 + 3))
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(
            **worker_options(rt, queues=queues, concurrency=concurrency, name=name)))
        stopper = asyncio.create_task(stop.wait())
        if on_ready is not None:
            on_ready()
        try:
            await asyncio.wait({worker, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            rt.outbox.stop()  # running deliveries finish their current send only
            if not worker.done():
                worker.cancel()  # procrastinate's graceful stop (running jobs may finish)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(worker), STOP_GRACE_S)
        if worker.done() and not worker.cancelled() and worker.exception() is not None:
            raise worker.exception()  # type: ignore[misc]


def worker_name(kind: str) -> str:
    return f"{kind}@{socket.gethostname()}:{os.getpid()}"


async def run_worker(settings: Settings, stop: asyncio.Event, *,
                     queues: Sequence[str] | None = None, concurrency: int | None = None,
                     summarizer: Summarizer | None = None,
                     on_ready: Callable[[], None] | None = None) -> None:
    """``newsbot worker``: jobs only (module docstring). ``on_ready`` is called
    once the worker runs (tests and benchmarks wait for it)."""
    from bot.app import bot, connected

    chosen = check_queues(queues)
    async with (bot(settings, summarizer=summarizer) as wired, connected(wired),
                AsyncExitStack() as stack):
        from bot.app import serve_http
        from bot.health import Readiness

        readiness = Readiness()
        readiness.add("database", wired.store.stats.ping)
        await serve_http(settings, [], wired.services.metrics, readiness, stack)
        logger.info("newsbot worker on %s queues with %s; press Ctrl+C to stop",
                    ", ".join(chosen or QUEUES), ", ".join(wired.platforms))
        await _work(wired, stop, queues=chosen,
                    concurrency=concurrency or settings.engine_concurrency,
                    name=worker_name("worker"), on_ready=on_ready)


async def run_full(settings: Settings, stop: asyncio.Event, *,
                   summarizer: Summarizer | None = None,
                   on_ready: Callable[[], None] | None = None) -> None:
    """``newsbot run`` on the engine (module docstring)."""
    from bot.app import bot

    async with bot(settings, summarizer=summarizer) as wired, AsyncExitStack() as stack:
        from bot.app import serve_http
        from bot.health import Readiness

        readiness = Readiness()
        process = readiness.flag("newsbot", "starting")
        readiness.add("database", wired.store.stats.ping)
        routes = [r for p in wired.platforms.values() for r in p.routes()]
        await serve_http(settings, routes, wired.services.metrics, readiness, stack)
        leaders: list[Leader] = []
        for platform in wired.platforms.values():
            stack.push_async_callback(platform.close)
            if not platform.receives_by_polling:
                await platform.start(wired.inbound)
                continue
            await platform.connect()

            async def elected(p: object = platform) -> None:
                await p.start(wired.inbound)  # type: ignore[attr-defined]

            async def demoted(p: object = platform) -> None:
                await p.stop_receiving()  # type: ignore[attr-defined]

            leaders.append(Leader(wired.store.leases, f"{TELEGRAM_POLLING}"
                                  if platform.platform == "telegram"
                                  else f"{platform.platform}-polling",
                                  on_elected=elected, on_demoted=demoted))
        leader_stop = asyncio.Event()
        leader_tasks = [asyncio.create_task(leader.run(leader_stop)) for leader in leaders]
        process(None)
        logger.info("newsbot is running on the task engine with %s; press Ctrl+C to stop",
                    ", ".join(wired.platforms))
        try:
            await _work(wired, stop, queues=None, concurrency=settings.engine_concurrency,
                        name=worker_name("run"), on_ready=on_ready)
        finally:
            process("stopping")
            leader_stop.set()
            if leader_tasks:
                await asyncio.wait(leader_tasks, timeout=3.0)


__all__ = ["check_queues", "run_full", "run_worker", "runtime_for"]
