"""What chat platforms talk to: :class:`Inbound` implements :class:`bot.ports.Core`.

An update from any platform arrives here as a :class:`~bot.domain.Command`
and goes through the access rules (:mod:`bot.commands.access`) and the
quotas (:mod:`bot.commands.quotas`) to the command layer (:class:`~bot.commands.handlers.CoreCommands`); news about the
bot's own membership goes straight to the command layer; direct replies go
out under the one reply policy (:class:`~bot.delivery.replies.DirectReplies`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from bot.commands.access import AccessPolicy
from bot.commands.quotas import CommandQuotas
from bot.delivery.replies import DirectReplies, ReplyOutcome
from bot.domain import ChatRef, Command, Platform, Reply
from bot.errors import GoneKind
from bot.metrics import Metrics
from bot.ports import ChatPlatform, SendReply
from bot.records import Payload

logger = logging.getLogger(__name__)

INTERNAL_ERROR = Reply("Sorry, something went wrong on my side. Please try again later.",
                       is_error=True)


class CommandLayer(Protocol):
    """The command layer behind the access rules (``CoreCommands``; a fake in tests)."""

    async def handle(self, command: Command) -> Reply: ...

    async def bot_removed(self, chat: ChatRef, kind: GoneKind, reason: str) -> None: ...

    async def bot_returned(self, chat: ChatRef) -> None: ...

    async def chat_migrated(self, chat: ChatRef, new_external_id: str) -> None: ...


class Inbound:
    """The core as platforms see it; see the module docstring."""

    def __init__(
        self,
        commands: CommandLayer,
        platforms: Mapping[Platform, ChatPlatform],
        access: AccessPolicy,
        replies: DirectReplies,
        metrics: Metrics | None = None,
        quotas: CommandQuotas | None = None,
    ) -> None:
        self.metrics = metrics or Metrics()
        self.commands = commands
        self.platforms = platforms
        self.access = access
        self.replies = replies
        self.quotas = quotas

    async def handle(self, command: Command) -> Reply:
        reply, outcome = await self._handle(command)
        self.metrics.command(command.name.lower(), command.chat.platform, outcome)
        return reply

    async def _handle(self, command: Command) -> tuple[Reply, str]:
        """The reply and its ``newsbot_commands_total`` outcome (ok, refused, error)."""
        try:
            admitted = await self.access.admit(command, self.platforms[command.chat.platform])
        except Exception:
            logger.exception("checking /%s in %s failed", command.name, command.chat)
            return INTERNAL_ERROR, "error"
        if isinstance(admitted, Reply):
            return admitted, "refused"
        if self.quotas is None:
            reply = await self.commands.handle(admitted)
        else:
            try:
                reply, refused = await self.quotas.run(admitted, self.commands.handle)
            except Exception:
                logger.exception("running /%s in %s within its quota failed", command.name,
                                 command.chat)
                return INTERNAL_ERROR, "error"
            if refused:
                return reply, "refused"
        return reply, "error" if reply.is_error else "ok"

    async def bot_removed(self, chat: ChatRef, kind: GoneKind, reason: str) -> None:
        await self.commands.bot_removed(chat, kind, reason)

    async def bot_returned(self, chat: ChatRef) -> None:
        await self.commands.bot_returned(chat)

    async def chat_migrated(self, chat: ChatRef, new_external_id: str) -> None:
        await self.commands.chat_migrated(chat, new_external_id)

    async def deliver_reply(
        self,
        chat: ChatRef,
        payload: Payload,
        send: SendReply,
        *,
        group: bool,
        requeue: Payload | None,
    ) -> ReplyOutcome:
        return await self.replies.deliver(chat, payload, send, group=group, requeue=requeue)


__all__ = ["INTERNAL_ERROR", "CommandLayer", "Inbound"]
