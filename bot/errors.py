"""The newsbot error tree.

Every error a user or operator may see is one of these, and its ``str()`` is
one clear line that says what went wrong and, where possible, what to do::

    NewsbotError
    ├── ConfigError                 invalid settings or config file (start-up)
    ├── FetchError                  a URL could not be fetched
    │   ├── UnsafeURLError          scheme not http(s), or a private/loopback/... address
    │   ├── HTTPStatusError         the server answered 4xx/5xx (``status``)
    │   ├── FetchTimeoutError       connect/read timeout
    │   ├── TooLargeError           body larger than the size cap
    │   ├── TooManyRedirectsError
    │   └── UnsupportedContentError PDF, image, ... where HTML or a feed was needed
    ├── FeedError                   not a feed, and no feed could be discovered
    ├── ExtractionError             no main text could be extracted
    ├── SummarizerError             the summarization model is missing or failed
    ├── CommandError                bad command input (the message is the reply)
    ├── NotFoundError               a feed/chat/subscription that does not exist
    ├── StoreUnavailableError       the database cannot be opened (URL shown without password)
    └── DeliveryError               a message was not delivered (raise a subclass)
        ├── TransientDeliveryError  worth trying again later: network, 5xx, timeouts, bad token
        │   └── RateLimited         the platform asked us to wait ``retry_after`` s
        └── PermanentDeliveryError  sending the same thing again will not help
            ├── RecipientGone       the chat cannot receive (``kind``: a :class:`GoneKind`): pause it
            ├── MessageRejected     this message itself is refused: fail it, go on with the next
            └── ChatMigrated        the chat has a new id: resend there, never to the old one

Transient and permanent delivery failures are siblings, so ``except
TransientDeliveryError`` can never swallow a permanent one. Adapters map
their SDK's errors onto these; the core acts on the class and on
``RecipientGone.kind``, never on a platform's wording.
"""

from __future__ import annotations

from enum import StrEnum


class NewsbotError(Exception):
    """Base class of every error newsbot raises on purpose."""


class ConfigError(NewsbotError):
    pass


class FetchError(NewsbotError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class UnsafeURLError(FetchError):
    pass


class BadResponseError(FetchError):
    """The server answered, but with something unreadable: a malformed or missing
    redirect target, a body that does not decode. Not a connection problem."""


class HTTPStatusError(FetchError):
    """``retry_after`` is the server's Retry-After in seconds (429/503), if any."""

    def __init__(
        self,
        url: str,
        status: int,
        reason: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(url, reason or f"the server answered HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class FetchTimeoutError(FetchError):
    pass


class TooLargeError(FetchError):
    pass


class TooManyRedirectsError(FetchError):
    pass


class UnsupportedContentError(FetchError):
    def __init__(self, url: str, content_type: str, reason: str | None = None) -> None:
        super().__init__(url, reason or f"unsupported content type {content_type!r}")
        self.content_type = content_type


class FeedError(NewsbotError):
    pass


class ExtractionError(NewsbotError):
    pass


class SummarizerError(NewsbotError):
    pass


class CommandError(NewsbotError):
    """Bad input to a command; ``str(error)`` is the reply the user sees."""


class NotFoundError(NewsbotError):
    pass


class DigestRaced(NewsbotError):
    """Another digest gave some of these articles to the chat while this one was
    being built (a realtime digest, a ``/digest``, another process): build again."""


class StoreUnavailableError(NewsbotError):
    """The database cannot be reached or opened; the message names the URL
    (without its password) and what to check."""


class DeliveryError(NewsbotError):
    """A message was not delivered. Raise one of the subclasses, which say
    whether trying again can help; a bare ``DeliveryError`` counts as transient."""


class TransientDeliveryError(DeliveryError):
    """Not delivered this time; the same message may go through later."""


class RateLimited(TransientDeliveryError):
    def __init__(self, retry_after: float, scope: str = "chat") -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s ({scope})")
        self.retry_after = retry_after
        self.scope = scope  # "chat" or "platform"


class PermanentDeliveryError(DeliveryError):
    """Sending the same message to the same address again will not help."""


class GoneKind(StrEnum):
    """Why a chat can no longer receive messages (stored with a paused chat).

    The first six are about the bot's place in the chat, so the chat hears us
    again once the bot is added back (:attr:`heals_when_bot_returns`); the
    others stay until someone uses a command there.
    """

    BLOCKED = "blocked"  # a user blocked the bot in a private chat
    KICKED = "kicked"  # the bot was removed from the group or channel
    NOT_A_MEMBER = "not_a_member"  # the bot is not (or no longer) in the chat
    NO_RIGHTS = "no_rights"  # the bot is there but may not post (not an admin of a channel)
    CHAT_NOT_FOUND = "chat_not_found"  # deleted, or hidden from the bot
    ARCHIVED = "archived"  # the channel was archived
    RESTRICTED = "restricted"  # posting is restricted in the whole chat (read-only, topic closed)
    DEACTIVATED = "deactivated"  # the user, group or workspace account was deactivated
    UNREACHABLE = "unreachable"  # the platform never delivers there (another bot, an invalid id)

    @property
    def heals_when_bot_returns(self) -> bool:
        return self in _MEMBERSHIP_KINDS


_MEMBERSHIP_KINDS = frozenset(
    {
        GoneKind.BLOCKED,
        GoneKind.KICKED,
        GoneKind.NOT_A_MEMBER,
        GoneKind.NO_RIGHTS,
        GoneKind.CHAT_NOT_FOUND,
        GoneKind.ARCHIVED,
    }
)


class RecipientGone(PermanentDeliveryError):
    """The chat can no longer receive messages: ``kind`` says why (for decisions),
    ``reason`` says it in words (for people: logs, the paused-chat note)."""

    def __init__(self, kind: GoneKind, reason: str | None = None) -> None:
        reason = reason or kind.value.replace("_", " ")
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class ChatMigrated(PermanentDeliveryError):
    """The chat moved to a new id (Telegram group -> supergroup): permanent for
    the old id, so the outbox moves the chat and resends at once."""

    def __init__(self, new_external_id: str) -> None:
        super().__init__(f"chat migrated to {new_external_id}")
        self.new_external_id = new_external_id


class MessageRejected(PermanentDeliveryError):
    """The platform refused this message itself; sending it again will not help.

    Too long, empty, invalid blocks or buttons, an unknown file id: the request
    is wrong, not the chat or the connection. The outbox marks the row failed at
    once instead of retrying it, and goes on with the chat's next message.
    ``reason`` names the platform and its error (``"Slack: msg_too_long"``).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
