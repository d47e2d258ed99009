"""The one direct-reply policy (bot/delivery/replies.py): send under the platform's limiter,
wait out one rate limit, then queue in the outbox; never lose a public reply."""

from __future__ import annotations

import time

from bot.clock import utcnow
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.replies import DirectReplies, ReplyOutcome
from bot.domain import ChatRef
from bot.errors import RateLimited, TransientDeliveryError
from bot.records import Payload
from bot.store import Store
from tests.delivery.fakes import FAST
from tests.support.inbound import RecordingLimiter

CHAT = ChatRef("telegram", "42")


class Platform:
    """A send function that fails as planned and records when it was called."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls: list[tuple[float, Payload]] = []

    async def send(self, payload: Payload) -> None:
        self.calls.append((time.monotonic(), payload))
        if self.failures:
            raise self.failures.pop(0)


def replies(limiter: RateLimiter, store: Store | None = None, woken: list[int] | None = None,
            ) -> DirectReplies:
    def wake() -> None:
        if woken is not None:
            woken.append(1)

    return DirectReplies({"telegram": limiter}, store.outbox if store else None, wake_outbox=wake)


async def deliver(policy: DirectReplies, platform: Platform, requeue: Payload | None = None,
                  ) -> ReplyOutcome:
    payload = {"text": "hello"}
    return await policy.deliver(CHAT, payload, platform.send, group=False,
                                requeue=payload if requeue is None else requeue)


async def test_sent_at_once_under_the_platforms_limiter() -> None:
    limiter = RecordingLimiter(FAST)
    platform = Platform()
    assert await deliver(replies(limiter), platform) is ReplyOutcome.SENT
    assert limiter.acquired == [("telegram:42", False)] and len(platform.calls) == 1


async def test_one_rate_limit_is_waited_out_by_the_shared_limiter() -> None:
    limiter = RateLimiter(FAST)  # the real one: its next slot waits out the penalty
    platform = Platform(RateLimited(0.3))
    assert await deliver(replies(limiter), platform) is ReplyOutcome.SENT
    (first, _), (second, _) = platform.calls
    assert second - first >= 0.3  # not a benchmark: the wait happened at all
    # anything else sent to the chat meanwhile (a digest from the outbox) waits too
    started = time.monotonic()
    limiter.penalize(0.2, "telegram:42")
    await limiter.acquire("telegram:42")
    assert time.monotonic() - started >= 0.2


async def test_still_limited_after_one_wait_goes_to_the_outbox(store: Store) -> None:
    await store.chats.upsert_chat(CHAT)
    limiter, woken = RecordingLimiter(FAST), []
    platform = Platform(RateLimited(1.0), RateLimited(2.0, scope="platform"))
    outcome = await deliver(replies(limiter, store, woken), platform, {"text": "later"})
    assert outcome is ReplyOutcome.QUEUED and woken == [1] and len(platform.calls) == 2
    assert limiter.penalties == [(1.0, "telegram:42"), (2.0, None)]
    [row] = await store.outbox.due_deliveries(utcnow())
    assert row.chat == CHAT and row.payload == {"text": "later"}
    assert row.idempotency_key.startswith("telegram:42:msg:reply:")


async def test_a_reply_that_may_not_be_sent_otherwise_is_dropped(store: Store) -> None:
    await store.chats.upsert_chat(CHAT)
    platform = Platform(RateLimited(0.0), RateLimited(0.0))
    policy = replies(RecordingLimiter(FAST), store)
    outcome = await policy.deliver(CHAT, {"text": "only for you"}, platform.send, group=False,
                                   requeue=None)
    assert outcome is ReplyOutcome.DROPPED
    assert await store.outbox.due_deliveries(utcnow()) == []


async def test_no_outbox_or_no_stored_chat_drops_with_a_log(store: Store) -> None:
    for policy in (replies(RecordingLimiter(FAST)), replies(RecordingLimiter(FAST), store)):
        platform = Platform(RateLimited(0.0), RateLimited(0.0))
        assert await deliver(policy, platform) is ReplyOutcome.DROPPED


async def test_other_failures_are_not_retried() -> None:
    platform = Platform(TransientDeliveryError("Telegram answered HTTP 500"))
    assert await deliver(replies(RecordingLimiter(FAST)), platform) is ReplyOutcome.DROPPED
    assert len(platform.calls) == 1


