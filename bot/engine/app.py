"""The procrastinate App: newsbot's jobs registered on a PostgreSQL connector.

Job bodies live in :mod:`bot.engine.tasks`; here each becomes a procrastinate
task whose first argument is the job context, from which it takes the
process's :class:`~bot.engine.tasks.Runtime` (handed to the worker as
``additional_context``). Periodic tasks are deduplicated across workers by
procrastinate itself (one ``procrastinate_periodic_defers`` row per task and
tick), so every worker runs the deferrer and any of them may die.

Retries: a job that raises is retried with exponential backoff (2, 4, 8 ...
up to 5 attempts) by procrastinate; the job bodies already record per-feed,
per-article and per-message failures in the store, so a raise here means the
database or a bug, which a retry may well outlast.

Twins: our jobs carry a ``queueing_lock`` (one waiting job per feed, article,
chat) and the same ``lock`` (one running). procrastinate's retry turns the
running job back into a waiting one, which the unique index on waiting
queueing locks refuses when a twin was deferred meanwhile (a tick, a new
outbox row). Left alone, the job would stay "doing" for ever and its lock
would keep the twin from ever running: the chat or feed would stop for good.
:class:`TwinAwareJobManager` ends such a job as failed instead; the twin does
the work (every job is idempotent).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status
from procrastinate.manager import JobManager
from sqlalchemy.engine import make_url

from bot.engine import tasks
from bot.store.jobs import DELIVERY_QUEUE, DELIVERY_TASK

logger = logging.getLogger(__name__)

RUNTIME_KEY = "newsbot"
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
STALLED_AFTER_S = 30.0
"""A worker whose heartbeat (every 10 s) is older than this is dead; its jobs are retried."""
KEEP_FINISHED_H = 1
"""Finished jobs are deleted after this many hours (the table stays small)."""


def conninfo(database_url: str) -> str:
    """A libpq connection string for an SQLAlchemy-style PostgreSQL URL
    (``postgresql+psycopg://`` and ``postgres://`` included)."""
    url = make_url(database_url)
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError("the task engine needs a postgresql:// database URL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def runtime(context: JobContext) -> tasks.Runtime:
    rt = context.additional_context.get(RUNTIME_KEY)
    if not isinstance(rt, tasks.Runtime):
        raise RuntimeError("this procrastinate worker was not started by newsbot")
    return rt


class TwinAwareJobManager(JobManager):
    """procrastinate's job manager, except that a retry refused because a twin
    (same queueing lock) already waits ends the job as failed: the twin does
    its work, and the job's lock no longer holds the twin back."""

    async def retry_job_by_id_async(
        self,
        job_id: int,
        retry_at: datetime.datetime,
        priority: int | None = None,
        queue: str | None = None,
        lock: str | None = None,
    ) -> None:
        try:
            await super().retry_job_by_id_async(job_id, retry_at, priority=priority, queue=queue,
                                                lock=lock)
        except UniqueViolation:
            logger.info("engine: job %s not retried: its twin already waits and does the work",
                        job_id)
            await self.finish_job_by_id_async(job_id=job_id, status=Status.FAILED,
                                              delete_job=False)


def build_app(database_url: str, *, pool_max: int = 10) -> App:
    """An App with every newsbot task, on its own psycopg pool (opened by
    ``open_async``) to ``database_url``."""
    connector = PsycopgConnector(conninfo=conninfo(database_url), min_size=1, max_size=pool_max,
                                 kwargs={"application_name": "newsbot-engine"})
    app = App(connector=connector)
    app.job_manager = TwinAwareJobManager(connector)

    @app.task(name=tasks.POLL_TASK, queue=tasks.POLL_QUEUE, pass_context=True, retry=RETRY)
    async def poll_feed(context: JobContext, feed_id: int) -> int:
        return await tasks.poll_feed(runtime(context), feed_id)

    @app.task(name=tasks.PROCESS_TASK, queue=tasks.PROCESS_QUEUE, pass_context=True, retry=RETRY)
    async def process_article(context: JobContext, article_id: int) -> bool:
        return await tasks.process_article(runtime(context), article_id)

    @app.task(name=tasks.DIGEST_TASK, queue=tasks.DIGEST_QUEUE, pass_context=True, retry=RETRY)
    async def build_digest(context: JobContext, platform: str, external_id: str,
                           slot: str | None = None) -> int | None:
        return await tasks.build_digest(runtime(context), platform, external_id, slot)

    @app.task(name=DELIVERY_TASK, queue=DELIVERY_QUEUE, pass_context=True, retry=RETRY)
    async def deliver_chat(context: JobContext, chat_id: int) -> int:
        return await tasks.deliver_chat(runtime(context), chat_id)

    @app.periodic(cron="* * * * * */30", periodic_id="poll")
    @app.task(name="newsbot.tick_poll", queue=tasks.TICKS_QUEUE, pass_context=True,
              queueing_lock="tick:poll")
    async def tick_poll(context: JobContext, timestamp: int) -> None:
        feeds, articles = await tasks.tick_poll(runtime(context))
        if feeds or articles:
            logger.info("engine: %d feeds due, %d articles pending: jobs deferred", feeds, articles)

    @app.periodic(cron="* * * * *", periodic_id="digests")
    @app.task(name="newsbot.tick_digests", queue=tasks.TICKS_QUEUE, pass_context=True,
              lock="tick:digests", queueing_lock="tick:digests")
    async def tick_digests(context: JobContext, timestamp: int) -> None:
        n = await tasks.tick_digests(runtime(context))
        if n:
            logger.info("engine: %d scheduled digests deferred", n)

    @app.periodic(cron="* * * * *", periodic_id="sweep")
    @app.task(name="newsbot.tick_sweep", queue=tasks.TICKS_QUEUE, pass_context=True,
              queueing_lock="tick:sweep")
    async def tick_sweep(context: JobContext, timestamp: int) -> None:
        await recover_stalled(context.app)
        await tasks.sweep_deliveries(runtime(context))
        await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_FINISHED_H,
                                                      include_failed=True,
                                                      include_cancelled=True,
                                                      include_aborted=True)

    return app


async def recover_stalled(app: App) -> int:
    """Put the jobs of dead workers (no heartbeat for ``STALLED_AFTER_S``) back
    in the queue, so their chats' and feeds' locks are freed and the work done."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
    recovered = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
            recovered += 1
        except Exception:  # finished or retried meanwhile by another sweep
            logger.warning("engine: stalled job %s could not be put back", job.id, exc_info=True)
    if recovered:
        logger.warning("engine: %d jobs of dead workers put back in the queue", recovered)
    return recovered


def worker_options(rt: tasks.Runtime, *, queues: list[str] | None, concurrency: int,
                   name: str) -> dict[str, Any]:
    """Keyword arguments for ``App.run_worker_async`` as newsbot runs it."""
    return {
        "queues": queues,
        "concurrency": concurrency,
        "name": name,
        "wait": True,
        "install_signal_handlers": False,  # newsbot owns SIGTERM (bot.app)
        "additional_context": {RUNTIME_KEY: rt},
        "shutdown_graceful_timeout": 5.0,
        "update_heartbeat_interval": 10.0,
        "stalled_worker_timeout": STALLED_AFTER_S,
        "fetch_job_polling_interval": 2.0,
        "abort_job_polling_interval": 5.0,
    }


__all__ = ["TwinAwareJobManager", "build_app", "conninfo", "recover_stalled", "worker_options"]
