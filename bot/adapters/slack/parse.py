"""Slack text -> command words (pure functions, no SDK imports).

Slack rewrites what users type before we see it: links become
``<https://x|label>`` or ``<https://x>``, mentions ``<@U123>``, and ``&``,
``<``, ``>`` arrive as ``&amp;``, ``&lt;``, ``&gt;``. These helpers undo that
so the core receives the URL the user meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain import ChatKind
from bot.errors import GoneKind

PRIVATE_FLAG = "--private"

_SPECIAL = re.compile(r"<([^<>]*)>")
_URL = re.compile(r"https?://[^\s<>|]+", re.IGNORECASE)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def unescape(text: str) -> str:
    """Undo Slack's ``&amp;``/``&lt;``/``&gt;`` escaping."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def unwrap_links(text: str) -> str:
    """``<https://x|label>`` and ``<https://x>`` -> ``https://x``; other ``<...>`` kept as is."""

    def repl(match: re.Match[str]) -> str:
        inner = match.group(1)
        target = inner.split("|", 1)[0]
        if target.lower().startswith(("http://", "https://")):
            return unescape(target)
        return match.group(0)

    return unescape_outside_specials(_SPECIAL.sub(repl, text))


def unescape_outside_specials(text: str) -> str:
    """Unescape entities, leaving any remaining ``<@U..>``/``<#C..>``/``<!..>`` tokens intact."""
    parts = _SPECIAL.split(text)
    # split() with one group alternates outside/inside; inside parts get their brackets back.
    return "".join(unescape(p) if i % 2 == 0 else f"<{p}>" for i, p in enumerate(parts))


def strip_mentions(text: str, user_id: str | None = None) -> str:
    """Remove mentions of ``user_id`` (the bot), or every mention when it is unknown."""

    def repl(match: re.Match[str]) -> str:
        return "" if user_id is None or match.group(1) == user_id else match.group(0)

    return _MENTION.sub(repl, text).strip()


def find_url(text: str) -> str | None:
    """The first http(s) URL in already-unwrapped text."""
    match = _URL.search(text)
    return match.group(0) if match else None


@dataclass(frozen=True, slots=True)
class CommandLine:
    """A parsed command line: ``name`` lower-cased, ``private`` when ``--private`` was given."""

    name: str
    args: tuple[str, ...]
    private: bool = False


def split_words(text: str) -> tuple[list[str], bool]:
    """Unwrapped words without ``--private``, and whether ``--private`` was there."""
    words = unwrap_links(text).split()
    private = PRIVATE_FLAG in (w.lower() for w in words)
    return [w for w in words if w.lower() != PRIVATE_FLAG], private


def parse_command_line(text: str, default: str = "help") -> CommandLine:
    """``"subscribe <https://x|x> --private"`` -> CommandLine("subscribe", ("https://x",), True)."""
    words, private = split_words(text)
    if not words:
        return CommandLine(default, (), private)
    name = words[0].lower().lstrip("/")
    return CommandLine(name, tuple(words[1:]), private)


def chat_kind(channel_id: str, channel_name: str | None = None) -> ChatKind:
    """DMs (ids starting with ``D``, or Slack's ``directmessage`` name) are private chats."""
    if channel_id.startswith("D") or channel_name == "directmessage":
        return "private"
    return "group"


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    """A Slack event about the bot's place in a channel: is it (still) able to post there?
    ``kind`` is None when it is; otherwise ``kind`` and ``reason`` say why not."""

    channel: str
    kind: GoneKind | None = None
    reason: str = ""

    @property
    def present(self) -> bool:
        return self.kind is None


REMOVED_REASON = "the app was removed from this channel"
ARCHIVED_REASON = "this channel was archived"
# Events that concern the bot whichever user they name (Slack sends them to the bot itself).
_BOT_LEFT = frozenset({"channel_left", "group_left"})
_ARCHIVED = frozenset({"channel_archive", "group_archive"})
_UNARCHIVED = frozenset({"channel_unarchive", "group_unarchive"})
MEMBERSHIP_EVENTS = frozenset(
    {"member_joined_channel", "member_left_channel"} | _BOT_LEFT | _ARCHIVED | _UNARCHIVED
)


def membership_event(
    event: Mapping[str, Any], bot_user_id: str | None
) -> MembershipEvent | None:
    """``member_joined_channel``/``member_left_channel`` for the bot user, ``channel_left``/
    ``group_left`` (the bot was removed), ``*_archive``/``*_unarchive`` -> a change; None for
    anything else, e.g. another user joining."""
    kind, channel = event.get("type"), event.get("channel")
    if not isinstance(channel, str) or not channel:
        return None
    if kind in ("member_joined_channel", "member_left_channel"):
        if bot_user_id is None or event.get("user") != bot_user_id:
            return None
        if kind == "member_joined_channel":
            return MembershipEvent(channel)
        return MembershipEvent(channel, GoneKind.KICKED, REMOVED_REASON)
    if kind in _BOT_LEFT:
        return MembershipEvent(channel, GoneKind.KICKED, REMOVED_REASON)
    if kind in _ARCHIVED:
        return MembershipEvent(channel, GoneKind.ARCHIVED, ARCHIVED_REASON)
    if kind in _UNARCHIVED:
        return MembershipEvent(channel)
    return None
