"""The webhook endpoint: Telegram POSTs updates to newsbot's one HTTP server.

Telegram sends the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header of every request; anything without
it (401) or with another value (403) is not from Telegram and is dropped
before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_PATH = "/telegram/webhook"


def webhook_path(webhook_url: str) -> str:
    """The local route for the public webhook URL: its path, or /telegram/webhook when it has none."""
    path = urlsplit(webhook_url).path
    return path if path and path != "/" else DEFAULT_PATH


def public_webhook_url(webhook_url: str) -> str:
    """The URL registered with Telegram (``/telegram/webhook`` appended to a bare origin)."""
    parts = urlsplit(webhook_url)
    if parts.path and parts.path != "/":
        return webhook_url
    return webhook_url.rstrip("/") + DEFAULT_PATH


def derive_secret(token: str) -> str:
    """A stable webhook secret derived from the bot token (same in every process and restart).

    Telegram allows 1-256 characters of ``A-Za-z0-9_-``; a hex HMAC fits.
    """
    return hmac.new(token.encode(), b"newsbot telegram webhook secret", hashlib.sha256).hexdigest()


def make_webhook_route(
    path: str,
    secret: str,
    application: Callable[[], Application[Any, Any, Any, Any, Any, Any] | None],
    accept: Callable[[Update], Awaitable[bool]] | None = None,
) -> Route:
    """A POST route that authenticates Telegram and queues the update into the Application.

    ``accept`` stores the update (the inbox) before the 200 that confirms it
    to Telegram; False means it was received before and is not queued again;
    when it raises, Telegram gets a 503 and sends the update again later.
    """

    async def endpoint(request: Request) -> Response:
        supplied = request.headers.get(SECRET_HEADER)
        if supplied is None:
            return PlainTextResponse("missing secret token", status_code=401)
        if not secrets.compare_digest(supplied.encode(), secret.encode()):
            logger.warning("rejected a webhook request with a wrong secret token")
            return PlainTextResponse("wrong secret token", status_code=403)
        app = application()
        if app is None or not app.running:
            return PlainTextResponse("telegram adapter not running", status_code=503)
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return PlainTextResponse("body is not JSON", status_code=400)
        if not isinstance(data, dict):
            return PlainTextResponse("body is not an update", status_code=400)
        try:
            update = Update.de_json(data, app.bot)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("dropped a malformed webhook update: %s", exc)
            return PlainTextResponse("malformed update", status_code=400)
        if accept is not None:
            try:
                if not await accept(update):
                    return Response(status_code=200)  # a repeat: handled already
            except Exception:
                return PlainTextResponse("could not store the update", status_code=503)
        await app.update_queue.put(update)
        return Response(status_code=200)

    return Route(path, endpoint, methods=["POST"], name="telegram_webhook")
