"""The inbox aggregate: platform updates stored before they are confirmed.

A platform counts an update as delivered once newsbot confirms it (Telegram:
the next ``getUpdates`` offset, or a webhook's 200). The adapter stores the
update here first (:meth:`InboxStore.accept`), hands it to the core, and
marks it handled when the core is done (:meth:`InboxStore.handled`). A
process that dies in between leaves the row unhandled; the next one to start
claims and handles it (:meth:`InboxStore.claim_unhandled`). An update the
platform sends again (our confirmation was lost) is already here, so it is
not handled twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update

from bot.clock import utcnow
from bot.store.database import Database, insert_or_ignore
from bot.store.models import InboxRow

#: Handling attempts before an update is given up (one that crashes the process every time).
MAX_ATTEMPTS = 3
#: Handled updates are kept this long (to recognise one the platform sends again).
KEEP_HANDLED = timedelta(days=7)


class InboxStore:
    """Updates received, and whether they were handled."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def accept(self, platform: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> set[str]:
        """Store updates (key, JSON payload) as claimed now; return the keys that
        were new, i.e. the ones to handle. One transaction: when it fails, the
        caller must not confirm the updates to the platform."""
        if not updates:
            return set()
        now = utcnow()
        async with self.db.session() as s, s.begin_nested():
            rows = await s.execute(
                insert_or_ignore(s, InboxRow, "platform", "update_key")
                .returning(InboxRow.update_key),
                [{"platform": platform, "update_key": key, "payload": payload,
                  "received_at": now, "claimed_at": now, "attempts": 1}
                 for key, payload in updates],
            )
            return set(rows.scalars())

    async def handled(self, platform: str, key: str, note: str | None = None) -> None:
        async with self.db.session() as s:
            await s.execute(
                update(InboxRow)
                .where(InboxRow.platform == platform, InboxRow.update_key == key)
                .values(handled_at=utcnow(), note=note)
            )

    async def claim_unhandled(
        self, platform: str, *, older_than_s: float = 0.0, limit: int = 500
    ) -> list[tuple[str, dict[str, Any]]]:
        """Claim updates nobody finished handling (claimed more than
        ``older_than_s`` ago), oldest first, and return them to handle again.

        An update already tried :data:`MAX_ATTEMPTS` times is marked handled
        with a note instead (it would only crash the process again). Handled
        rows older than :data:`KEEP_HANDLED` are deleted here too.
        """
        now = utcnow()
        cutoff = now - timedelta(seconds=older_than_s)
        async with self.db.session() as s:
            await s.execute(
                delete(InboxRow).where(InboxRow.handled_at < now - KEEP_HANDLED)
            )
            await s.execute(
                update(InboxRow)
                .where(InboxRow.platform == platform, InboxRow.handled_at.is_(None),
                       InboxRow.attempts >= MAX_ATTEMPTS,
                       or_(InboxRow.claimed_at.is_(None), InboxRow.claimed_at <= cutoff))
                .values(handled_at=now, note=f"given up after {MAX_ATTEMPTS} attempts")
            )
            ids = list(await s.scalars(
                select(InboxRow.id)
                .where(InboxRow.platform == platform, InboxRow.handled_at.is_(None),
                       or_(InboxRow.claimed_at.is_(None), InboxRow.claimed_at <= cutoff))
                .order_by(InboxRow.id)
                .limit(limit)
            ))
            if not ids:
                return []
            # conditional on the row still being unclaimed: of two processes
            # recovering at once, each update goes to one
            rows = await s.execute(
                update(InboxRow)
                .where(InboxRow.id.in_(ids), InboxRow.handled_at.is_(None),
                       or_(InboxRow.claimed_at.is_(None), InboxRow.claimed_at <= cutoff))
                .values(claimed_at=now, attempts=InboxRow.attempts + 1)
                .returning(InboxRow.id, InboxRow.update_key, InboxRow.payload)
                .execution_options(synchronize_session=False)
            )
            return [(key, payload) for _, key, payload in sorted(rows.all())]

    async def counts(self, platform: str) -> tuple[int, int]:
        """(unhandled, handled) updates of a platform (tests, status)."""
        async with self.db.session() as s:
            rows = await s.execute(
                select(InboxRow.handled_at.is_(None), InboxRow.id)
                .where(InboxRow.platform == platform)
            )
            flags = [unhandled for unhandled, _ in rows.all()]
        return sum(flags), len(flags) - sum(flags)


__all__ = ["MAX_ATTEMPTS", "InboxStore"]
