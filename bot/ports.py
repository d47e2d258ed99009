"""The narrow ports between the core and the outside.

Outbound, every chat platform implements :class:`Sender`: one ``send`` call for
one message, which either returns the platform's message id or raises one of
the delivery errors of :mod:`bot.errors` (``RateLimited``, ``RecipientGone``,
``ChatMigrated``, ``DeliveryError``). Rendering a ``Digest`` into one or more
platform messages is the adapter's job (``render``), so the outbox can persist
each outgoing message before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.domain import ChatRef, Digest, Platform, Reply


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Sending limits a platform declares; delivery enforces them in one place."""

    global_per_second: float
    per_chat_per_second: float
    per_group_per_minute: float | None = None


@runtime_checkable
class Sender(Protocol):
    """An outbound chat platform."""

    platform: Platform
    limits: RateLimits

    def render(self, message: Digest | Reply) -> list[dict[str, Any]]:
        """Turn a digest or reply into JSON-serialisable platform payloads, one per message."""
        ...

    async def send_payload(self, to: ChatRef, payload: dict[str, Any]) -> str | None:
        """Send one rendered payload; return the platform message id if it has one."""
        ...


class Adapter(Sender, Protocol):
    """A chat platform: outbound Sender plus an inbound lifecycle.

    ``routes()`` returns Starlette routes to mount on newsbot's one HTTP
    server (webhook/HTTP modes); it is empty in polling/socket modes. ``start``
    begins receiving (long polling, Socket Mode, or webhook registration) and
    ``stop`` ends it; both are awaited by the composition root.
    """

    def routes(self) -> list[Any]:
        ...

    async def start(self) -> None:
        ...

    async def stop(self) -> None:
        ...
