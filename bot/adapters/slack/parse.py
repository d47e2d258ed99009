"""Slack text -> command words (pure functions, no SDK imports).

Slack rewrites what users type before we see it: links become
``<https://x|label>`` or ``<https://x>``, mentions ``<@U123>``, and ``&``,
``<``, ``>`` arrive as ``&amp;``, ``&lt;``, ``&gt;``. These helpers undo that
so the core receives the URL the user meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import ChatKind

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
