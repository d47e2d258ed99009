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
    └── DeliveryError               a message could not be delivered (transient)
        ├── RateLimited             the platform asked us to wait ``retry_after`` s
        ├── RecipientGone           blocked, kicked, archived: stop sending to that chat
        ├── ChatMigrated            the chat has a new id: resend there
        └── MessageRejected         the platform refused this message itself: never resend it
"""

from __future__ import annotations


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


class DeliveryError(NewsbotError):
    """A message could not be delivered; worth retrying later."""


class RateLimited(DeliveryError):
    def __init__(self, retry_after: float, scope: str = "chat") -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s ({scope})")
        self.retry_after = retry_after
        self.scope = scope  # "chat" or "platform"


class RecipientGone(DeliveryError):
    """The chat can no longer receive messages (blocked, kicked, archived...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatMigrated(DeliveryError):
    """The chat moved to a new id (Telegram group -> supergroup)."""

    def __init__(self, new_external_id: str) -> None:
        super().__init__(f"chat migrated to {new_external_id}")
        self.new_external_id = new_external_id


class MessageRejected(DeliveryError):
    """The platform refused this message itself; sending it again will not help.

    Too long, empty, invalid blocks or buttons, an unknown file id: the request
    is wrong, not the chat or the connection. The outbox marks the row failed at
    once instead of retrying it, and goes on with the chat's next message.
    ``reason`` names the platform and its error (``"Slack: msg_too_long"``).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
