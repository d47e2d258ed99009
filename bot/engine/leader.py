"""Leader election through the database: one process at a time holds a role.

Used for Telegram long polling (``getUpdates`` answers ``409 Conflict`` to a
second poller): every ``newsbot run`` process on PostgreSQL runs a
:class:`Leader` for the role, and only the one holding the lease polls.

The lease (:class:`~bot.store.leases.LeaseStore`) lasts ``ttl_s`` (30 s) of
the database server's clock and is renewed every ``renew_s`` (10 s). A leader
that cannot renew (database unreachable, event loop stalled) gives the role
up itself ``margin_s`` before its lease would end, so the old leader has
stopped before anyone else may start; a leader that dies stops renewing and
another process takes over when the lease expires, within ``ttl_s + renew_s``
(40 s by default, inside the minute the issue asks for). A clean stop
releases the lease at once, so a restart or a rolling deploy hands over in
one renew interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable

from bot.store.leases import LeaseStore

logger = logging.getLogger(__name__)

TELEGRAM_POLLING = "telegram-polling"


def holder_id() -> str:
    """``hostname:pid:random``: unique per process, and says where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Leader:
    """Holds ``name`` when it can; runs ``on_elected`` when it gets the role and
    ``on_demoted`` when it loses or gives it up (both awaited, never concurrently).
    """

    def __init__(
        self,
        leases: LeaseStore,
        name: str,
        *,
        on_elected: Callable[[], Awaitable[None]],
        on_demoted: Callable[[], Awaitable[None]],
        holder: str | None = None,
        ttl_s: float = 30.0,
        renew_s: float = 10.0,
        margin_s: float = 5.0,
    ) -> None:
        if not 0 < renew_s < ttl_s - margin_s:
            raise ValueError("need 0 < renew_s < ttl_s - margin_s")
        self.leases = leases
        self.name = name
        self.holder = holder or holder_id()
        self.ttl_s, self.renew_s, self.margin_s = ttl_s, renew_s, margin_s
        self._on_elected, self._on_demoted = on_elected, on_demoted
        self.leading = False
        self._deadline = 0.0  # monotonic time by which we must have renewed or stepped down

    async def run(self, stop: asyncio.Event) -> None:
        """Campaign until ``stop`` is set; then step down and release the lease."""
        try:
            while not stop.is_set():
                await self._turn()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._sleep_s())
        finally:
            await self._step_down("stopping")
            with contextlib.suppress(Exception):
                await self.leases.release(self.name, self.holder)

    def _sleep_s(self) -> float:
        if not self.leading:
            return self.renew_s
        # wake in time to step down if the next renewal fails
        return max(0.05, min(self.renew_s, self._deadline - time.monotonic()))

    async def _turn(self) -> None:
        started = time.monotonic()
        # a leader's request may not outlast its deadline: past it, another may lead
        timeout = max(0.05, min(self.renew_s, self._deadline - started)) if self.leading \
            else self.renew_s
        try:
            until = await asyncio.wait_for(
                self.leases.acquire(self.name, self.holder, self.ttl_s), timeout)
        except Exception as exc:
            if self.leading and time.monotonic() >= self._deadline:
                await self._step_down(f"could not renew the lease ({type(exc).__name__})")
            elif not self.leading:
                logger.warning("leader %s: the database did not answer (%s)", self.name,
                               type(exc).__name__)
            return
        if until is None:
            if self.leading:
                await self._step_down("another process holds the lease")
            return
        # counted from before the request: the server's lease started no earlier
        self._deadline = started + self.ttl_s - self.margin_s
        if not self.leading:
            self.leading = True
            logger.info("leader %s: this process (%s) took the role", self.name, self.holder)
            try:
                await self._on_elected()
            except Exception:
                logger.exception("leader %s: starting the role failed; giving it up", self.name)
                await self._step_down("start failed")
                with contextlib.suppress(Exception):
                    await self.leases.release(self.name, self.holder)

    async def _step_down(self, why: str) -> None:
        if not self.leading:
            return
        self.leading = False
        logger.warning("leader %s: giving up the role (%s)", self.name, why)
        try:
            await self._on_demoted()
        except Exception:
            logger.exception("leader %s: stopping the role failed", self.name)


__all__ = ["TELEGRAM_POLLING", "Leader", "holder_id"]
