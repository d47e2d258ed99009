"""The inbound seam: adapters hand a platform-free Command to a CommandHandler."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.domain import ChatRef, Command, Reply


class CommandHandler(Protocol):
    async def handle(self, command: Command) -> Reply:
        """Run one command and return the reply; never raises for bad user input."""
        ...


@runtime_checkable
class MembershipEvents(Protocol):
    """What adapters report besides commands: the bot joined or left a chat, a chat moved.

    :class:`~bot.commands.handlers.CoreCommands` implements it; adapters check ``isinstance(handler,
    MembershipEvents)`` so a bare :class:`CommandHandler` still works.
    """

    async def membership_changed(
        self, ref: ChatRef, present: bool, reason: str | None = None
    ) -> None: ...

    async def chat_migrated(self, ref: ChatRef, new_external_id: str) -> None: ...
