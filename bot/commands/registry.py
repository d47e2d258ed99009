"""Every chat command newsbot understands, with its help text.

Adapters use this table to register commands with the platform (Telegram's
``setMyCommands``, the Slack manifest); the core uses it to build ``/help``
and to apply its access rules (:mod:`bot.commands.access`): ``manages``
commands change a chat's state and need an administrator in groups and
channels; ``needs_posting`` commands only make sense if the bot can post in
the chat afterwards; ``local`` commands act on the chat they are sent from,
even when their first argument names a channel.
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
    needs_posting: bool = False
    local: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "/start", "What newsbot does and how to begin", "/start", local=True),
    CommandSpec("help", "/help", "Every command with an example", "/help", local=True),
    CommandSpec(
        "subscribe",
        "/subscribe <feed or site URL> [only:<words>] [not:<words>]",
        "Follow a feed (a site URL works too: its feed is found for you); only:/not: keep "
        "or drop its stories by keywords",
        "/subscribe https://www.theguardian.com/world/rss",
        manages=True,
        needs_posting=True,
    ),
    CommandSpec(
        "follow",
        "/follow <words>",
        "Put stories about a topic first (several: separate them with commas)",
        "/follow climate, elections",
        manages=True,
    ),
    CommandSpec(
        "mute",
        "/mute <words>",
        "Leave out stories about a topic",
        "/mute football",
        manages=True,
    ),
    CommandSpec("unfollow", "/unfollow <words>", "Stop following a topic", "/unfollow climate",
                manages=True),
    CommandSpec("unmute", "/unmute <words>", "See a muted topic's stories again",
                "/unmute football", manages=True),
    CommandSpec(
        "unsubscribe",
        "/unsubscribe [URL]",
        "Stop following a feed (without a URL: pick from a list)",
        "/unsubscribe https://www.theguardian.com/world/rss",
        manages=True,
    ),
    CommandSpec("list", "/list", "This chat's subscriptions, topics and filters, with buttons "
                "to remove them", "/list"),
    CommandSpec(
        "summary",
        "/summary <URL>",
        "Key points and quotes of one article",
        "/summary https://www.bbc.com/news/articles/example",
        local=True,
    ),
    CommandSpec("digest", "/digest", "Send this chat's digest now", "/digest"),
    CommandSpec(
        "schedule",
        "/schedule HH:MM [Area/City] [daily|weekdays|realtime] | off",
        "When the digest arrives, in your time zone",
        "/schedule 07:30 Europe/Berlin weekdays",
        manages=True,
        needs_posting=True,
    ),
    CommandSpec(
        "settings",
        "/settings [layout brief|full|headlines | points N | quotes on|off | image on|off"
        " | messages story|digest]",
        "Digest layout, key points per story, quotes, lead image, one message per story",
        "/settings layout full",
        manages=True,
    ),
)

BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
MANAGING: frozenset[str] = frozenset(spec.name for spec in COMMANDS if spec.manages)
