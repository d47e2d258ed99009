"""Readiness: named checks that say whether this process can do its work now.

``/healthz`` answers "the process is alive" (the event loop serves HTTP);
``/readyz`` runs every check registered here. The composition root registers
what it built: the database (one ``SELECT 1``), each chat platform (started
and not closed), the scheduler (running) or, in a delivery-only worker, the
outbox loop. A check returns None when all is well, or a short reason; a
check that raises or takes longer than ``timeout_s`` is not ready, with the
exception's one-line text (never a traceback) as the reason.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.logredact import redact

logger = logging.getLogger(__name__)

Check = Callable[[], "Awaitable[str | None] | str | None"]

__all__ = ["Check", "Readiness", "ReadinessReport"]


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    checks: dict[str, str]  # name -> "ok" or the reason it is not ready

    @property
    def ready(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    @property
    def not_ready(self) -> dict[str, str]:
        return {k: v for k, v in self.checks.items() if v != "ok"}

    def as_json(self) -> dict[str, object]:
        return {"ready": self.ready, "checks": self.checks, "not_ready": self.not_ready}


class Readiness:
    """A set of named checks, run together by :meth:`check`."""

    def __init__(self, timeout_s: float = 3.0) -> None:
        self.timeout_s = timeout_s
        self._checks: dict[str, Check] = {}

    def add(self, name: str, check: Check) -> None:
        """Register (or replace) the check called ``name``."""
        self._checks[name] = check

    def remove(self, name: str) -> None:
        self._checks.pop(name, None)

    def flag(self, name: str, reason: str) -> Callable[[str | None], None]:
        """Register a check answered by a flag the caller sets: returns a setter
        (``set(None)`` = ready, ``set("reason")`` = not ready), initially ``reason``."""
        state: list[str | None] = [reason]
        self.add(name, lambda: state[0])

        def set_state(value: str | None) -> None:
            state[0] = value

        return set_state

    async def check(self) -> ReadinessReport:
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(self._checks[n]) for n in names))
        return ReadinessReport(dict(zip(names, results, strict=True)))

    async def _run(self, check: Check) -> str:
        try:
            async with asyncio.timeout(self.timeout_s):
                result = check()
                if inspect.isawaitable(result):
                    result = await result
        except TimeoutError:
            return f"no answer within {self.timeout_s:g}s"
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return redact(f"{type(exc).__name__}: {reason}"[:300] if reason else type(exc).__name__)
        return "ok" if result is None else str(result)
