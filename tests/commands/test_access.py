"""The core's access rules (bot/commands/access.py), against a platform stub: who may manage
a chat, channel targeting and its refusals, and the join-or-invite posting check."""

from __future__ import annotations

import pytest

from bot.commands.access import (
    CHANNEL_ADMINS_ONLY,
    CHANNEL_NOT_FOUND,
    INVITE_ME,
    MAKE_ME_ADMIN,
    MANAGERS_ONLY,
    NOT_A_CHANNEL,
    AccessPolicy,
)
from bot.domain import ChatKind, ChatRef, Command, Reply, UserRef
from bot.ports import ChatTarget, Posting
from tests.support.inbound import StubPlatform

GROUP = ChatRef("telegram", "-100")
DM = ChatRef("telegram", "5")
CHANNEL = ChatTarget(ChatRef("telegram", "-1009"), "channel", "News channel")
ADMIN, MEMBER = "1", "2"


def command(name: str, *args: str, chat: ChatRef = GROUP, kind: ChatKind = "group",
            user: str | None = MEMBER, as_chat: bool = False) -> Command:
    return Command(name, args, chat, UserRef("telegram", user) if user else None,
                   chat_kind=kind, as_chat=as_chat)


async def admit(cmd: Command, platform: StubPlatform, **policy: object) -> Command | Reply:
    return await AccessPolicy(**policy).admit(cmd, platform)  # type: ignore[arg-type]


async def test_managing_a_group_needs_an_administrator() -> None:
    platform = StubPlatform(admins=[ADMIN])
    refused = await admit(command("schedule", "07:30"), platform)
    assert refused == Reply(MANAGERS_ONLY, is_error=True, refused=True)
    cmd = command("schedule", "07:30", user=ADMIN)
    assert await admit(cmd, platform) == cmd
    assert platform.asked == [f"is_admin -100 {MEMBER}", f"is_admin -100 {ADMIN}", "posting -100"]


async def test_read_only_commands_private_chats_and_posts_as_the_chat_ask_nothing() -> None:
    platform = StubPlatform()
    for cmd in (
        command("list"),
        command("digest"),
        command("summary", "https://example.com/a"),
        command("settings", chat=DM, kind="private"),
        command("settings", user=None, as_chat=True),  # a channel post / anonymous admin
    ):
        assert await admit(cmd, platform) == cmd
    assert platform.asked == []


async def test_an_operator_may_let_every_member_manage_one_platform() -> None:
    cmd = command("settings", "points", "5")
    assert await admit(cmd, StubPlatform(), members_manage=["telegram"]) == cmd
    assert isinstance(await admit(cmd, StubPlatform(), members_manage=["slack"]), Reply)
    slack_cmd = command("settings", chat=ChatRef("slack", "C1"))
    assert await admit(slack_cmd, StubPlatform("slack"), members_manage=["slack"]) == slack_cmd
    assert "every member" in AccessPolicy(["slack"]).who_manages("slack")
    assert "only administrators" in AccessPolicy(["slack"]).who_manages("telegram")


async def test_nobody_to_ask_is_refused() -> None:
    assert isinstance(await admit(command("subscribe", "x", user=None), StubPlatform()), Reply)


@pytest.mark.parametrize(
    ("posting", "can_join", "expected"),
    [
        (Posting.ALLOWED, True, None),
        (Posting.UNKNOWN, True, None),  # the platform cannot tell: go ahead
        (Posting.JOINABLE, True, None),
        (Posting.JOINABLE, False, INVITE_ME.format(name="newsbot")),
        (Posting.NEEDS_INVITE, True, INVITE_ME.format(name="newsbot")),
        (Posting.NEEDS_RIGHTS, True, MAKE_ME_ADMIN.format(target="this group")),
    ],
)
async def test_posting_check_joins_or_says_what_to_do(
    posting: Posting, can_join: bool, expected: str | None
) -> None:
    platform = StubPlatform(admins=[ADMIN], posting_answer=posting, can_join=can_join)
    cmd = command("subscribe", "https://example.com/rss", user=ADMIN)
    result = await admit(cmd, platform)
    assert result == (cmd if expected is None else Reply(expected, is_error=True, refused=True))
    assert platform.joined == ([GROUP] if posting is Posting.JOINABLE else [])


async def test_posting_is_checked_only_where_digests_will_go() -> None:
    platform = StubPlatform(posting_answer=Posting.NEEDS_INVITE)
    for cmd in (command("subscribe", "x", chat=DM, kind="private"), command("list")):
        assert await admit(cmd, platform) == cmd


async def test_a_private_command_naming_a_channel_acts_on_it() -> None:
    platform = StubPlatform(admins=[ADMIN], channels={"@news": CHANNEL})
    cmd = command("subscribe", "@news", "https://example.com/rss", chat=DM, kind="private",
                  user=ADMIN)
    admitted = await admit(cmd, platform)
    assert isinstance(admitted, Command)
    assert (admitted.chat, admitted.args, admitted.chat_kind, admitted.chat_title) == (
        CHANNEL.ref, ("https://example.com/rss",), "channel", "News channel")
    # the bot's right to post and the user's rights were both checked, in the channel
    assert platform.asked == ["posting -1009", f"is_admin -1009 {ADMIN}"]


@pytest.mark.parametrize(
    ("channels", "posting", "user", "refusal"),
    [
        ({}, Posting.ALLOWED, ADMIN, CHANNEL_NOT_FOUND),
        ({"@news": ChatTarget(GROUP, "group", "A group")}, Posting.ALLOWED, ADMIN, NOT_A_CHANNEL),
        ({"@news": CHANNEL}, Posting.NEEDS_RIGHTS, ADMIN, MAKE_ME_ADMIN),
        ({"@news": CHANNEL}, Posting.ALLOWED, MEMBER, CHANNEL_ADMINS_ONLY),
    ],
)
async def test_channel_targeting_refusals(
    channels: dict[str, ChatTarget], posting: Posting, user: str, refusal: str
) -> None:
    platform = StubPlatform(admins=[ADMIN], channels=channels, posting_answer=posting)
    cmd = command("list", "@news", chat=DM, kind="private", user=user)
    assert await admit(cmd, platform) == Reply(refusal.format(target="@news"), is_error=True, refused=True)


async def test_local_commands_and_other_platforms_syntax_never_target() -> None:
    platform = StubPlatform(channels={"@news": CHANNEL})
    summary = command("summary", "@news", chat=DM, kind="private")
    assert await admit(summary, platform) == summary

    class NoChannelNames(StubPlatform):
        def channel_address(self, word: str) -> str | None:
            return None

    subscribe = command("subscribe", "@news", chat=DM, kind="private")
    assert await admit(subscribe, NoChannelNames(channels={"@news": CHANNEL})) == subscribe
