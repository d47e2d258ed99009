"""Keep the bot token (and the webhook secret) out of every log record.

httpx logs each request URL at INFO and Telegram URLs contain the token; PTB
logs its base URL at DEBUG. Raising the ``httpx`` logger to WARNING handles
the first, but any library may log a URL or an exception that carries it. So
a log-record factory (it sees every record of every logger, before any
handler or filter) replaces registered secrets in the message and in the
formatted exception. :class:`RedactingFilter` applies the same scrubbing as a
:class:`logging.Filter` for handlers that want it explicitly.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

REPLACEMENT = "[redacted]"
_secrets: set[str] = set()
_lock = threading.Lock()
_previous_factory: Any = None


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REPLACEMENT)
    return text


def scrub(record: logging.LogRecord) -> None:
    """Remove registered secrets from ``record`` in place."""
    if not _secrets:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to the handler to complain
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if redact(text) != text:
            record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record: logging.LogRecord = _previous_factory(*args, **kwargs)
    scrub(record)
    return record


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        scrub(record)
        return True


def register_secret(secret: str) -> None:
    """Redact ``secret`` from all log records from now on (installs the factory once)."""
    global _previous_factory
    if len(secret) < 8:
        return
    with _lock:
        _secrets.add(secret)
        if _previous_factory is None:
            _previous_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_factory)
    # httpx logs every request URL at INFO; PTB's own examples raise it too.
    logging.getLogger("httpx").setLevel(logging.WARNING)
