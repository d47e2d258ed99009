"""Who may do what, where: the core's access rules, one set for every platform.

Adapters report facts (the chat's kind, the user, whether a message was
posted in the chat's own name); platforms answer questions
(:class:`~bot.ports.ChatPlatform`: is this user an administrator, can the
bot post there, which chat is ``@name``). The rules and every refusal's text
live here:

1. **Channel targeting.** A command sent in a private chat whose first
   argument names a channel in the platform's syntax (Telegram ``@name``)
   acts on that channel and is answered in the private chat. The channel
   must exist, be a channel, let the bot post, and the sender must
   administer it. ``local`` commands (start, help, summary) never target.
2. **Managing a chat** (``manages`` commands: subscriptions, schedule,
   settings) is for everyone in a private chat; in a group or channel for a
   message posted in the chat's own name (only its administrators can) and
   for administrators as the platform defines them (Telegram: owner and
   administrators; Slack: workspace admins and owners, and the channel's
   creator). An operator may let every member of a platform's chats manage
   them (``NEWSBOT_SLACK_MEMBERS_CAN_MANAGE``).
3. **Posting.** Before a ``needs_posting`` command (subscribe, schedule) in a
   group or channel, the bot makes sure it can post there: it joins by
   itself where the platform allows (a public Slack channel) and otherwise
   asks to be invited or given the right to post, instead of starting
   digests that could never arrive. When the platform cannot tell, the
   command goes ahead (the first digest would pause the chat).
0. **Who may use the bot at all** (checked before everything else). With
   ``NEWSBOT_ALLOWED_USERS`` and ``NEWSBOT_ALLOWED_CHATS`` both empty,
   everyone (a public bot, the default). Otherwise a command is admitted
   when its sender is an allowed user *or* it comes from an allowed chat:
   allowed users may use the bot anywhere (their private chat included),
   everyone in an allowed chat may use it there. Entries are Telegram ids
   (``123456``, a group's ``-100123``) or ``@usernames`` (a user's, or a
   public channel's or group's), and Slack user (``U…``, ``W…``) or
   channel (``C…``, ``G…``, ``D…``) ids; ``telegram:`` or ``slack:`` in
   front limits an entry to one platform. Everyone else gets one reply
   saying the bot is private, with the id to send its operator.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from bot.commands.registry import BY_NAME
from bot.domain import Command, Platform, Reply
from bot.ports import ChatPlatform, Posting

logger = logging.getLogger(__name__)

NOT_ALLOWED = ("Sorry, this newsbot is private: only the people and chats its operator allows "
               "can use it. To be allowed, send the operator your id: {ident}")
MANAGERS_ONLY = ("Only administrators of this chat can change its subscriptions, "
                 "schedule and settings.")
CHANNEL_NOT_FOUND = "I can't find {target}. Add me to the channel as an administrator, then try again."
NOT_A_CHANNEL = "{target} is not a channel. Send the command in that group instead."
MAKE_ME_ADMIN = "Make me an administrator of {target} (allowed to post messages) first."
CHANNEL_ADMINS_ONLY = "Only administrators of {target} can change what it receives."
ADMINS_MANAGE = "In groups, only administrators can change subscriptions, schedule and settings."
MEMBERS_MANAGE = "In channels, every member can change subscriptions, schedule and settings."
INVITE_ME = ("I'm not a member of this channel, so its digests could not reach it. "
             "Invite me with /invite @{name}, then try again.")


class AllowList:
    """Rule 0 of the module docstring: who may use the bot at all."""

    def __init__(self, users: Iterable[str] = (), chats: Iterable[str] = ()) -> None:
        self.users = tuple(_entry(e) for e in users if e.strip())
        self.chats = tuple(_entry(e) for e in chats if e.strip())

    @property
    def everyone(self) -> bool:
        return not self.users and not self.chats

    def admits(self, command: Command) -> bool:
        if self.everyone:
            return True
        user = command.user
        if user is not None and any(
            _matches(e, user.platform, user.external_id, user.username) for e in self.users
        ):
            return True
        chat = command.chat
        return any(_matches(e, chat.platform, chat.external_id, command.chat_username)
                   for e in self.chats)


def _entry(raw: str) -> tuple[str | None, str]:
    """``"telegram:@Alice"`` -> (``"telegram"``, ``"@alice"``); ids keep their case."""
    raw = raw.strip()
    platform, sep, rest = raw.partition(":")
    scoped = sep and platform.lower() in ("telegram", "slack", "console")
    value = rest.strip() if scoped else raw
    return (platform.lower() if scoped else None,
            value.lower() if value.startswith("@") else value)


def _matches(entry: tuple[str | None, str], platform: str, ident: str,
             username: str | None) -> bool:
    scope, value = entry
    if scope is not None and scope != platform:
        return False
    if value.startswith("@"):
        return username is not None and value[1:] == username.lstrip("@").lower()
    return value == ident


class AccessPolicy:
    """The rules of the module docstring. ``members_manage``: platforms whose
    chats every member may manage (an operator's choice; default none);
    ``allowed``: rule 0 (default: everyone)."""

    def __init__(self, members_manage: Iterable[Platform] = (),
                 allowed: AllowList | None = None) -> None:
        self.members_manage = frozenset(members_manage)
        self.allowed = allowed or AllowList()

    def who_manages(self, platform: Platform) -> str:
        """One line for ``/help`` saying who may change a group's settings."""
        return MEMBERS_MANAGE if platform in self.members_manage else ADMINS_MANAGE

    async def admit(self, command: Command, platform: ChatPlatform) -> Command | Reply:
        """The command to run (retargeted to a channel when it names one), or
        the refusal to send instead."""
        if not self.allowed.admits(command):
            user = command.user
            ident = user.external_id if user else command.chat.external_id
            logger.info("access: refused /%s from %s in %s (not in the allow-lists)",
                        command.name, f"{user.platform}:{user.external_id}" if user else "nobody",
                        command.chat)
            return Reply(NOT_ALLOWED.format(ident=ident), is_error=True, refused=True)
        spec = BY_NAME.get(command.name)
        if spec is None:
            return command  # the command layer answers unknown commands
        checked = False
        if command.chat_kind == "private" and command.args and not spec.local:
            address = platform.channel_address(command.args[0])
            if address is not None:
                targeted = await self._target(command, platform, address)
                if isinstance(targeted, Reply):
                    return targeted
                command, checked = targeted, True
        if checked:
            return command
        if spec.manages and not await self.may_manage(command, platform):
            return Reply(MANAGERS_ONLY, is_error=True, refused=True)
        if spec.needs_posting and command.chat_kind != "private":
            refusal = await self._posting_refusal(command, platform)
            if refusal is not None:
                return refusal
        return command

    async def may_manage(self, command: Command, platform: ChatPlatform) -> bool:
        if command.chat_kind == "private" or command.as_chat:
            return True
        if command.chat.platform in self.members_manage:
            return True
        if command.user is None:
            return False
        return await platform.is_admin(command.chat, command.user)

    async def _target(
        self, command: Command, platform: ChatPlatform, address: str
    ) -> Command | Reply:
        """Rule 1: the command moved to the channel ``address``, or a refusal."""
        target = await platform.resolve_channel(address)
        if target is None:
            return Reply(CHANNEL_NOT_FOUND.format(target=address), is_error=True, refused=True)
        if target.kind != "channel":
            return Reply(NOT_A_CHANNEL.format(target=address), is_error=True, refused=True)
        if await platform.posting(target.ref, "channel") is not Posting.ALLOWED:
            return Reply(MAKE_ME_ADMIN.format(target=address), is_error=True, refused=True)
        if command.user is None or not await platform.is_admin(target.ref, command.user):
            return Reply(CHANNEL_ADMINS_ONLY.format(target=address), is_error=True, refused=True)
        return replace(command, chat=target.ref, args=command.args[1:], chat_kind="channel",
                       chat_title=target.title, as_chat=False, target=address)

    async def _posting_refusal(self, command: Command, platform: ChatPlatform) -> Reply | None:
        """Rule 3: None when the bot can post in the command's chat (joining it
        if it may), else the refusal that says what to do."""
        posting = await platform.posting(command.chat, command.chat_kind)
        if posting is Posting.JOINABLE:
            if await platform.join(command.chat):
                logger.info("joined %s to post its digests", command.chat)
                return None
            posting = Posting.NEEDS_INVITE
        if posting is Posting.NEEDS_INVITE:
            return Reply(INVITE_ME.format(name=platform.bot_name), is_error=True, refused=True)
        if posting is Posting.NEEDS_RIGHTS:
            return Reply(MAKE_ME_ADMIN.format(target=f"this {command.chat_kind}"), is_error=True,
                         refused=True)
        return None


__all__ = ["AccessPolicy", "AllowList"]
