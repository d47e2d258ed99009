"""Inline-button callback data: command lines squeezed into Telegram's 64 bytes.

A short command line travels inline (``c|list``) and so survives restarts; a
longer one (``unsubscribe https://...``) is replaced by a stable token
(``t|`` + 16 characters of its SHA-256) kept in a bounded in-memory map. A
token unknown after a restart or eviction decodes to ``None`` and the user is
asked to run the command again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import OrderedDict

logger = logging.getLogger(__name__)

CALLBACK_DATA_MAX_BYTES = 64
_INLINE = "c|"
_TOKEN = "t|"


class CallbackTokens:
    """Bounded token -> command line map (least recently used tokens are dropped first)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._lines: OrderedDict[str, str] = OrderedDict()

    def encode(self, command_line: str) -> str:
        inline = _INLINE + command_line
        if len(inline.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
            return inline
        digest = hashlib.sha256(command_line.encode("utf-8")).digest()
        token = base64.urlsafe_b64encode(digest).decode("ascii")[:16]
        self._lines[token] = command_line
        self._lines.move_to_end(token)
        while len(self._lines) > self.capacity:
            self._lines.popitem(last=False)
        return _TOKEN + token

    def decode(self, data: str) -> str | None:
        """The command line behind callback data, or ``None`` when unknown/expired."""
        if data.startswith(_INLINE):
            return data[len(_INLINE) :]
        if data.startswith(_TOKEN):
            line = self._lines.get(data[len(_TOKEN) :])
            if line is None:
                logger.info("callback token expired or unknown")
            return line
        return None

    def __len__(self) -> int:
        return len(self._lines)
