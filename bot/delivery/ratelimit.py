"""Send-rate limiting for one platform, enforced in one place.

Adapters declare their :class:`~bot.ports.RateLimits`; every outgoing message of
that platform (digest parts from the outbox and direct command replies alike)
first awaits :meth:`RateLimiter.acquire`. Limits are spaced evenly rather than
burst: Telegram counts per second, and evenly spaced sends never trip it.

When the platform still answers "slow down", :meth:`RateLimiter.penalize`
blocks only the chat (or, for a platform-wide limit, the platform) for the
``retry_after`` the platform asked for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from bot.ports import RateLimits

logger = logging.getLogger(__name__)


class _Spacer:
    """Hands out send slots at most ``rate`` per ``per`` seconds, evenly spaced.

    ``epoch`` counts penalties: a sender that reserved a slot before a penalty
    reserves again after its sleep, so no slot handed out earlier can fall
    inside a ``retry_after`` the platform asked for later.
    """

    __slots__ = ("epoch", "interval", "next_free")

    def __init__(self, rate: float, per: float = 1.0) -> None:
        self.interval = per / rate
        self.next_free = 0.0
        self.epoch = 0

    def reserve(self, now: float) -> float:
        """Reserve the next slot; return its start time."""
        slot = max(now, self.next_free)
        self.next_free = slot + self.interval
        return slot

    def block_until(self, when: float) -> None:
        self.next_free = max(self.next_free, when)
        self.epoch += 1


class RateLimiter:
    """Global + per-chat (+ per-group-per-minute) spacing for one platform."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic, *,
                 on_penalty: Callable[[float, bool], None] | None = None) -> None:
        self.limits = limits
        self._on_penalty = on_penalty  # (retry_after, platform_wide): metrics count 429s
        self._clock = clock
        self._global = _Spacer(limits.global_per_second)
        self._chats: dict[str, _Spacer] = {}
        self._groups: dict[str, _Spacer] = {}
        self._lock = asyncio.Lock()
        # Sends granted in the last second. Even spacing alone bursts after an
        # event-loop stall (every task whose slot passed wakes at once); this
        # caps any one-second window at the global rate, as platforms count.
        self._window: deque[float] = deque()
        self._window_cap = max(1, int(limits.global_per_second))

    def _chat(self, key: str) -> _Spacer:
        spacer = self._chats.get(key)
        if spacer is None:
            spacer = self._chats[key] = _Spacer(self.limits.per_chat_per_second)
        return spacer

    async def acquire(self, chat_key: str, is_group: bool = False) -> None:
        """Wait until a message to ``chat_key`` may be sent."""
        while True:
            async with self._lock:
                now = self._clock()
                chat = self._chat(chat_key)
                # The chat's own slot first, then a global slot no earlier than it.
                start = max(now, chat.next_free)
                if is_group and self.limits.per_group_per_minute:
                    group = self._groups.get(chat_key)
                    if group is None:
                        group = self._groups[chat_key] = _Spacer(self.limits.per_group_per_minute, 60.0)
                    start = max(start, group.next_free)
                    group.next_free = start + group.interval
                start = self._global.reserve(start)
                chat.next_free = start + chat.interval
                epochs = (self._global.epoch, chat.epoch)
            delay = start - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if epochs == (self._global.epoch, chat.epoch):
                await self._admit()
                return
            # penalized while we slept: our slot may lie inside the retry_after

    async def _admit(self) -> None:
        """Wait until fewer than ``global_per_second`` sends were granted in the last second."""
        while True:
            now = self._clock()
            window = self._window
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) < self._window_cap:
                window.append(now)
                return
            await asyncio.sleep(window[0] + 1.0 - now)

    def penalize(self, retry_after: float, chat_key: str | None = None) -> None:
        """Honour a platform's ``retry_after``: for one chat, or platform-wide when no chat."""
        until = self._clock() + retry_after
        if self._on_penalty is not None:
            self._on_penalty(retry_after, chat_key is None)
        if chat_key is None:
            logger.warning("platform asked to wait %.1fs before any further send", retry_after)
            # every sleeper reserves again after ``until``; slots handed out
            # before the penalty are void, so start the queue afresh there
            self._global.next_free = until
            self._global.epoch += 1
        else:
            self._chat(chat_key).block_until(until)

    def forget(self, chat_key: str) -> None:
        """Drop state for a chat that is gone (keeps memory flat with many chats)."""
        self._chats.pop(chat_key, None)
        self._groups.pop(chat_key, None)
