"""The core's inbound side for tests: the real access rules and reply policy
(:class:`bot.commands.inbound.Inbound`) in front of a fake command layer, and a
platform stub that answers the core's questions without a network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.commands.access import AccessPolicy
from bot.commands.inbound import CommandLayer, Inbound
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.replies import DirectReplies
from bot.digest.text import reply_text
from bot.domain import ChatKind, ChatRef, Digest, Platform, Reply, UserRef
from bot.errors import GoneKind
from bot.ports import ChatPlatform, ChatTarget, Core, Posting, RateLimits
from bot.records import Payload
from bot.store import Store

FAST = RateLimits(global_per_second=1000, per_chat_per_second=1000, per_group_per_minute=None)


class RecordingLimiter(RateLimiter):
    """A RateLimiter that records every slot taken and every penalty. With
    ``enforce=False`` penalties are recorded but not waited out, so a test of what
    an adapter does on a 429 runs at once (tests/delivery/test_replies.py shows
    the real limiter waiting)."""

    def __init__(self, limits: RateLimits = FAST, *, enforce: bool = False) -> None:
        super().__init__(limits)
        self.enforce = enforce
        self.acquired: list[tuple[str, bool]] = []
        self.penalties: list[tuple[float, str | None]] = []

    async def acquire(self, chat_key: str, is_group: bool = False) -> None:
        self.acquired.append((chat_key, is_group))
        await super().acquire(chat_key, is_group)

    def penalize(self, retry_after: float, chat_key: str | None = None) -> None:
        self.penalties.append((retry_after, chat_key))
        if self.enforce:
            super().penalize(retry_after, chat_key)


class MembershipLog:
    """The membership half of a fake command layer: records what platforms report."""

    def __init__(self) -> None:
        self.membership: list[tuple[str, ChatRef, GoneKind | None]] = []

    async def bot_removed(self, chat: ChatRef, kind: GoneKind, reason: str) -> None:
        self.membership.append(("removed", chat, kind))

    async def bot_returned(self, chat: ChatRef) -> None:
        self.membership.append(("returned", chat, None))

    async def chat_migrated(self, chat: ChatRef, new_external_id: str) -> None:
        self.membership.append((f"migrated:{new_external_id}", chat, None))


def inbound_for(
    commands: CommandLayer,
    platform: ChatPlatform,
    *,
    limiter: RateLimiter | None = None,
    store: Store | None = None,
    members_manage: Iterable[Platform] = (),
) -> Inbound:
    """``commands`` behind the real access rules and reply policy for one platform,
    wired as the composition root does (``store``: queue replies still rate limited)."""
    limiters = {platform.platform: limiter if limiter is not None else RateLimiter(platform.limits)}
    replies = DirectReplies(limiters, store.outbox if store is not None else None)
    return Inbound(commands, {platform.platform: platform}, AccessPolicy(members_manage), replies)


class StubPlatform(ChatPlatform):
    """A platform with no network behind it: records what it is sent and answers the
    core's questions from its attributes (``admins``: user ids; ``posting_answer``)."""

    limits = FAST

    def __init__(self, platform: Platform = "telegram", *, admins: Iterable[str] = (),
                 posting_answer: Posting = Posting.ALLOWED, can_join: bool = True,
                 channels: Mapping[str, ChatTarget] | None = None) -> None:
        self.platform = platform
        self.admins = set(admins)
        self.posting_answer = posting_answer
        self.can_join = can_join
        self.channels = dict(channels or {})  # address ("@name") -> the chat
        self.sent: list[tuple[ChatRef, Payload]] = []
        self.joined: list[ChatRef] = []
        self.asked: list[str] = []

    def render(self, message: Digest | Reply) -> list[Payload]:
        return [{"text": reply_text(message) if isinstance(message, Reply) else message.title}]

    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None:
        self.sent.append((to, payload))
        return str(len(self.sent))

    def routes(self) -> list[Any]:
        return []

    async def connect(self) -> None:
        return None

    async def start(self, core: Core) -> None:
        return None

    async def close(self) -> None:
        return None

    async def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        self.asked.append(f"is_admin {chat.external_id} {user.external_id}")
        return user.external_id in self.admins

    async def posting(self, chat: ChatRef, kind: ChatKind) -> Posting:
        self.asked.append(f"posting {chat.external_id}")
        return self.posting_answer

    async def join(self, chat: ChatRef) -> bool:
        self.joined.append(chat)
        return self.can_join

    def channel_address(self, word: str) -> str | None:
        return word if word.startswith("@") else None

    async def resolve_channel(self, address: str) -> ChatTarget | None:
        return self.channels.get(address)
