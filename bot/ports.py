"""The ports between the core and the chat platforms, with their contracts.

Two directions, one seam each::

    core ──ChatPlatform──► platform     render and send messages; connect, start, close;
                                         answer the core's questions (is this user an
                                         administrator? can we post there? which chat is
                                         "@name"?)
    platform ──Core──► core             commands, the bot's own membership news, and
                                         direct replies (sent by the core's one policy)

An adapter (``bot/adapters/<platform>/``) implements :class:`ChatPlatform`
and translates: SDK updates into :class:`~bot.domain.Command` objects handed
to :class:`Core`, ``Reply``/``Digest`` into payloads, payloads into SDK
calls, SDK errors into :mod:`bot.errors`. Every decision (who may manage a
chat, which chat a command acts on, when to join a channel, how a rate
limited reply is retried) is the core's, made from the answers a platform
gives here, so a new platform costs one folder of translation.

The outbox and the digest builder only need :class:`Sender`, the outbound
part, which test fakes implement without a platform behind them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from bot.domain import ChatKind, ChatRef, Command, Digest, Platform, Reply, UserRef
from bot.errors import GoneKind
from bot.records import Payload


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Sending limits a platform declares. The composition root builds one
    :class:`~bot.delivery.ratelimit.RateLimiter` per platform from them, shared
    by the outbox and direct replies; platforms never pace themselves."""

    global_per_second: float
    per_chat_per_second: float
    per_group_per_minute: float | None = None


class Posting(StrEnum):
    """Whether the bot can post in a chat (:meth:`ChatPlatform.posting`)."""

    ALLOWED = "allowed"  # it can (or the platform guarantees it for chats it hears from)
    JOINABLE = "joinable"  # not a member, but it may join by itself (a public Slack channel)
    NEEDS_INVITE = "needs_invite"  # someone in the chat must add the bot
    NEEDS_RIGHTS = "needs_rights"  # the bot is there but may not post (not a channel admin)
    UNKNOWN = "unknown"  # the platform could not tell (a missing scope, an outage)


@dataclass(frozen=True, slots=True)
class ChatTarget:
    """A chat found by name (:meth:`ChatPlatform.resolve_channel`)."""

    ref: ChatRef
    kind: ChatKind
    title: str | None = None


class Sender(Protocol):
    """The outbound part of a platform: what the outbox and digest builder use.

    ``render`` turns a digest or reply into JSON-serialisable payloads, one
    per message, so the outbox can store each before anything is sent.
    ``send_payload`` posts one payload and returns the platform's message id
    (if it has one), or raises a :class:`~bot.errors.DeliveryError` subclass
    that says whether trying again can help. It does not wait for a rate
    limiter: its caller acquired a slot for this message (a platform may make
    a second request for the same message, e.g. Telegram resending refused
    HTML as plain text).
    """

    platform: Platform
    limits: RateLimits

    def render(self, message: Digest | Reply) -> list[Payload]: ...

    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None: ...


SendReply = Callable[[Payload], Awaitable[object]]
"""Posts one reply payload the platform's way (a response URL, an ephemeral
message, an edit); raises :mod:`bot.errors` delivery errors like ``send_payload``."""


class Core(Protocol):
    """What a platform hands its updates to (:class:`bot.commands.inbound.Inbound`)."""

    async def handle(self, command: Command) -> Reply:
        """Run one command, access rules first; never raises for bad input."""
        ...

    async def bot_removed(self, chat: ChatRef, kind: GoneKind, reason: str) -> None:
        """The bot left, was removed from or blocked in ``chat`` (or it was archived)."""
        ...

    async def bot_returned(self, chat: ChatRef) -> None:
        """The bot is in ``chat`` again (added back, unblocked, unarchived)."""
        ...

    async def chat_migrated(self, chat: ChatRef, new_external_id: str) -> None:
        """``chat`` now lives under ``new_external_id`` (a group became a supergroup)."""
        ...

    async def deliver_reply(
        self,
        chat: ChatRef,
        payload: Payload,
        send: SendReply,
        *,
        group: bool,
        requeue: Payload | None,
    ) -> object:
        """Send a direct reply with ``send`` under the one reply policy
        (:class:`bot.delivery.replies.DirectReplies`). ``group``: the chat is a
        group or channel (for group rate limits). ``requeue``: the payload the
        outbox may send later with ``send_payload`` if the platform keeps
        refusing for now; None when the reply must not be sent any other way
        (an ephemeral answer)."""
        ...


