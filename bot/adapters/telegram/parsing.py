"""Text-level parsing of incoming messages. Pure functions, no SDK imports."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import GoneKind

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>»”’\"'"


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """``/name@addressee arg1 arg2`` split up; ``addressee`` is None when not addressed."""

    name: str
    addressee: str | None
    args: tuple[str, ...]


def parse_command(text: str) -> ParsedCommand | None:
    """Parse a ``/command`` message; None when the text is not a command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, *args = stripped.split()
    name, _, addressee = head[1:].partition("@")
    if not name:
        return None
    return ParsedCommand(name=name.lower(), addressee=addressee or None, args=tuple(args))


def parse_command_line(line: str) -> ParsedCommand | None:
    """A command line from callback data (``unsubscribe https://...``, slash optional)."""
    line = line.strip()
    return parse_command(line if line.startswith("/") else "/" + line)


def _clean(url: str) -> str:
    # Trailing punctuation belongs to the sentence, except a ")" closing a "(" in the URL.
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def find_urls(text: str) -> list[str]:
    """http(s) URLs in free text, in order, trailing punctuation removed."""
    return [
        u for u in (_clean(m.group(0)) for m in _URL.finditer(text)) if len(u) > len("https://")
    ]


def just_a_link(text: str) -> str | None:
    """The URL when the whole message is one link (and nothing else), else None."""
    stripped = text.strip().strip("<>")
    if not stripped or any(ch.isspace() for ch in stripped):
        return None
    urls = find_urls(stripped)
    return urls[0] if len(urls) == 1 and stripped.startswith(urls[0]) else None


def is_address(text: str) -> bool:
    """``@channelname`` (what ``/subscribe @channel <url>`` names a channel by)."""
    return bool(re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{3,}", text))


@dataclass(frozen=True, slots=True)
class Membership:
    """What a ``my_chat_member`` update means for newsbot: is the bot in the chat now?
    ``kind`` is None when it is; otherwise ``kind`` and ``reason`` say why not."""

    kind: GoneKind | None = None
    reason: str = ""

    @property
    def present(self) -> bool:
        return self.kind is None


_PRESENT = frozenset({"member", "administrator", "creator"})
_GONE = frozenset({"kicked", "banned", "left"})


def bot_membership(status: str, chat_type: str, *, is_member: bool | None = None) -> Membership | None:
    """The bot's new status in a chat (``my_chat_member.new_chat_member.status``) -> a change.

    ``kicked``/``left`` mean removed (in a private chat ``kicked`` means the user blocked
    the bot); ``member``/``administrator`` mean present. ``restricted`` counts as removed
    only when the bot is no longer a member (``is_member``); otherwise, and for unknown
    statuses, None: nothing changes.
    """
    if status in _PRESENT:
        return Membership()
    if status in _GONE or (status == "restricted" and is_member is False):
        if chat_type == "private":
            return Membership(GoneKind.BLOCKED, "the user blocked the bot")
        place = "channel" if chat_type == "channel" else "group"
        return Membership(GoneKind.KICKED, f"the bot was removed from the {place}")
    return None
