"""The inbound seam: adapters hand a platform-free Command to a CommandHandler."""

from __future__ import annotations

from typing import Protocol

from bot.domain import Command, Reply


class CommandHandler(Protocol):
    async def handle(self, command: Command) -> Reply:
        """Run one command and return the reply; never raises for bad user input."""
        ...
