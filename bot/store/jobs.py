"""The task engine's side of the store: procrastinate jobs written with our rows.

With the task engine on (PostgreSQL, :mod:`bot.engine`), every outbox row is
followed by a "deliver this chat" job **in the same transaction**: a session
listener (:func:`install_delivery_jobs`) sees the ``deliveries`` rows a flush
inserts and adds one procrastinate job per chat before the transaction
commits. So a digest, its outbox rows and the job that sends them commit
together or not at all, whichever aggregate wrote the rows, and nothing is
queued that no job will ever send.

The job is inserted straight into ``procrastinate_jobs`` (the table
procrastinate's own ``procrastinate_defer_jobs_v1`` inserts into) with
``ON CONFLICT DO NOTHING`` on the queueing lock, because a conflict is the
normal case: a chat that already has a delivery job waiting needs no second
one (that job reads every due row when it runs), and a failed INSERT would
abort the whole transaction on PostgreSQL. The column layout belongs to the
pinned procrastinate version (``pyproject.toml``); the queries below are the
only ones in newsbot that know it.

One race is left, and :meth:`JobStore.chats_needing_delivery` closes it: the
waiting job may start between our conflict and our commit, and then finish
without seeing our rows. The engine's sweep (every minute) defers a job for
every chat with rows due and no job waiting or running.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bot.store.database import Database, chunks
from bot.store.models import DeliveryRow

DELIVERY_TASK = "newsbot.deliver_chat"
"""procrastinate task name of the delivery job (:mod:`bot.engine.tasks`)."""
DELIVERY_QUEUE = "delivery"
DELIVERY_PRIORITY = 30
"""Above every other queue (see :data:`bot.engine.tasks.PRIORITIES`): a reply or a
digest waiting to be sent is what a person is waiting for."""


def delivery_lock(chat_id: int) -> str:
    """The lock and queueing lock of a chat's delivery job: one running and
    one waiting per chat at most, so a chat's messages go out one job at a time."""
    return f"deliver:{chat_id}"


_DEFER = text(
    """
    INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock,
                                    args, scheduled_at)
    VALUES (:queue, :task, :priority, :lock, :qlock, CAST(:args AS jsonb), :scheduled_at)
    ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING
    """
)


def _defer_params(chat_id: int, scheduled_at: datetime | None = None) -> dict[str, Any]:
    return {
        "queue": DELIVERY_QUEUE,
        "task": DELIVERY_TASK,
        "priority": DELIVERY_PRIORITY,
        "lock": delivery_lock(chat_id),
        "qlock": delivery_lock(chat_id),
        "args": json.dumps({"chat_id": chat_id}),
        "scheduled_at": scheduled_at,
    }


class _EngineSession(Session):
    """The sessions of a database the task engine works on (see the listener below)."""


@event.listens_for(_EngineSession, "after_flush")
def _defer_delivery_jobs(session: Session, _flush_context: Any) -> None:
    chats = sorted({obj.chat_id for obj in session.new if isinstance(obj, DeliveryRow)})
    if chats:
        session.connection().execute(_DEFER, [_defer_params(c) for c in chats])


def install_delivery_jobs(db: Database) -> None:
    """From now on, every flush that inserts outbox rows also defers a delivery
    job for each of their chats, in the same transaction (module docstring).

    PostgreSQL only (procrastinate's tables must exist: the migrations create
    them); idempotent.
    """
    if db.dialect != "postgresql":
        raise ValueError("the task engine needs PostgreSQL")
    db.configure_sessions(sync_session_class=_EngineSession)


class JobStore:
    """Queries that join our tables with procrastinate's (PostgreSQL only)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def defer(
        self, task: str, queue: str, jobs: Iterable[tuple[str | None, str, dict[str, Any]]],
        at: datetime | None = None, *, priority: int = 0,
    ) -> None:
        """Defer ``task`` once per (lock, queueing lock, args) in ``jobs``, in one
        transaction. A job already waiting with the same queueing lock makes its
        copy here a no-op; jobs with one lock run one at a time. ``at``: not
        before then. ``priority``: higher first (procrastinate's order)."""
        params = [
            {"queue": queue, "task": task, "lock": lock, "qlock": qlock,
             "args": json.dumps(args), "scheduled_at": at, "priority": priority}
            for lock, qlock, args in jobs
        ]
        if not params:
            return
        async with self.db.session() as s:
            for chunk in chunks(params):
                await s.execute(_DEFER, list(chunk))

    async def defer_delivery(self, chat_ids: Iterable[int], at: datetime | None = None) -> None:
        """Defer a delivery job per chat (none where one is waiting already)."""
        await self.defer(DELIVERY_TASK, DELIVERY_QUEUE,
                         [(delivery_lock(c), delivery_lock(c), {"chat_id": c})
                          for c in sorted(set(chat_ids))], at, priority=DELIVERY_PRIORITY)

    async def next_due(self, chat_id: int) -> datetime | None:
        """When the chat's next pending row falls due (None: nothing pending, or
        the chat is paused). The head of the queue decides: later rows wait for it."""
        async with self.db.session() as s:
            return await s.scalar(
                text(
                    """
                    SELECT min(d.next_attempt_at) FROM deliveries d
                    JOIN chats c ON c.id = d.chat_id
                    WHERE d.chat_id = :chat AND d.status = 'pending' AND c.active
                    """
                ),
                {"chat": chat_id},
            )

    async def chats_needing_delivery(self, now: datetime, limit: int = 5000) -> list[int]:
        """Active chats with a row due now and no delivery job waiting or running."""
        async with self.db.session() as s:
            rows = await s.execute(
                text(
                    """
                    SELECT DISTINCT d.chat_id FROM deliveries d
                    JOIN chats c ON c.id = d.chat_id
                    WHERE d.status = 'pending' AND c.active
                      AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= :now)
                      AND NOT EXISTS (
                        SELECT 1 FROM procrastinate_jobs j
                        WHERE j.queueing_lock = 'deliver:' || d.chat_id
                          AND j.status IN ('todo', 'doing'))
                    LIMIT :limit
                    """
                ),
                {"now": now, "limit": limit},
            )
            return [r[0] for r in rows]

    async def job_counts(self) -> dict[tuple[str, str], int]:
        """Jobs per (queue, status): the engine's backlog, for monitoring and benches."""
        async with self.db.session() as s:
            rows = await s.execute(
                text("SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
                     "GROUP BY queue_name, status")
            )
            return {(q, st): n for q, st, n in rows}


__all__ = ["DELIVERY_QUEUE", "DELIVERY_TASK", "JobStore", "delivery_lock", "install_delivery_jobs"]
