"""Who may change a Slack channel's subscriptions, schedule and settings, through bolt and
the fake Web API with the real core wired by the composition root: workspace admins and
owners and the channel's creator by default; every member with
NEWSBOT_SLACK_MEMBERS_CAN_MANAGE."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.commands.access import MANAGERS_ONLY
from bot.domain import ChatRef, UserRef
from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.fake_slack import SlackRig, slack_rig
from tests.support.http_server import LoopbackServer
from tests.support.http_server import http_server as http_server

CHANNEL = "C0700"
MEMBER, CREATOR, ADMIN = "U0002", "U0003", "U0001"  # U0001 (ada) is the fake's workspace admin


def _no_summarizer() -> Any:
    raise AssertionError("these tests never summarize")


@asynccontextmanager
async def live(store: Store, **settings: Any) -> AsyncIterator[SlackRig]:
    async with slack_rig() as rig, core(store, _no_summarizer, {"slack": rig.adapter},
                                        **settings) as c:
        await rig.start(c.inbound)
        rig.fake.add_bot(CHANNEL)
        rig.fake.creators[CHANNEL] = CREATOR
        yield rig


async def answer(rig: SlackRig, text: str, user: str, name: str) -> str:
    await rig.inbound.slash(text, channel_id=CHANNEL, user_id=user,
                            response_url=rig.fake.response_url(name))
    await rig.adapter.drain(30)
    [response] = rig.fake.responses(name)
    return str(response["text"])


async def test_members_are_refused_creator_and_admins_may_manage(
    store: Store, http_server: Callable[..., LoopbackServer]
) -> None:
    site = news_site(http_server())
    async with live(store) as rig:
        assert await answer(rig, "schedule 07:30 UTC", MEMBER, "member") == MANAGERS_ONLY
        assert await store.chats.get_chat(ChatRef("slack", CHANNEL)) is None  # nothing stored
        assert site.requests == []
        assert (await answer(rig, "schedule 07:30 UTC", CREATOR, "creator")).startswith("Digest")
        text = await answer(rig, f"subscribe {site.url('/rss.xml')}", ADMIN, "admin")
        assert text.startswith("Subscribed to Loopback Herald"), text
        # read-only commands are for everyone, and nobody is looked up for them
        looked_up = len(rig.fake.calls_to("users.info"))
        assert "Loopback Herald" in await answer(rig, "list", MEMBER, "list")
        assert len(rig.fake.calls_to("users.info")) == looked_up
        assert "only administrators" in await answer(rig, "help", MEMBER, "help")


async def test_the_operator_may_let_every_member_manage(store: Store) -> None:
    async with live(store, slack_members_can_manage=True) as rig:
        text = await answer(rig, "schedule 07:30 UTC", MEMBER, "member")
        assert text.startswith("Digest every day at 07:30 (UTC)"), text
        assert rig.fake.calls_to("users.info") == []
        assert "every member" in await answer(rig, "help", MEMBER, "help")


async def test_dms_are_always_managed_by_their_user(store: Store) -> None:
    async with live(store) as rig:
        await rig.inbound.slash("schedule 07:30 UTC", channel_id="D0042", user_id=MEMBER,
                                response_url=rig.fake.response_url("dm"))
        await rig.adapter.drain(30)
        [response] = rig.fake.responses("dm")
        assert str(response["text"]).startswith("Digest every day")
        assert rig.fake.calls_to("users.info") == []


async def test_is_admin_falls_back_to_the_creator_without_users_read(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.adapters.slack.adapter")
    async with live(store) as rig:
        channel = ChatRef("slack", CHANNEL)
        rig.fake.fail_next("users.info", "missing_scope", times=2)
        assert await rig.adapter.is_admin(channel, UserRef("slack", CREATOR)) is True
        assert await rig.adapter.is_admin(channel, UserRef("slack", ADMIN)) is False  # unknown
        assert "users:read" in caplog.text
        assert await rig.adapter.is_admin(channel, UserRef("slack", ADMIN)) is True
