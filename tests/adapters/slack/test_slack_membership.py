"""The bot's channel membership on Slack, through bolt with real request signing, the fake
Slack Web API and the real core and store: removed -> paused at once, invited back ->
resumed; subscribe in a channel the bot is not in -> it joins (public) or asks for an
/invite (private) instead of subscribing a channel its digests cannot reach."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack.failures import CHANNEL_GONE
from bot.adapters.slack.parse import (
    ARCHIVED_REASON,
    MEMBERSHIP_EVENTS,
    REMOVED_REASON,
    MembershipEvent,
    membership_event,
)
from bot.commands.handlers import CoreCommands
from bot.delivery.outbox import Outbox
from bot.domain import ChatRef
from bot.errors import GoneKind
from bot.store import Store
from tests.adapters.slack.conftest import FakeHandler
from tests.e2e_support import core, news_site
from tests.support.fake_slack import (
    BOT_USER_ID,
    SlackRig,
    channel_archive,
    channel_left,
    channel_unarchive,
    member_joined_channel,
    member_left_channel,
    slack_rig,
)
from tests.support.http_server import LoopbackServer
from tests.support.http_server import http_server as http_server

MANIFEST = Path(__file__).resolve().parents[3] / "config" / "slack-manifest.yml"
INVITE = "Invite me with /invite @newsbot, then try again."


def _no_summarizer() -> Any:
    raise AssertionError("these tests never summarize")


@pytest.fixture
async def live(store: Store) -> AsyncIterator[tuple[SlackRig, CoreCommands]]:
    """The real core (feeds from loopback), wired by the composition root, behind an
    HTTP-mode Slack adapter."""
    async with slack_rig() as rig, core(store, _no_summarizer, {"slack": rig.adapter}) as c:
        await rig.start(c.inbound)
        yield rig, c.commands


def slack_ref(channel: str) -> ChatRef:
    return ChatRef("slack", channel)


async def answer(rig: SlackRig, text: str, channel: str, name: str) -> str:
    """Run ``/newsbot <text>`` in ``channel``; the text of its (only) answer."""
    await rig.inbound.slash(text, channel_id=channel, response_url=rig.fake.response_url(name))
    await rig.adapter.drain(30)
    [response] = rig.fake.responses(name)
    return str(response["text"])


# ------------------------------------------------------------------ removed / added back


async def test_removed_pauses_at_once_and_invited_back_resumes(
    live: tuple[SlackRig, CoreCommands], store: Store
) -> None:
    rig, _ = live
    ref = slack_ref("C0001")
    await store.chats.upsert_chat(ref, "group", "#general")
    rig.fake.add_bot("C0001")

    await rig.inbound.event(member_left_channel("C0001", user="U0042"))  # someone else left
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active

    rig.fake.remove_bot("C0001")
    await rig.inbound.event(member_left_channel("C0001"))
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and not chat.active and chat.inactive_reason == REMOVED_REASON

    await store.digests.create_digest(ref, [], [{"text": "kept for later"}])
    outbox = Outbox(store, {"slack": rig.adapter})
    assert await outbox.run_once() == 0  # paused: not even tried
    assert rig.fake.calls_to("chat.postMessage") == []

    rig.fake.add_bot("C0001")
    await rig.inbound.event(member_joined_channel("C0001"))
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active and chat.inactive_reason is None
    assert await outbox.run_once() == 1
    assert [m["text"] for m in rig.fake.messages("C0001")] == ["kept for later"]


@pytest.mark.parametrize(
    ("channel", "gone", "back", "reason"),
    [
        ("C0002", channel_left, member_joined_channel, REMOVED_REASON),
        ("G0002", channel_left, member_joined_channel, REMOVED_REASON),  # group_left
        ("C0002", channel_archive, channel_unarchive, ARCHIVED_REASON),
        ("G0002", channel_archive, channel_unarchive, ARCHIVED_REASON),  # group_archive
    ],
)
async def test_left_and_archive_events(
    live: tuple[SlackRig, CoreCommands],
    store: Store,
    channel: str,
    gone: Callable[[str], dict[str, Any]],
    back: Callable[[str], dict[str, Any]],
    reason: str,
) -> None:
    rig, _ = live
    ref = slack_ref(channel)
    await store.chats.upsert_chat(ref, "group")
    await rig.inbound.event(gone(channel))
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and not chat.active and chat.inactive_reason == reason
    await rig.inbound.event(back(channel))
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and chat.active


async def test_invited_back_keeps_a_chat_paused_for_another_reason(
    live: tuple[SlackRig, CoreCommands], store: Store
) -> None:
    rig, _ = live
    ref = slack_ref("C0003")
    await store.chats.upsert_chat(ref, "group")
    await store.chats.pause_chat(ref, CHANNEL_GONE["restricted_action"], "Slack: restricted_action")
    await rig.inbound.event(member_joined_channel("C0003"))
    await rig.adapter.drain(5)
    chat = await store.chats.get_chat(ref)
    assert chat is not None and not chat.active
    assert chat.inactive_reason == "Slack: restricted_action"


async def test_membership_events_reach_the_core_never_as_commands(
    rig: SlackRig, handler: FakeHandler
) -> None:
    response = await rig.inbound.event(member_left_channel("C0001"))
    assert response.status_code == 200
    await rig.adapter.drain(5)
    assert handler.commands == []
    assert handler.membership == [("removed", slack_ref("C0001"), GoneKind.KICKED)]


# ------------------------------------------------------------------ subscribe needs membership


async def test_subscribe_in_a_public_channel_joins_it_first(
    live: tuple[SlackRig, CoreCommands], store: Store, http_server: Callable[..., LoopbackServer]
) -> None:
    rig, _ = live
    site = news_site(http_server())
    text = await answer(rig, f"subscribe {site.url('/rss.xml')}", "C0777", "sub")
    assert text.startswith("Subscribed to Loopback Herald"), text
    [join] = rig.fake.calls_to("conversations.join", ok_only=True)
    assert join.params["channel"] == "C0777" and join.error is None
    assert "C0777" in rig.fake.members_of
    assert [f.title for f in await store.chats.subscriptions(slack_ref("C0777"))] == ["Loopback Herald"]

    # a member already: checked, not joined again
    await answer(rig, "schedule 07:30 UTC", "C0777", "sched")
    assert len(rig.fake.calls_to("conversations.info")) == 2
    assert len(rig.fake.calls_to("conversations.join")) == 1


@pytest.mark.parametrize("channel", ["C0888", "G0888"])
async def test_subscribe_in_a_private_channel_asks_for_an_invite(
    live: tuple[SlackRig, CoreCommands],
    store: Store,
    http_server: Callable[..., LoopbackServer],
    channel: str,
) -> None:
    rig, _ = live
    rig.fake.private_channels.add(channel)
    site = news_site(http_server())
    text = await answer(rig, f"subscribe {site.url('/rss.xml')}", channel, "sub")
    assert text.endswith(INVITE) and "\n" not in text
    [response] = rig.fake.responses("sub")
    assert response["response_type"] == "ephemeral"
    assert rig.fake.calls_to("conversations.join") == []
    assert await store.chats.get_chat(slack_ref(channel)) is None
    assert site.requests == []  # refused before the feed was even fetched

    # invited: the same command works
    rig.fake.add_bot(channel)
    text = await answer(rig, f"subscribe {site.url('/rss.xml')}", channel, "again")
    assert text.startswith("Subscribed to Loopback Herald"), text


@pytest.mark.parametrize("error", ["missing_scope", "is_archived"])
async def test_a_failed_join_asks_for_an_invite(
    live: tuple[SlackRig, CoreCommands], store: Store, error: str
) -> None:
    rig, _ = live
    rig.fake.fail_next("conversations.join", error)
    text = await answer(rig, "schedule 07:30 UTC", "C0999", "sched")
    assert text.endswith(INVITE)
    assert await store.chats.get_chat(slack_ref("C0999")) is None


async def test_membership_unknown_goes_ahead(
    rig: SlackRig, handler: FakeHandler, caplog: pytest.LogCaptureFixture
) -> None:
    """Without channels:read (an old manifest) the check cannot run: the command goes on."""
    caplog.set_level(logging.WARNING, logger="bot.adapters.slack.adapter")
    rig.fake.fail_next("conversations.info", "missing_scope")
    await rig.inbound.slash("subscribe https://x.example/feed", response_url=rig.fake.response_url("s"))
    await rig.adapter.drain(5)
    assert [c.name for c in handler.commands] == ["subscribe"]
    assert "channels:read" in caplog.text


async def test_dms_and_read_only_commands_are_not_checked(
    rig: SlackRig, handler: FakeHandler
) -> None:
    await rig.inbound.slash("subscribe https://x.example/feed", channel_id="D0042",
                            response_url=rig.fake.response_url("dm"))
    await rig.inbound.slash("list", channel_id="C0555", response_url=rig.fake.response_url("list"))
    await rig.adapter.drain(5)
    assert [c.name for c in handler.commands] == ["subscribe", "list"]
    assert rig.fake.calls_to("conversations.info") == []


# ------------------------------------------------------------------ pure parts


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (member_left_channel("C1"), MembershipEvent("C1", GoneKind.KICKED, REMOVED_REASON)),
        (member_joined_channel("C1"), MembershipEvent("C1")),
        (member_left_channel("C1", user="U0042"), None),
        (member_joined_channel("C1", user="U0042"), None),
        (channel_left("C1"), MembershipEvent("C1", GoneKind.KICKED, REMOVED_REASON)),
        (channel_left("G1"), MembershipEvent("G1", GoneKind.KICKED, REMOVED_REASON)),
        (channel_archive("G1"), MembershipEvent("G1", GoneKind.ARCHIVED, ARCHIVED_REASON)),
        (channel_unarchive("C1"), MembershipEvent("C1")),
        ({"type": "member_left_channel", "user": BOT_USER_ID}, None),
        ({"type": "reaction_added", "channel": "C1"}, None),
    ],
)
def test_membership_event(event: dict[str, Any], expected: MembershipEvent | None) -> None:
    assert membership_event(event, BOT_USER_ID) == expected
    if event.get("type", "").startswith("member_"):
        assert membership_event(event, None) is None  # bot user unknown: not ours to judge


def test_manifest_subscribes_to_membership_events_with_their_scopes() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events >= MEMBERSHIP_EVENTS
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:read", "groups:read", "channels:join", "users:read"} <= scopes
    assert "chat:write.public" not in scopes
