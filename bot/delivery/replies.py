"""The one direct-reply policy: how an answer to a command reaches its chat.

A direct reply (the answer to ``/list``, a summary, a refusal) is sent at
once, not queued first, because someone is waiting for it. Every platform's
replies follow the same rule:

1. take a slot from the platform's :class:`~bot.delivery.ratelimit.RateLimiter`
   (the one the outbox uses too, so replies and digests to a chat share its pace);
2. send;
3. rate limited (``RateLimited``): tell the limiter (which then holds the
   chat, or the platform, for ``retry_after``), take the next slot, which
   waits that out, and send again;
4. rate limited again: queue the reply in the outbox (when the adapter gave a
   payload it may send later, see ``requeue``) and wake it, so the answer
   arrives as soon as the platform allows, and nobody waits on it here;
5. any other delivery error: one log line, nothing else (the command has
   run; a chat that is gone is paused by its next digest).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from enum import StrEnum

from bot.delivery.ratelimit import RateLimiter
from bot.domain import ChatRef, Platform
from bot.errors import DeliveryError, NotFoundError, RateLimited
from bot.ports import SendReply
from bot.records import Payload
from bot.store.outbox import OutboxStore

logger = logging.getLogger(__name__)


class ReplyOutcome(StrEnum):
    SENT = "sent"
    QUEUED = "queued"  # handed to the outbox after a second rate limit
    DROPPED = "dropped"  # not delivered (logged)


class DirectReplies:
    """Sends direct replies by the module's policy.

    ``limiters`` are the composition root's, one per platform. ``outbox`` and
    ``wake_outbox`` let a reply still limited after one wait be queued; without
    an outbox (tests, tools) such a reply is dropped with a log line.
    """

    def __init__(
        self,
        limiters: Mapping[Platform, RateLimiter],
        outbox: OutboxStore | None = None,
        *,
        wake_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.limiters = limiters
        self.outbox = outbox
        self.wake_outbox = wake_outbox

    async def deliver(
        self,
        chat: ChatRef,
        payload: Payload,
        send: SendReply,
        *,
        group: bool,
        requeue: Payload | None,
    ) -> ReplyOutcome:
        limiter = self.limiters[chat.platform]
        key = str(chat)
        for attempt in (1, 2):
            await limiter.acquire(key, is_group=group)
            try:
                await send(payload)
                return ReplyOutcome.SENT
            except RateLimited as exc:
                limiter.penalize(exc.retry_after, None if exc.scope == "platform" else key)
                if attempt == 1:
                    logger.info("%s asked to wait %.1fs before replying in %s",
                                chat.platform, exc.retry_after, chat)
            except DeliveryError as exc:
                logger.warning("reply to %s not delivered: %s", chat, exc)
                return ReplyOutcome.DROPPED
        return await self._queue(chat, requeue)

    async def _queue(self, chat: ChatRef, payload: Payload | None) -> ReplyOutcome:
        if payload is None or self.outbox is None:
            logger.warning("reply to %s dropped: still rate limited after one wait", chat)
            return ReplyOutcome.DROPPED
        try:
            await self.outbox.queue_message(chat, [payload], key=f"reply:{secrets.token_hex(8)}")
        except NotFoundError:  # a chat that never ran a command (an unknown one, say)
            logger.warning("reply to %s dropped: still rate limited, and the chat is not stored",
                           chat)
            return ReplyOutcome.DROPPED
        logger.info("reply to %s still rate limited after one wait; queued in the outbox", chat)
        self.wake_outbox()
        return ReplyOutcome.QUEUED


__all__ = ["DirectReplies", "ReplyOutcome"]
