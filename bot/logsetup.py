"""How newsbot's log looks: readable lines or one JSON object per line.

``NEWSBOT_LOG_FORMAT=text`` (default) prints ``time level logger: message``;
``NEWSBOT_LOG_FORMAT=json`` prints one JSON object per line with the keys
``time`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger``,
``message`` and, when there is one, ``exc`` (the formatted exception), for
log shippers (Loki, Elasticsearch, journald's JSON mode).

Secrets: :mod:`bot.logredact` scrubs every record as it is created (message,
exception, stack); the JSON formatter passes what it writes through the same
redactor once more, so a secret cannot reach the output by a path the record
factory did not see (an exception formatted late, a record made before
:func:`bot.logredact.install`).

The handler writes to whatever ``sys.stderr`` is *when a record is emitted*,
not the stream that was current when logging was configured: a test runner
that captures and then closes stderr (pytest) would otherwise leave the root
handler writing to a closed file, which printed ``--- Logging error ---
ValueError: I/O operation on closed file`` from aiosqlite's worker threads.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

from bot.logredact import redact

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Libraries that log every request or step at INFO: WARNING and above only.
#: (httpx logs Telegram's URLs, which carry the bot token.)
NOISY = ("httpx", "httpcore", "apscheduler", "trafilatura", "alembic", "absl", "aiosqlite",
         "urllib3", "filelock", "huggingface_hub", "transformers")

__all__ = ["JsonFormatter", "LogFormat", "StderrHandler", "configure"]


class StderrHandler(logging.StreamHandler[TextIO]):
    """A stream handler that always writes to the current ``sys.stderr``."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:  # StreamHandler.__init__/setStream assign it
        pass


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, exc."""

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: still one parseable line
            message = f"{record.msg!r} (arguments did not fit: {record.args!r})"
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(message),
        }
        exc = record.exc_text
        if not exc and record.exc_info:
            exc = self.formatException(record.exc_info)
        if exc:
            entry["exc"] = redact(exc)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str | int = "INFO", fmt: LogFormat = "text") -> None:
    """Replace the root logger's handlers with one :class:`StderrHandler` in ``fmt``."""
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    # warnings.warn() from libraries goes through logging (one format, JSON included)
    logging.captureWarnings(True)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
