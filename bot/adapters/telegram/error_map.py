"""python-telegram-bot errors -> newsbot delivery errors (what the outbox acts on)."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram import error as tg
from telegram.warnings import PTBDeprecationWarning

from bot import errors
from bot.adapters.telegram.redact import redact

# PTB 22 itself reads RetryAfter.retry_after (to build the message) and warns each time that it
# will become a timedelta; retry_after_seconds() handles both types.
warnings.filterwarnings("ignore", message=r".*`retry_after`.*", category=PTBDeprecationWarning)

_GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights to send",
    "need administrator rights in the channel chat",
    "channel_private",
    "group chat was deactivated",
    "user is deactivated",
)
_ENTITY = (
    "can't parse entities",
    "can't find end of",
    "unsupported start tag",
    "unclosed start tag",
    "unmatched end tag",
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


def translate(exc: tg.TelegramError) -> errors.DeliveryError:
    """The newsbot error for a failed send. ``RetryAfter`` maps to a chat-scoped RateLimited."""
    message = redact(exc.message)
    if isinstance(exc, tg.RetryAfter):
        return errors.RateLimited(retry_after_seconds(exc), scope="chat")
    if isinstance(exc, tg.ChatMigrated):
        return errors.ChatMigrated(str(exc.new_chat_id))
    if isinstance(exc, tg.Forbidden):
        return errors.RecipientGone(message)
    if isinstance(exc, tg.BadRequest):
        if any(s in message.lower() for s in _GONE):
            return errors.RecipientGone(message)
        return errors.DeliveryError(f"Telegram rejected the message: {message}")
    if isinstance(exc, tg.TimedOut):
        return errors.DeliveryError(f"Telegram did not answer in time: {message}")
    if isinstance(exc, tg.InvalidToken):
        return errors.DeliveryError(
            "Telegram rejected the bot token (check NEWSBOT_TELEGRAM_TOKEN)"
        )
    if isinstance(exc, tg.NetworkError):
        return errors.DeliveryError(f"Telegram unreachable or failing: {message}")
    return errors.DeliveryError(f"Telegram error: {message}")
