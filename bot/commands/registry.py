"""Every chat command newsbot understands, with its help text.

Adapters use this table to register commands with the platform (Telegram's
``setMyCommands``, the Slack manifest), to build ``/help``, and to know which
commands change a chat's state (``manages``) and so need an administrator in
groups and channels.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    description: str
    example: str
    manages: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "/start", "What newsbot does and how to begin", "/start"),
    CommandSpec("help", "/help", "Every command with an example", "/help"),
    CommandSpec(
        "subscribe",
        "/subscribe <feed or site URL>",
        "Follow a feed (a site URL works too: its feed is found for you)",
        "/subscribe https://www.theguardian.com/world/rss",
        manages=True,
    ),
    CommandSpec(
        "unsubscribe",
        "/unsubscribe [URL]",
        "Stop following a feed (without a URL: pick from a list)",
        "/unsubscribe https://www.theguardian.com/world/rss",
        manages=True,
    ),
    CommandSpec("list", "/list", "This chat's subscriptions and their state", "/list"),
    CommandSpec(
        "summary",
        "/summary <URL>",
        "Key points and quotes of one article",
        "/summary https://www.bbc.com/news/articles/example",
    ),
    CommandSpec("digest", "/digest", "Send this chat's digest now", "/digest"),
    CommandSpec(
        "schedule",
        "/schedule HH:MM [Area/City] [daily|weekdays|realtime] | off",
        "When the digest arrives, in your time zone",
        "/schedule 07:30 Europe/Berlin weekdays",
        manages=True,
    ),
    CommandSpec(
        "settings",
        "/settings [points N | quotes on|off | layout story|digest]",
        "Key points per story, quotes, one message per story or one digest",
        "/settings points 5",
        manages=True,
    ),
)

BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
MANAGING: frozenset[str] = frozenset(spec.name for spec in COMMANDS if spec.manages)
