"""A job that cannot go back in the queue because its twin already waits.

Every newsbot job carries a queueing lock (one waiting job per feed, article,
chat) and the same lock (one running). When a running job is retried (it
raised, or its worker died) while its twin waits, procrastinate's retry hits
the unique index on waiting queueing locks; before the fix the job stayed
"doing" for ever and its lock kept the twin from running, so the chat or feed
stopped for good (seen in CI: 3 chats never got their last stories).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.engine.app import build_app, recover_stalled
from bot.store import Store
from bot.store.jobs import delivery_lock

pytestmark = pytest.mark.postgres

CHAT = 7


async def statuses(store: Store) -> list[str]:
    async with store.session() as s:
        rows = await s.execute(text("SELECT status::text FROM procrastinate_jobs "
                                    "WHERE queueing_lock = :q ORDER BY id"),
                               {"q": delivery_lock(CHAT)})
        return [r[0] for r in rows]


async def running_job_with_waiting_twin(store: Store, heartbeat_age_s: int) -> int:
    """Defer a delivery job, mark it taken by a worker whose last heartbeat was
    ``heartbeat_age_s`` ago, then defer its twin. Returns the running job's id."""
    await store.jobs.defer_delivery([CHAT])
    async with store.session() as s:
        worker = await s.scalar(text(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - make_interval(secs => :age)) RETURNING id"), {"age": heartbeat_age_s})
        job = await s.scalar(text(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
            "WHERE queueing_lock = :q RETURNING id"), {"w": worker, "q": delivery_lock(CHAT)})
    await store.jobs.defer_delivery([CHAT])  # allowed: the first one no longer waits
    assert await statuses(store) == ["doing", "todo"]
    return int(job)


async def test_a_dead_workers_job_with_a_waiting_twin_ends_and_frees_its_lock(
        pg_store: Store, engine_db_url: str) -> None:
    await running_job_with_waiting_twin(pg_store, heartbeat_age_s=3600)
    app = build_app(engine_db_url)
    async with app.open_async():
        assert await recover_stalled(app) == 1
        assert await statuses(pg_store) == ["failed", "todo"]
        # the twin can be taken now: nothing "doing" holds its lock
        twin = await app.job_manager.fetch_job(queues=["delivery"], worker_id=None)
        assert twin is not None and twin.queueing_lock == delivery_lock(CHAT)


async def test_a_dead_workers_job_alone_goes_back_in_the_queue(
        pg_store: Store, engine_db_url: str) -> None:
    await pg_store.jobs.defer_delivery([CHAT])
    async with pg_store.session() as s:
        worker = await s.scalar(text("INSERT INTO procrastinate_workers (last_heartbeat) "
                                     "VALUES (now() - interval '1 hour') RETURNING id"))
        await s.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w"),
                        {"w": worker})
    app = build_app(engine_db_url)
    async with app.open_async():
        assert await recover_stalled(app) == 1
    assert await statuses(pg_store) == ["todo"]


async def test_a_failed_job_retried_while_its_twin_waits_ends_as_failed(
        pg_store: Store, engine_db_url: str) -> None:
    job_id = await running_job_with_waiting_twin(pg_store, heartbeat_age_s=0)
    app = build_app(engine_db_url)
    async with app.open_async():
        # what procrastinate's worker does when a job raises and may be retried
        jobs = list(await app.job_manager.list_jobs_async(id=job_id))
        await app.job_manager.retry_job(jobs[0])
    assert await statuses(pg_store) == ["failed", "todo"]
