"""An in-process recording Sender with fault injection, for outbox tests.

It implements the real :class:`bot.ports.Sender` protocol: ``render`` turns a
Reply/Digest into one text payload, ``send_payload`` records every attempt
(with a monotonic timestamp) and either accepts the message or raises the
fault the test planned (``RateLimited``, ``DeliveryError``, a hang longer than
the outbox's send timeout, ``RecipientGone``, ``ChatMigrated``).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.domain import ChatRef, Digest, Platform, Reply
from bot.errors import ChatMigrated, DeliveryError, RateLimited, RecipientGone
from bot.ports import RateLimits

FAST = RateLimits(global_per_second=2000, per_chat_per_second=2000, per_group_per_minute=None)


@dataclass
class Attempt:
    chat: str
    text: str
    at: float
    outcome: str  # "ok" | "rate_limited" | "error" | "timeout" | "gone" | "migrated"
    retry_after: float = 0.0
    scope: str = "chat"


Fault = Callable[[ChatRef, dict[str, Any], int], BaseException | str | None]
"""Decides one attempt: None (accept), "hang", or an exception to raise."""


@dataclass
class RecordingSender:
    platform: Platform = "telegram"
    limits: RateLimits = FAST
    fault: Fault | None = None
    hang_s: float = 30.0
    attempts: list[Attempt] = field(default_factory=list)
    delivered: list[tuple[str, str]] = field(default_factory=list)  # (chat, text)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def use_inbox(self, inbox: object) -> None:
        """Tests wire this fake in as a platform (``bot.app.wire``): like the console,
        it has no updates to confirm, so it keeps no inbox."""
        return None

    def render(self, message: Digest | Reply) -> list[dict[str, Any]]:
        if isinstance(message, Reply):
            return [{"text": message.text}]
        return [{"text": f"{message.title}: {s.title}"} for s in message.stories] or [
            {"text": message.title}
        ]

    async def send_payload(self, to: ChatRef, payload: dict[str, Any]) -> str | None:
        n = len(self.attempts)
        now = time.monotonic()
        text = str(payload.get("text", ""))
        decision = self.fault(to, payload, n) if self.fault else None
        if decision is None:
            self.attempts.append(Attempt(to.external_id, text, now, "ok"))
            self.delivered.append((to.external_id, text))
            return str(next(self._ids))
        if decision == "hang":
            self.attempts.append(Attempt(to.external_id, text, now, "timeout"))
            await asyncio.sleep(self.hang_s)  # cancelled by the outbox's timeout: never delivered
            raise AssertionError("the outbox should have timed out this send")
        assert isinstance(decision, BaseException)
        if isinstance(decision, RateLimited):
            self.attempts.append(Attempt(to.external_id, text, now, "rate_limited",
                                         decision.retry_after, decision.scope))
        elif isinstance(decision, RecipientGone):
            self.attempts.append(Attempt(to.external_id, text, now, "gone"))
        elif isinstance(decision, ChatMigrated):
            self.attempts.append(Attempt(to.external_id, text, now, "migrated"))
        else:
            self.attempts.append(Attempt(to.external_id, text, now, "error"))
        raise decision


def random_faults(rate: float, seed: int, *, retry_after: tuple[float, float] = (0.02, 0.08),
                  platform_share: float = 0.15) -> Fault:
    """``rate`` of attempts fail: a third rate limited (some platform-wide), a
    third HTTP 500, a third hang past the send timeout."""
    rng = random.Random(seed)

    def decide(_to: ChatRef, _payload: dict[str, Any], _n: int) -> BaseException | str | None:
        if rng.random() >= rate:
            return None
        kind = rng.randrange(3)
        if kind == 0:
            scope = "platform" if rng.random() < platform_share else "chat"
            return RateLimited(round(rng.uniform(*retry_after), 3), scope=scope)
        if kind == 1:
            return DeliveryError("Telegram answered HTTP 500: Internal Server Error")
        return "hang"

    return decide


def assert_no_send_inside_retry_after(attempts: list[Attempt]) -> None:
    """No attempt started inside a ``retry_after`` the platform asked for: per chat
    for a chat-scoped limit, for every chat when platform-wide."""
    for i, limited in enumerate(attempts):
        if limited.outcome != "rate_limited":
            continue
        until = limited.at + limited.retry_after
        for later in attempts[i + 1:]:
            if limited.scope == "platform" or later.chat == limited.chat:
                assert later.at >= until, (limited, later)
