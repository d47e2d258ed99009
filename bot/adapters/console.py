"""The console adapter: prints digests and replies to the terminal.

Used when no chat platform is configured (so ``newsbot run`` works on a fresh
machine), by ``newsbot demo`` and ``newsbot digest``; chats on this platform
are ``console:<name>``. It receives nothing, and whoever runs the terminal
owns its one chat, so the core's questions all get the permissive answer.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from bot.digest.text import digest_text, reply_text
from bot.domain import ChatRef, Digest, Platform, Reply, UserRef
from bot.ports import ChatPlatform, Core, RateLimits
from bot.records import Payload


class ConsoleAdapter(ChatPlatform):
    platform: Platform = "console"
    limits = RateLimits(global_per_second=1000, per_chat_per_second=1000)

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self.sent: list[tuple[ChatRef, str]] = []

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stdout

    def render(self, message: Digest | Reply) -> list[Payload]:
        text = digest_text(message) if isinstance(message, Digest) else reply_text(message)
        return [{"text": text}]

    async def send_payload(self, to: ChatRef, payload: Payload) -> str | None:
        text = payload.get("text", "")
        print(f"--- to {to} ---\n{text}", file=self.stream, flush=True)
        self.sent.append((to, text))
        return str(len(self.sent))

    def routes(self) -> list[Any]:
        return []

    async def connect(self) -> None:
        return None

    async def start(self, core: Core) -> None:
        return None

    async def close(self) -> None:
        return None

    async def is_admin(self, chat: ChatRef, user: UserRef) -> bool:
        return True
