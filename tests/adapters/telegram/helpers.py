"""Shared helpers of the Telegram adapter tests: a canned core and sample stories."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.domain import Choice, Command, Quote, Reply, Story
from bot.ports import RateLimits
from tests.support.inbound import MembershipLog

# Telegram's real limits space group messages 3 s apart; tests use generous ones.
FAST_LIMITS = RateLimits(global_per_second=1000, per_chat_per_second=100, per_group_per_minute=6000)
LONG_URL = "https://example.com/feeds/" + "very-long-path-segment/" * 4 + "rss.xml"


def make_story(url: str = "https://example.com/a", **overrides: Any) -> Story:
    values: dict[str, Any] = {
        "article_id": 1,
        "title": "Council <b>approves</b> budget & more",
        "url": url,
        "source": "Example News",
        "published": datetime(2025, 11, 24, 17, 54, tzinfo=UTC),
        "key_points": (
            "The council approved the budget.",
            "Taxes rise by 2% <script>alert(1)</script>.",
        ),
        "key_quotes": (Quote("We had no choice", "Jane Doe", 0, 16),),
        "also_reported_by": (("Other Paper", "https://other.example/b"),),
    }
    values.update(overrides)
    return Story(**values)


class FakeCore(MembershipLog):
    """A command layer returning canned replies; records every Command it gets."""

    def __init__(self) -> None:
        super().__init__()
        self.commands: list[Command] = []
        self.summary_delay = 0.0

    async def handle(self, command: Command) -> Reply:
        self.commands.append(command)
        if command.name == "help":
            return Reply(text="Commands: /subscribe <url> & /list")
        if command.name == "summary":
            await asyncio.sleep(self.summary_delay)
            return Reply(
                story=make_story(command.args[0] if command.args else "https://none.example")
            )
        if command.name == "unsubscribe" and not command.args:
            return Reply(
                text="Pick a feed to unsubscribe:",
                choices=(
                    Choice("Feed <A> & co", f"unsubscribe {LONG_URL}"),
                    Choice("Show list", "list"),
                ),
            )
        args = " ".join(command.args)
        return Reply(
            text=f"{command.name} {args} as_chat={command.as_chat} "
            f"chat={command.chat.external_id} kind={command.chat_kind}"
        )

    def names(self) -> list[str]:
        return [c.name for c in self.commands]
