"""Per-user quotas and the cap on on-demand summaries: a public bot's work bounds.

``/summary`` and ``/subscribe`` make newsbot fetch pages anyone can name,
and ``/summary`` runs the model, so each has a per-user quota over a sliding
hour (20 summaries, 10 subscriptions by default; ``NEWSBOT_SUMMARY_QUOTA_PER_HOUR``
and ``NEWSBOT_SUBSCRIBE_QUOTA_PER_HOUR``, 0 = no quota). A request counts
when it carries an argument, whether or not it succeeds: a failing fetch
costs as much as a working one, and failing fetches are what an abuser
sends. Uses are stored (:class:`~bot.store.quotas.QuotaStore`), so a restart
forgets nothing. The quota is per user (per chat for a post in a channel's
own name, which has no user); one friendly reply says when they can try again.

On-demand summaries also share a global cap (``NEWSBOT_SUMMARY_CONCURRENCY``,
default 2): a burst waits its turn in a queue of at most
``NEWSBOT_SUMMARY_QUEUE_MAX`` requests (beyond that: a "busy" reply) instead
of crowding the model, whose one-at-a-time lock digests also wait on. The
cap is per process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock, utcnow
from bot.domain import Command, Reply

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)

SUMMARY_QUOTA = ("You've asked for {count} in the last hour, which is as many as I make for "
                 "one person. You can ask again {when}.")
SUBSCRIBE_QUOTA = ("You've sent {count} in the last hour, which is as many as I take from one "
                   "person. You can subscribe again {when}.")
_NOUNS = {"summary": ("summary", "summaries"), "subscribe": ("subscription", "subscriptions")}
BUSY = ("I'm summarizing many articles for other people right now. Please try again in a "
        "minute.")


class QuotaLedger(Protocol):
    """Where uses are counted (:class:`bot.store.quotas.QuotaStore`)."""

    async def take(self, subject: str, action: str, *, limit: int, window: timedelta,
                   now: datetime | None = None) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Limits:
    """The operator's numbers (settings); 0 quota = unlimited."""

    summary_per_hour: int = 20
    subscribe_per_hour: int = 10
    summary_concurrency: int = 2
    summary_queue_max: int = 50


class CommandQuotas:
    """The quotas and the on-demand summary cap of the module docstring."""

    def __init__(self, ledger: QuotaLedger, limits: Limits = Limits(),
                 clock: Clock = utcnow) -> None:
        self.ledger = ledger
        self.limits = limits
        self.clock = clock
        self._slots = asyncio.Semaphore(max(1, limits.summary_concurrency))
        self._waiting = 0

    async def check(self, command: Command) -> Reply | None:
        """Count ``command`` against its quota; the reply to send instead when
        the quota is used up, else None."""
        rule = self._rule(command)
        if rule is None:
            return None
        action, limit, text = rule
        user = command.user
        subject = f"{user.platform}:{user.external_id}" if user else str(command.chat)
        now = self.clock()
        retry_at = await self.ledger.take(subject, action, limit=limit, window=WINDOW, now=now)
        if retry_at is None:
            return None
        logger.info("quota: %s used %d %s requests in the last hour; refused until %s",
                    subject, limit, action, f"{retry_at:%H:%M} UTC")
        one, many = _NOUNS[action]
        count = f"{limit} {one if limit == 1 else many}"
        return Reply(text.format(count=count, when=describe_wait(retry_at - now, retry_at)),
                     is_error=True, refused=True)

    def _rule(self, command: Command) -> tuple[str, int, str] | None:
        if not [a for a in command.args if not a.startswith("--")]:
            return None  # no link: the command only explains its usage
        if command.name == "summary" and self.limits.summary_per_hour > 0:
            return "summary", self.limits.summary_per_hour, SUMMARY_QUOTA
        if command.name == "subscribe" and self.limits.subscribe_per_hour > 0:
            return "subscribe", self.limits.subscribe_per_hour, SUBSCRIBE_QUOTA
        return None

    async def run(
        self, command: Command, handle: Callable[[Command], Awaitable[Reply]]
    ) -> tuple[Reply, bool]:
        """Run ``handle(command)`` within the quotas and, for an on-demand
        summary, in one of the global slots (waiting its turn). Returns the
        reply and whether it is a refusal of the quotas or the cap. A full
        queue is refused before anything is counted."""
        summary = command.name == "summary"
        if summary and self._slots.locked() and self._waiting >= self.limits.summary_queue_max:
            logger.warning("on-demand summaries: %d running and %d waiting; refusing one from %s",
                           self.limits.summary_concurrency, self._waiting, command.chat)
            return Reply(BUSY, is_error=True, refused=True), True
        refusal = await self.check(command)
        if refusal is not None:
            return refusal, True
        if not summary:
            return await handle(command), False
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await handle(command), False
        finally:
            self._slots.release()

    @property
    def waiting(self) -> int:
        """On-demand summaries waiting for a slot (for tests and metrics)."""
        return self._waiting


def describe_wait(wait: timedelta, at: datetime) -> str:
    """"in 12 minutes (at 14:05 UTC)": when a refused user may try again."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))  # round up: never too early
    if minutes < 2:
        span = "in a minute"
    elif minutes < 90:
        span = f"in {minutes} minutes"
    else:
        span = f"in about {round(minutes / 60)} hours"
    return f"{span} (at {at:%H:%M} UTC)"


__all__ = ["BUSY", "SUBSCRIBE_QUOTA", "SUMMARY_QUOTA", "CommandQuotas", "Limits",
           "describe_wait"]
