"""Read-only figures about the whole database, for health checks and metrics.

Nothing here changes a row. Each query is one aggregate over an indexed or
small table, cheap enough to run on every ``/metrics`` scrape (every 15-60 s).
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from bot.store.database import Database
from bot.store.models import ChatRow, DeliveryRow, FeedRow


class StatsStore:
    """Database facts: reachability, outbox rows, paused chats, failing feeds."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def ping(self) -> None:
        """One round trip (``SELECT 1``); raises when the database cannot be reached."""
        async with self.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def outbox_counts(self) -> dict[tuple[str, str], int]:
        """(platform, status) -> outbox rows waiting (pending) or given up (failed).

        Sent rows are not counted: they pile up for ever and counting them
        would scan the whole table at every scrape; the outbox counts sends as
        they happen (``newsbot_deliveries_total{result="sent"}``). Pending and
        failed rows are found through the (status, next_attempt_at) index.
        """
        async with self.db.session() as s:
            rows = await s.execute(
                select(ChatRow.platform, DeliveryRow.status, func.count())
                .join(ChatRow, ChatRow.id == DeliveryRow.chat_id)
                .where(DeliveryRow.status.in_(("pending", "failed")))
                .group_by(ChatRow.platform, DeliveryRow.status)
            )
            return {(platform, status): int(n) for platform, status, n in rows.all()}

    async def paused_chats(self) -> dict[str, int]:
        """platform -> chats paused (the bot was removed, blocked or the chat archived)."""
        async with self.db.session() as s:
            rows = await s.execute(
                select(ChatRow.platform, func.count())
                .where(ChatRow.active.is_(False))
                .group_by(ChatRow.platform)
            )
            return {platform: int(n) for platform, n in rows.all()}

    async def failing_feeds(self) -> int:
        """Active feeds whose latest poll failed."""
        async with self.db.session() as s:
            n = await s.scalar(
                select(func.count()).select_from(FeedRow)
                .where(FeedRow.active.is_(True), FeedRow.consecutive_failures > 0)
            )
            return int(n or 0)


__all__ = ["StatsStore"]
