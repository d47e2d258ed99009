"""Send-rate limiting for one platform, enforced in one place.

Adapters declare their :class:`~bot.ports.RateLimits`; every outgoing message of
that platform (digest parts from the outbox and direct command replies alike)
first awaits :meth:`RateLimiter.acquire`. Limits are spaced evenly rather than
burst: Telegram counts per second, and evenly spaced sends never trip it.

Fairness: a sender first waits for its *chat's* own slot (1 message/s on
Telegram) on its own timer, which costs nothing shared; only then does it
queue for a platform-wide slot. Platform-wide slots go to the waiting chat
that was granted a slot least recently (a chat's first message before
another chat's 40th), so one chat with a long queue never delays another
chat's first message by more than a slot or two, and the platform rate is
used whenever enough chats have work.

When the platform still answers "slow down", :meth:`RateLimiter.penalize`
blocks only the chat (or, for a platform-wide limit, the platform) for the
``retry_after`` the platform asked for.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
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
        self._granted: dict[str, float] = {}  # chat -> when it last got a global slot
        # senders whose chat slot has come, waiting for a global one:
        # (chat's last grant, arrival order, future)
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
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
        group_limit = self.limits.per_group_per_minute if is_group else None
        while True:
            # 1. the chat's own pace, on its own timer: nothing shared is held
            while True:
                now = self._clock()
                chat = self._chat(chat_key)
                ready = chat.next_free
                group = None
                if group_limit:
                    group = self._groups.get(chat_key)
                    if group is None:
                        group = self._groups[chat_key] = _Spacer(group_limit, 60.0)
                    ready = max(ready, group.next_free)
                if ready <= now:
                    break
                await asyncio.sleep(ready - now)
            # the chat's slot is taken now, so a second sender to the chat waits its turn
            chat.next_free = now + chat.interval
            if group is not None:
                group.next_free = now + group.interval
            epoch = chat.epoch
            # 2. a platform-wide slot, least recently served chat first
            await self._global_slot(self._granted.get(chat_key, float("-inf")))
            if epoch != chat.epoch:
                continue  # the chat was penalized while it waited: wait that out
            granted = self._clock()
            self._granted[chat_key] = granted
            chat.next_free = max(chat.next_free, granted + chat.interval)
            return

    async def _global_slot(self, last_granted: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (last_granted, next(self._order), future))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch())
        await future  # cancelled: the dispatcher skips it (or its slot goes unused)

    async def _dispatch(self) -> None:
        """Hand out platform-wide slots at the global rate to the waiting sender
        whose chat was served least recently; exits when nobody waits."""
        while self._waiting:
            now = self._clock()
            if self._global.next_free > now:
                await asyncio.sleep(self._global.next_free - now)
                continue  # a platform-wide penalty may have moved next_free meanwhile
            await self._admit()
            while self._waiting:
                _, _, future = heapq.heappop(self._waiting)
                if not future.done():
                    self._global.reserve(self._clock())
                    future.set_result(None)
                    break
            else:
                self._window.pop()  # nobody left to use the admitted slot

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
            # the dispatcher hands out no slot before ``until``
            self._global.next_free = max(self._global.next_free, until)
            self._global.epoch += 1
        else:
            self._chat(chat_key).block_until(until)

    def forget(self, chat_key: str) -> None:
        """Drop state for a chat that is gone (keeps memory flat with many chats)."""
        self._chats.pop(chat_key, None)
        self._groups.pop(chat_key, None)
        self._granted.pop(chat_key, None)
