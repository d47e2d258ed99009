"""Fixtures for the Slack adapter tests: a fake command layer and a wired rig."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from bot.domain import Command, Reply
from tests.support.fake_slack import SlackRig, slack_rig
from tests.support.inbound import MembershipLog

ReplyFor = Reply | Callable[[Command], Reply]
OK = Reply(text="ok")


class FakeHandler(MembershipLog):
    """Records Commands and answers with canned Replies (by command name).

    ``gate``, when set, makes every command wait for it: the test decides when
    the "slow" work finishes. ``events`` logs "start:<name>"/"end:<name>".
    """

    def __init__(self, default: ReplyFor = OK) -> None:
        super().__init__()
        self.replies: dict[str, ReplyFor] = {}
        self.default = default
        self.commands: list[Command] = []
        self.events: list[str] = []
        self.gate: asyncio.Event | None = None
        self.raise_error: Exception | None = None

    async def handle(self, command: Command) -> Reply:
        self.commands.append(command)
        self.events.append(f"start:{command.name}")
        if self.gate is not None:
            await self.gate.wait()
        self.events.append(f"end:{command.name}")
        if self.raise_error is not None:
            raise self.raise_error
        reply = self.replies.get(command.name, self.default)
        return reply(command) if callable(reply) else reply


@pytest.fixture
def handler() -> FakeHandler:
    return FakeHandler()


@pytest.fixture
async def rig(handler: FakeHandler) -> AsyncIterator[SlackRig]:
    async with slack_rig(handler) as wired:
        yield wired