class UpdateInbox(Protocol):
    """Where an adapter stores a platform's updates before it confirms them to
    the platform (``bot.store.inbox.InboxStore``): a command in flight at a
    crash is handled after the restart instead of lost."""

    async def accept(self, platform: str, updates: Sequence[tuple[str, dict[str, Any]]]) -> set[str]:
        """Store (key, JSON payload) pairs; return the keys that are new (to handle).
        Raises when they could not be stored: then do not confirm them."""
        ...

    async def handled(self, platform: str, key: str, note: str | None = None) -> None:
        """The update was handled (whatever the outcome)."""
        ...

    async def claim_unhandled(
        self, platform: str, *, older_than_s: float = 0.0, limit: int = 500
    ) -> list[tuple[str, dict[str, Any]]]:
        """Updates stored but never handled (a process died), to handle now."""
        ...


class ChatPlatform(ABC):
    """A chat platform, as the core sees it. Adapters subclass it.

    Lifecycle: :meth:`connect` prepares for sending only (checks the token,
    opens connections) and is idempotent; :meth:`start` connects and begins
    receiving, handing every update to the given :class:`Core`;
    :meth:`close` stops receiving, lets in-flight work finish (bounded) and
    releases connections. :meth:`routes` are Starlette routes for newsbot's
    one HTTP server (webhook/HTTP modes), empty in polling/socket modes.

    The questions (``is_admin``, ``posting``, ``join``, ``resolve_channel``,
    ``channel_address``) report platform facts and never refuse anything
    themselves: the refusals and their texts are the core's. A question the
    platform cannot answer (an API error) gets the cautious answer and one
    log line.
    """

    platform: Platform
    limits: RateLimits

    @property
    def bot_name(self) -> str:
        """The bot's user name as people mention it (``@name``), once connected."""
        return "newsbot"

    # ------------------------------------------------------------ outbound

    @abstractmethod
    def render(self, message: Digest | Reply) -> list[Payload]:
        """See :class:`Sender`."""

    @abstractmethod
    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None:
        """See :class:`Sender`."""

    # ------------------------------------------------------------ lifecycle

    @abstractmethod
    def routes(self) -> list[Any]: ...

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def start(self, core: Core) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    def use_inbox(self, inbox: UpdateInbox) -> None:
        """Store updates in ``inbox`` before confirming them to the platform (the
        composition root calls it before :meth:`start`). Default: the platform
        has nothing to confirm (the console)."""
        return None

    @property
    def receives_by_polling(self) -> bool:
        """True when receiving is one long poll per bot that a second poller
        breaks (Telegram's ``getUpdates``): with several processes on one
        database, only the elected one (:mod:`bot.engine.leader`) calls
        :meth:`start`; the others :meth:`connect` for sending only."""
        return False

    async def stop_receiving(self) -> None:
        """Stop receiving updates (the role went to another process); sending
        keeps working, and :meth:`start` may be called again later. Only a
        platform that :attr:`receives_by_polling` needs to do anything."""
        return None

    # ------------------------------------------------------------ questions

    @abstractmethod
    async def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        """Whether ``user`` administers ``chat`` by this platform's rules (False
        when it cannot be checked)."""

    async def posting(self, chat: ChatRef, kind: ChatKind) -> Posting:
        """Whether the bot can post in ``chat``. Default: a platform that only
        hears from chats it is in, and may post in them."""
        return Posting.ALLOWED

    async def join(self, chat: ChatRef) -> bool:
        """Join a chat that :meth:`posting` called ``JOINABLE``; True on success."""
        return False

    def channel_address(self, word: str) -> str | None:
        """``word`` as a channel name in this platform's syntax (``@name``), else None.
        Default: the platform has no way to name a channel in a command."""
        return None

    async def resolve_channel(self, address: str) -> ChatTarget | None:
        """The chat named ``address`` (from :meth:`channel_address`), None if not found."""
        return None


__all__ = [
    "ChatPlatform",
    "ChatTarget",
    "Core",
    "Posting",
    "RateLimits",
    "SendReply",
    "Sender",
    "UpdateInbox",
]
