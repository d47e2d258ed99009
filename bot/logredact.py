"""Keep secrets out of every log record, whatever logged it and however.

The composition root calls :func:`install` once with the settings: every
``SecretStr`` field (bot tokens, signing and webhook secrets, and any added
later) becomes a secret to redact, and a log-record factory scrubs each
record as it is created, before any handler, filter or pytest's caplog sees
it (a filter on one logger would miss its children's records). A record is
scrubbed in three places:

- its message, formatted with its arguments (a secret inside an argument is
  caught too, and the record keeps the redacted text with no arguments);
- its exception, formatted now with its traceback, so a token inside an
  exception's message cannot reach a handler's ``formatException`` later;
- its stack information.

Besides the configured secrets, shapes that are secrets wherever they come
from are redacted too: Slack tokens (``xox?-``, ``xapp-``), Slack webhook and
response URLs, Socket Mode tickets, and Telegram bot tokens (``<id>:<35
chars>``, as in ``/bot<token>/`` URLs). :func:`protect` adds a secret made at
run time (Telegram's webhook secret derived from its token);
:func:`redact` scrubs text bound elsewhere (an error stored in the database).

httpx logs every request URL at INFO, and Telegram's URLs carry the token:
:func:`install` also raises the ``httpx`` logger to WARNING (the redaction
would catch the token, but the lines are noise).
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 8  # shorter strings would redact innocent words; real secrets are long

TOKEN_SHAPES = (
    re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]+"),  # Slack bot / user / config tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),  # Slack app-level (Socket Mode) tokens
    re.compile(r"https://hooks\.slack\.com/[^\s'\"<>]+"),  # Slack response_url / webhooks
    re.compile(r"(?<=[?&]ticket=)[^&\s'\"]+"),  # Slack Socket Mode WebSocket ticket
    re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"),  # Telegram bot tokens (also in /bot<token>/)
)


class Redactor:
    """Replaces known secrets and token-shaped strings."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            known = set(self._secrets) | {s for s in secrets if len(s) >= MIN_SECRET_CHARS}
            # longest first, so a secret containing another is replaced whole
            self._secrets = tuple(sorted(known, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in TOKEN_SHAPES:
            text = pattern.sub(REDACTED, text)
        return text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact ``record``'s message, exception and stack in place."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: the handler will report it
            message = None
        if message is not None:
            clean = self.redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            clean = self.redact(text)
            if clean != text:
                record.exc_text = clean  # Formatter.format uses it instead of formatting again
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


_redactor = Redactor()
_installed = False
_install_lock = threading.Lock()


def secrets_of(settings: BaseSettings) -> list[str]:
    """The values of every ``SecretStr`` field that is set."""
    return [value.get_secret_value() for _, value in settings if isinstance(value, SecretStr)]


def install(settings: BaseSettings) -> Redactor:
    """Redact every secret of ``settings`` from all log records from now on.

    Called by the composition root; calling it again only adds secrets.
    """
    global _installed
    _redactor.add(secrets_of(settings))
    with _install_lock:
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _redactor.scrub(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return _redactor


def protect(secret: str) -> None:
    """Redact a secret that is not a setting (one derived at run time)."""
    _redactor.add([secret])


def redact(text: str) -> str:
    """``text`` with every known secret and token shape replaced."""
    return _redactor.redact(text)


__all__ = ["REDACTED", "Redactor", "install", "protect", "redact", "secrets_of"]
