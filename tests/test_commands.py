"""The platform-free command layer: every bad input gets one clear reply. Commands go
through the composition root's wiring (access rules, then the command layer)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands.handlers import CoreCommands, extract_url, parse_schedule, parse_url
from bot.commands.registry import BY_NAME
from bot.domain import ChatKind, ChatRef, Command, Schedule, UserRef
from bot.errors import CommandError, GoneKind
from bot.store import Store
from tests.e2e_support import core, news_site
from tests.support.http_server import Response
from tests.support.http_server import http_server as http_server
from tests.support.inbound import StubPlatform
from tests.test_pipeline import CountingSummarizer

CHAT = ChatRef("telegram", "1")


ADMIN, MEMBER = "7", "8"


def cmd(name: str, *args: str, user: str = ADMIN, kind: ChatKind = "private") -> Command:
    return Command(name, args, CHAT, UserRef("telegram", user), chat_kind=kind)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("07:30", "Europe/London"), Schedule("daily", 7, 30, "Europe/London")),
        (("7.05", "europe/paris", "weekdays"), Schedule("weekdays", 7, 5, "Europe/Paris")),
        (("off",), Schedule("off", timezone="UTC")),
        (("realtime",), Schedule("realtime", timezone="UTC")),
        (("23:59", "UTC"), Schedule("daily", 23, 59, "UTC")),
        (("8am",), Schedule("daily", 8, 0, "UTC")),
        (("8", "pm", "London"), Schedule("daily", 20, 0, "Europe/London")),
        (("12:15am",), Schedule("daily", 0, 15, "UTC")),
        (("0730", "new", "york", "weekdays"), Schedule("weekdays", 7, 30, "America/New_York")),
        (("07:30", "London"), Schedule("daily", 7, 30, "Europe/London")),
    ],
)
def test_schedule_parsing(args: tuple[str, ...], expected: Schedule) -> None:
    assert parse_schedule(args, "UTC") == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("25:99",), "not a time I understand"),
        (("13pm",), "not a time I understand"),
        (("noon",), "not a time"),
        (("07:30", "Mars/Olympus"), "don't know the time zone"),
        (("07:30", "Europe/London", "hourly"), "don't understand 'hourly'"),
        (("07:30", "Londn"), "Did you mean Europe/London\\? Send: /schedule 07:30 Europe/London"),
        (("07:30", "PST"), "Did you mean America/Los_Angeles"),
        ((), "When should the digest arrive"),
    ],
)
def test_bad_schedules(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_schedule(args, None)


def test_urls() -> None:
    assert parse_url("example.com/news") == "https://example.com/news"
    assert parse_url("<https://example.com/a>") == "https://example.com/a"
    for bad, why in (("hello world", "doesn't look like"), ("ftp://x.example/f", "Only http"),
                     ("https://" + "a" * 3000, "too long"), ("http://", "no host")):
        with pytest.raises(CommandError, match=why):
            parse_url(bad)
    assert extract_url("look: https://example.com/x). thanks") == "https://example.com/x"
    assert extract_url("no link here") is None


async def test_command_replies(http_server: Any, store: Store) -> None:
    site = news_site(http_server())
    site.set("/big", Response(b"x" * 100, content_type="image/png"))
    platform = StubPlatform(admins=[ADMIN])
    async with core(store, CountingSummarizer(), {"telegram": platform}) as c:
        h = c.inbound.handle
        assert "Unknown command" in (await h(cmd("frobnicate"))).text
        assert (await h(cmd("subscribe", site.url("/rss.xml"), user=MEMBER, kind="group"))).is_error
        assert "administrators" in (await h(cmd("schedule", "08:00", user=MEMBER, kind="group"))).text
        ok = await h(cmd("subscribe", site.url("/rss.xml")))
        assert not ok.is_error and "Subscribed to Loopback Herald" in ok.text
        again = await h(cmd("subscribe", site.url("/rss.xml")))
        assert "already follows" in again.text
        assert "Which feed" in (await h(cmd("subscribe"))).text
        choose = await h(cmd("unsubscribe"))
        assert choose.choices and choose.choices[0].data.startswith("unsubscribe ")
        listing = await h(cmd("list"))
        assert "Loopback Herald" in listing.text
        asks = await h(cmd("schedule", "08:00"))
        assert asks.is_error and "time zone" in asks.text and "Europe/London" in asks.text
        set_ok = await h(cmd("schedule", "08:00", "Europe/London"))
        assert "08:00 (Europe/London)" in set_ok.text
        settings = await h(cmd("settings", "points", "5"))
        assert "Key points per story: 5" in settings.text and settings.choices
        assert (await h(cmd("settings", "points", "99"))).is_error
        for args, why in (((), "Send me a link"), (("not a url",), "doesn't look like"),
                          ((site.url("/missing"),), "doesn't exist"), ((site.url("/big"),), "not a web article")):
            reply = await h(cmd("summary", *args))
            assert reply.is_error and why in reply.text, (args, reply.text)
        summary = await h(cmd("summary", site.url("/heat")))
        assert summary.story is not None and summary.story.key_points
        assert "doesn't follow" in (await h(cmd("unsubscribe", "https://elsewhere.example/rss"))).text
        assert "Unsubscribed" in (await h(cmd("unsubscribe", choose.choices[0].data.split()[1]))).text
        assert "no subscriptions" in (await h(cmd("unsubscribe"))).text


async def test_paused_chat_is_told_why_and_resumed(store: Store) -> None:
    async with core(store, CountingSummarizer()) as c:
        await store.chats.upsert_chat(CHAT)
        await store.chats.pause_chat(CHAT, GoneKind.NOT_A_MEMBER, "not_in_channel")
        reply = await c.commands.handle(cmd("list"))
        assert "paused (not_in_channel)" in reply.text
        chat = await store.chats.get_chat(CHAT)
        assert chat is not None and chat.active


def test_every_registered_command_has_a_handler() -> None:
    commands = CoreCommands(None, None, {})  # type: ignore[arg-type]
    assert set(commands._handlers) == set(BY_NAME)
