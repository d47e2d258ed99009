"""Event-loop lag: a ticker that records the longest gap between its wake-ups.

A task that sleeps ``interval`` seconds in a loop should wake every
``interval``; anything that holds the loop (a parse, a decode) shows up as a
longer gap. ``LagMonitor.worst`` is the longest gap minus the interval.
Used by the tests (generous bounds only) and by ``bench/hostile.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType


class LagMonitor:
    """``async with LagMonitor() as lag: ...`` then read ``lag.worst`` (seconds)."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - self.interval)
            last = now

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aenter__(self) -> LagMonitor:
        self.start()
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
