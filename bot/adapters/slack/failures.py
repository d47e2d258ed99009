"""Slack SDK errors -> newsbot delivery errors.

Which Slack errors pause a channel (``RecipientGone``) and which do not:

* Per channel, permanent until someone acts in that channel -> ``RecipientGone``:
  ``not_in_channel`` (bot removed, or never invited to a private channel),
  ``channel_not_found`` (deleted, or private and the bot lost access),
  ``is_archived``, ``restricted_action`` (posting restricted in that channel,
  e.g. an announcement-only #general), ``cannot_dm_bot``, ``user_disabled``
  (the other end of a DM was deactivated).
* The bot user or the whole workspace is gone -> ``RecipientGone`` as well:
  ``account_inactive`` ("token is for a deleted user or workspace"). It is
  workspace-wide, but it never heals, so pausing each channel as it is tried is
  the right outcome.
* The *operator's* token or scopes are wrong -> plain ``DeliveryError``:
  ``invalid_auth``, ``not_authed``, ``token_revoked``, ``token_expired``,
  ``missing_scope``, ``not_allowed_token_type``, ``team_access_not_granted``.
  They are workspace-wide and usually a deploy mistake (a stale or mistyped
  NEWSBOT_SLACK_BOT_TOKEN); pausing every subscribed channel for that would
  destroy the users' state, so the outbox keeps retrying with back-off and the
  log says loudly what to fix. ``SlackAdapter.start()`` refuses to start on them.
* ``ratelimited`` / HTTP 429 -> ``RateLimited(retry_after)`` from ``Retry-After``.
* Anything else (5xx, ``fatal_error``, network errors, timeouts) -> ``DeliveryError``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import DeliveryError, RateLimited, RecipientGone

logger = logging.getLogger(__name__)

CHANNEL_GONE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
    }
)
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
DEFAULT_RETRY_AFTER = 1.0


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


def map_api_error(exc: SlackApiError, channel: str) -> DeliveryError:
    """The newsbot error for a Slack Web API error response."""
    status = exc.response.status_code if exc.response is not None else 0
    code = api_error_code(exc)
    if status == 429 or code in RATE_LIMITED:
        return RateLimited(retry_after(exc.response.headers if exc.response else None))
    if code in CHANNEL_GONE:
        return RecipientGone(f"Slack: {code}")
    if code in BAD_CREDENTIALS:
        logger.error(
            "Slack rejected the bot token (%s) sending to %s: check NEWSBOT_SLACK_BOT_TOKEN "
            "and the app's scopes; messages are kept and retried",
            code,
            channel,
        )
        return DeliveryError(f"Slack rejected the bot token: {code}")
    return DeliveryError(f"Slack API error {code} (HTTP {status})")


def map_exception(exc: BaseException, channel: str) -> DeliveryError:
    """Any failure of one send -> a newsbot delivery error."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        return map_api_error(exc, channel)
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return DeliveryError("Slack did not answer in time")
    if isinstance(exc, aiohttp.ClientError | SlackClientError | OSError):
        return DeliveryError(f"could not reach Slack: {type(exc).__name__}")
    return DeliveryError(f"unexpected error sending to Slack: {type(exc).__name__}")
