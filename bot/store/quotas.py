"""The quotas aggregate: who used a rate-limited command when.

A quota is a sliding window: at most ``limit`` uses in any ``window``. Each
granted use is one row, kept until it leaves the window, so a restart
forgets nothing and several processes on one PostgreSQL database share the
count. Taking a use is atomic per (subject, action): SQLite has one writer
at a time, and on PostgreSQL a transaction-scoped advisory lock on the pair
makes two simultaneous requests count one after the other (so a burst can
never exceed the limit).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.clock import utcnow
from bot.store import bounds
from bot.store.database import Database
from bot.store.models import QuotaEventRow

MAX_SUBJECT_CHARS = 160


class QuotaStore:
    """Sliding-window use counts per subject (a user or chat) and action."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(
        self, subject: str, action: str, *, limit: int, window: timedelta,
        now: datetime | None = None,
    ) -> datetime | None:
        """Count one use of ``action`` by ``subject`` unless it already had
        ``limit`` in the last ``window``. Returns None when the use is granted,
        else the time from which the next one will be."""
        now = now or utcnow()
        subject = bounds.clip(subject, MAX_SUBJECT_CHARS)
        since = now - window
        async with self.db.session() as s:
            if self.db.dialect == "postgresql":
                await s.execute(select(func.pg_advisory_xact_lock(_lock_key(subject, action))))
            # forget uses that left the window (everyone's, so the table stays small)
            await s.execute(delete(QuotaEventRow).where(QuotaEventRow.action == action,
                                                        QuotaEventRow.at <= since))
            times = list(await s.scalars(
                select(QuotaEventRow.at)
                .where(QuotaEventRow.subject == subject, QuotaEventRow.action == action,
                       QuotaEventRow.at > since)
                .order_by(QuotaEventRow.at)
            ))
            if len(times) >= limit:
                return times[len(times) - limit] + window
            s.add(QuotaEventRow(subject=subject, action=action, at=now))
        return None

    async def used(self, subject: str, action: str, *, window: timedelta,
                   now: datetime | None = None) -> int:
        """How many uses ``subject`` has in the window ending ``now``."""
        now = now or utcnow()
        async with self.db.session() as s:
            count = await s.scalar(
                select(func.count()).select_from(QuotaEventRow).where(
                    QuotaEventRow.subject == bounds.clip(subject, MAX_SUBJECT_CHARS),
                    QuotaEventRow.action == action, QuotaEventRow.at > now - window)
            )
            return int(count or 0)


def _lock_key(subject: str, action: str) -> int:
    """A signed 64-bit key for ``pg_advisory_xact_lock``."""
    digest = hashlib.sha256(f"newsbot-quota\0{action}\0{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


__all__ = ["QuotaStore"]
