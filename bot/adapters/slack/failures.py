"""Slack SDK errors -> newsbot delivery errors.

Which Slack errors pause a channel (``RecipientGone``) and which do not:

* Per channel, permanent until someone acts in that channel -> ``RecipientGone``:
  ``not_in_channel`` (bot removed, or never invited to a private channel),
  ``channel_not_found`` (deleted, or private and the bot lost access),
  ``is_archived``, ``restricted_action`` and its ``_read_only_channel`` /
  ``_thread_only_channel`` / ``_non_threadable_channel`` forms (posting restricted in that channel,
  e.g. an announcement-only #general), ``cannot_dm_bot``, ``user_disabled``
  (the other end of a DM was deactivated).
* The bot user or the whole workspace is gone -> ``RecipientGone`` as well:
  ``account_inactive`` ("token is for a deleted user or workspace"). It is
  workspace-wide, but it never heals, so pausing each channel as it is tried is
  the right outcome.
* The *operator's* token or scopes are wrong -> ``TransientDeliveryError``:
  ``invalid_auth``, ``not_authed``, ``token_revoked``, ``token_expired``,
  ``missing_scope``, ``not_allowed_token_type``, ``team_access_not_granted``.
  They are workspace-wide and usually a deploy mistake (a stale or mistyped
  NEWSBOT_SLACK_BOT_TOKEN); pausing every subscribed channel for that would
  destroy the users' state, so the outbox keeps retrying with back-off and the
  log says loudly what to fix. ``SlackAdapter.start()`` refuses to start on them.
* ``ratelimited`` / HTTP 429 -> ``RateLimited(retry_after)`` from ``Retry-After``.
* The message itself is refused (too long, no text, invalid blocks or
  attachments, bad arguments, see ``MESSAGE_REJECTED``) -> ``MessageRejected``:
  the same request can never succeed, so the outbox fails the row at once and
  goes on with the channel's next message. Only codes from a non-5xx answer;
  errors about the request's encoding rather than its content
  (``invalid_form_data``, ``invalid_json``, ``invalid_charset``,
  ``request_timeout``: a proxy or SDK problem that hits every message) stay
  ``TransientDeliveryError``. Channel-wide refusals such as
  ``restricted_action_read_only_channel`` pause the channel (above) instead.
* Anything else (5xx, ``fatal_error``, network errors, timeouts) -> ``TransientDeliveryError``.

Each ``RecipientGone`` carries the :class:`~bot.errors.GoneKind` of its code
(``CHANNEL_GONE``), so the core never reads Slack's codes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import (
    DeliveryError,
    GoneKind,
    MessageRejected,
    RateLimited,
    RecipientGone,
    TransientDeliveryError,
)
from bot.logredact import redact

logger = logging.getLogger(__name__)

CHANNEL_GONE: dict[str, GoneKind] = {
    "not_in_channel": GoneKind.NOT_A_MEMBER,
    "channel_not_found": GoneKind.CHAT_NOT_FOUND,
    "is_archived": GoneKind.ARCHIVED,
    "restricted_action": GoneKind.RESTRICTED,
    "restricted_action_read_only_channel": GoneKind.RESTRICTED,
    "restricted_action_thread_only_channel": GoneKind.RESTRICTED,
    "restricted_action_non_threadable_channel": GoneKind.RESTRICTED,
    "cannot_dm_bot": GoneKind.UNREACHABLE,
    "user_disabled": GoneKind.DEACTIVATED,
    "account_inactive": GoneKind.DEACTIVATED,
}
BAD_CREDENTIALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "team_access_not_granted",
    }
)
RATE_LIMITED = frozenset({"ratelimited", "rate_limited", "message_limit_exceeded"})
MESSAGE_REJECTED = frozenset(
    {
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_attachments",
        "too_many_attachments",
        "attachment_payload_limit_exceeded",
        "too_many_contact_cards",
        "markdown_text_conflict",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "cannot_reply_to_message",
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_array_arg",
    }
)
DEFAULT_RETRY_AFTER = 1.0
_DETAIL_CHARS = 200


def retry_after(headers: Mapping[str, Any] | None, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds from a ``Retry-After`` header (any case; value may be a list), else ``default``."""
    for key, value in (headers or {}).items():
        if str(key).lower() != "retry-after":
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        try:
            return max(0.0, float(value))
        except (TypeError, ValueError):
            return default
    return default


def api_error_code(exc: SlackApiError) -> str:
    data = exc.response.data if exc.response is not None else None
    if isinstance(data, Mapping):
        return str(data.get("error") or "unknown_error")
    return "unknown_error"


def error_details(exc: SlackApiError) -> str:
    """Slack's own explanation (``response_metadata.messages``, e.g. which block is invalid),
    shortened to one line; "" when there is none."""
    data = exc.response.data if exc.response is not None else None
    meta = data.get("response_metadata") if isinstance(data, Mapping) else None
    messages = meta.get("messages") if isinstance(meta, Mapping) else None
    if not isinstance(messages, list) or not messages:
        return ""
    text = redact("; ".join(" ".join(str(m).split()) for m in messages[:2]))  # goes to the store
    return text if len(text) <= _DETAIL_CHARS else text[: _DETAIL_CHARS - 1] + "…"


def rejected(exc: SlackApiError, code: str) -> MessageRejected:
    """``MessageRejected`` naming the code, and Slack's explanation when it gave one."""
    details = error_details(exc)
    return MessageRejected(f"Slack: {code} ({details})" if details else f"Slack: {code}")


def map_api_error(exc: SlackApiError, channel: str) -> DeliveryError:
    """The newsbot error for a Slack Web API error response."""
    status = exc.response.status_code if exc.response is not None else 0
    code = api_error_code(exc)
    if status == 429 or code in RATE_LIMITED:
        return RateLimited(retry_after(exc.response.headers if exc.response else None))
    if code in CHANNEL_GONE:
        return RecipientGone(CHANNEL_GONE[code], f"Slack: {code}")
    if code in BAD_CREDENTIALS:
        logger.error(
            "Slack rejected the bot token (%s) sending to %s: check NEWSBOT_SLACK_BOT_TOKEN "
            "and the app's scopes; messages are kept and retried",
            code,
            channel,
        )
        return TransientDeliveryError(f"Slack rejected the bot token: {code}")
    if code in MESSAGE_REJECTED and status < 500:
        return rejected(exc, code)
    return TransientDeliveryError(f"Slack API error {code} (HTTP {status})")


def map_exception(exc: BaseException, channel: str) -> DeliveryError:
    """Any failure of one send -> a newsbot delivery error."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        return map_api_error(exc, channel)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return TransientDeliveryError("Slack did not answer in time")
    if isinstance(exc, aiohttp.ClientError | SlackClientError | OSError):
        return TransientDeliveryError(f"could not reach Slack: {type(exc).__name__}")
    return TransientDeliveryError(f"unexpected error sending to Slack: {type(exc).__name__}")
