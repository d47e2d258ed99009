"""python-telegram-bot errors -> newsbot delivery errors (what the outbox acts on).

Telegram says why a chat is unreachable only in its error descriptions, so
this module is the one place that reads them: each becomes a
:class:`~bot.errors.GoneKind` and the core decides from the kind.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import error as tg
from telegram.warnings import PTBDeprecationWarning

from bot import errors
from bot.errors import GoneKind
from bot.logredact import redact

# PTB 22 itself reads RetryAfter.retry_after (to build the message) and warns each time that it
# will become a timedelta; retry_after_seconds() handles both types.
warnings.filterwarnings("ignore", message=r".*`retry_after`.*", category=PTBDeprecationWarning)

# BadRequest descriptions that mean the chat cannot receive anything, and why.
_GONE = (
    ("chat not found", GoneKind.CHAT_NOT_FOUND),
    ("user not found", GoneKind.UNREACHABLE),
    ("peer_id_invalid", GoneKind.UNREACHABLE),
    ("have no rights to send", GoneKind.NO_RIGHTS),
    ("not enough rights to send", GoneKind.NO_RIGHTS),
    ("need administrator rights in the channel chat", GoneKind.NO_RIGHTS),
    ("channel_private", GoneKind.NOT_A_MEMBER),
    ("group chat was deactivated", GoneKind.DEACTIVATED),
    ("user is deactivated", GoneKind.DEACTIVATED),
    # a forum's topic closed to the bot: nothing posts until it reopens
    ("topic_closed", GoneKind.RESTRICTED),
)
# Forbidden (403) descriptions: every 403 means the chat is gone; these say why.
_FORBIDDEN = (
    ("blocked", GoneKind.BLOCKED),
    ("kicked", GoneKind.KICKED),
    ("not a member", GoneKind.NOT_A_MEMBER),
    ("deactivated", GoneKind.DEACTIVATED),
    ("have no rights to send", GoneKind.NO_RIGHTS),
    ("not enough rights", GoneKind.NO_RIGHTS),
    ("need administrator rights", GoneKind.NO_RIGHTS),
)
_ENTITY = (
    "can't parse entities",
    "can't find end of",
    "unsupported start tag",
    "unclosed start tag",
    "unmatched end tag",
)
# BadRequests about the message itself: the same request can never succeed, so the outbox
# fails the row at once (MessageRejected). Only descriptions known to be permanent are listed;
# an unknown BadRequest stays a retried DeliveryError, and so do the ones about fetching a
# remote URL ("failed to get HTTP URL content", "wrong type of the web page content") and
# about a thread rather than the message ("message thread not found"; TOPIC_CLOSED pauses
# the chat, see _GONE).
# PTB drops "Bad Request: " and lower-cases the rest ("BUTTON_DATA_INVALID" ->
# "Button_data_invalid"), so these are matched against the lower-cased message.
_REJECTED = (
    "message is too long",
    "message_too_long",
    "message text is empty",
    "text must be non-empty",
    "message must be non-empty",
    "message_empty",
    "message caption is too long",
    "media_caption_too_long",
    "reply markup is too long",
    "button_data_invalid",
    "button_url_invalid",
    "button_type_invalid",
    "can't parse inline keyboard button",
    "inline keyboard button url",
    "unsupported parse_mode",
    "wrong remote file identifier",
    "wrong file identifier",
    "wrong http url specified",
    "photo_invalid_dimensions",
    "replied message not found",
    "message to be replied not found",
)


def retry_after_seconds(exc: tg.RetryAfter) -> float:
    """``RetryAfter.retry_after`` in seconds (PTB 22 warns while it moves to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_entity_error(exc: tg.TelegramError) -> bool:
    """A BadRequest about the HTML markup of this one message."""
    return isinstance(exc, tg.BadRequest) and any(s in exc.message.lower() for s in _ENTITY)


def is_not_modified(exc: tg.TelegramError) -> bool:
    return isinstance(exc, tg.BadRequest) and "message is not modified" in exc.message.lower()


def is_rejected(exc: tg.TelegramError) -> bool:
    """A BadRequest (HTTP 400) refusing this message for good: resending it cannot help.

    Entity (HTML markup) errors count too: the adapter resends such a message once as plain
    text before it gets here, so one that still fails is refused for good.
    """
    if not isinstance(exc, tg.BadRequest):
        return False
    message = exc.message.lower()
    return is_entity_error(exc) or any(s in message for s in _REJECTED)


def _kind(message: str, table: tuple[tuple[str, GoneKind], ...]) -> GoneKind | None:
    low = message.lower()
    return next((kind for marker, kind in table if marker in low), None)


def translate(exc: tg.TelegramError) -> errors.DeliveryError:
    """The newsbot error for a failed send. ``RetryAfter`` maps to a chat-scoped RateLimited;
    a 403 is ``RecipientGone``; a BadRequest is ``RecipientGone`` (chat gone, see ``_GONE``),
    ``MessageRejected`` (this message can never be sent, see ``_REJECTED``) or a retried
    ``TransientDeliveryError`` (anything not known)."""
    message = redact(exc.message)
    if isinstance(exc, tg.RetryAfter):
        return errors.RateLimited(retry_after_seconds(exc), scope="chat")
    if isinstance(exc, tg.ChatMigrated):
        return errors.ChatMigrated(str(exc.new_chat_id))
    if isinstance(exc, tg.Forbidden):
        return errors.RecipientGone(_kind(message, _FORBIDDEN) or GoneKind.UNREACHABLE, message)
    if isinstance(exc, tg.BadRequest):
        gone = _kind(message, _GONE)
        if gone is not None:
            return errors.RecipientGone(gone, message)
        if is_rejected(exc):
            return errors.MessageRejected(f"Telegram: {message}")
        return errors.TransientDeliveryError(f"Telegram rejected the message: {message}")
    if isinstance(exc, tg.TimedOut):
        return errors.TransientDeliveryError(f"Telegram did not answer in time: {message}")
    if isinstance(exc, tg.InvalidToken):
        return errors.TransientDeliveryError(
            "Telegram rejected the bot token (check NEWSBOT_TELEGRAM_TOKEN)"
        )
    if isinstance(exc, tg.NetworkError):
        return errors.TransientDeliveryError(f"Telegram unreachable or failing: {message}")
    return errors.TransientDeliveryError(f"Telegram error: {message}")
