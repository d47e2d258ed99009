"""Named leases: leader election through the database.

A lease is a row (``leases.name``) that one holder has until ``expires_at``.
:meth:`LeaseStore.acquire` takes it when it is free or expired, or renews it
when it is already the caller's; both in one ``INSERT .. ON CONFLICT DO
UPDATE .. WHERE``, so of any number of processes racing for it exactly one
wins. Every time is the database server's ``now()``, so the machines' clocks
never decide who leads. PostgreSQL only (the engine's database); on SQLite
there is one process and nothing to elect.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from bot.store.database import Database, insert_or_ignore
from bot.store.models import LeaseRow


class LeaseStore:
    """Leases by name (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def acquire(self, name: str, holder: str, ttl_s: float) -> datetime | None:
        """Take or renew ``name`` for ``holder`` for ``ttl_s`` seconds.

        Returns when the lease now ends (server time), or None when another
        holder has a live lease.
        """
        now = func.now()
        until = now + timedelta(seconds=ttl_s)
        ins = insert(LeaseRow).values(name=name, holder=holder, expires_at=until, acquired_at=now)
        stmt = ins.on_conflict_do_update(
            index_elements=[LeaseRow.name],
            set_={
                "holder": ins.excluded.holder,
                "expires_at": ins.excluded.expires_at,
                # a renewal keeps the original start; a takeover starts anew
                "acquired_at": func.coalesce(
                    select(LeaseRow.acquired_at)
                    .where(LeaseRow.name == name, LeaseRow.holder == holder)
                    .scalar_subquery(),
                    now,
                ),
            },
            where=(LeaseRow.holder == holder) | (LeaseRow.expires_at < now),
        ).returning(LeaseRow.expires_at)
        async with self.db.session() as s:
            return await s.scalar(stmt)

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up now (only if ``holder`` has it), so a successor
        need not wait for it to expire."""
        async with self.db.session() as s:
            await s.execute(delete(LeaseRow).where(LeaseRow.name == name, LeaseRow.holder == holder))

    async def advance_mark(self, name: str, to: datetime) -> datetime | None:
        """A *mark* is a lease row used as a progress cursor (holder ``"mark"``):
        move ``name`` forward to ``to`` and return where it was (None: never set).

        The row is locked while it moves, so two periodic runs that overlap
        each get their own stretch of time, never the same one twice.
        """
        async with self.db.session() as s:
            async with s.begin_nested():  # the first mark: whoever inserts it has no past
                created = await s.scalar(
                    insert_or_ignore(s, LeaseRow, "name")
                    .values(name=name, holder="mark", expires_at=to, acquired_at=to)
                    .returning(LeaseRow.name))
            if created is not None:
                return None
            row = await s.get(LeaseRow, name, with_for_update=True, populate_existing=True)
            if row is None:  # released meanwhile
                return None
            previous = row.expires_at
            row.expires_at = max(previous, to)
            return previous

    async def holder(self, name: str) -> tuple[str, datetime] | None:
        """Who holds ``name`` (live lease only) and until when."""
        async with self.db.session() as s:
            row = (
                await s.execute(
                    select(LeaseRow.holder, LeaseRow.expires_at).where(
                        LeaseRow.name == name, LeaseRow.expires_at >= func.now()
                    )
                )
            ).first()
            return (row[0], row[1]) if row else None


__all__ = ["LeaseStore"]
