"""Keep Slack secrets out of every log record.

slack_sdk redacts the ``Authorization`` header in its DEBUG logs, but other
records still carry secrets: the Socket Mode WebSocket URL (with its
``ticket``), response_url webhooks (``hooks.slack.com/...`` can post to a
channel for 30 minutes), and any token that ends up in an exception message.

:class:`RedactingFilter` rewrites a record's message with the secrets replaced.
A filter on one logger does not see records from its child loggers, so
:func:`install_log_redaction` runs it from the log-record factory instead: every
record of every logger passes through it once, before any handler (pytest's
caplog included) sees it. Installing twice only adds secrets.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"\bxox[abeprs]-[A-Za-z0-9-]+"),  # bot / user / config tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),  # app-level (Socket Mode) tokens
    re.compile(r"https://hooks\.slack\.com/[^\s'\"<>]+"),  # response_url / webhooks
    re.compile(r"(?<=[?&]ticket=)[^&\s'\"]+"),  # Socket Mode WebSocket ticket
)


class RedactingFilter(logging.Filter):
    """Replaces known secrets and token-shaped strings in a record's message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            # Short strings would redact innocent words; real secrets are long.
            self._secrets |= {s for s in secrets if s and len(s) >= 8}

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        redacted = self.redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


_filter: RedactingFilter | None = None
_install_lock = threading.Lock()


def install_log_redaction(secrets: Iterable[str]) -> RedactingFilter:
    """Redact ``secrets`` (and any Slack-token-shaped string) from all log records."""
    global _filter
    with _install_lock:
        if _filter is None:
            _filter = RedactingFilter()
            previous = logging.getLogRecordFactory()
            active = _filter

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                active.filter(record)
                return record

            logging.setLogRecordFactory(factory)
        _filter.add(secrets)
        return _filter
