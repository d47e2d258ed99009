"""The platform-free command layer: every bad input gets one clear reply."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands.handlers import extract_url, parse_schedule, parse_url
from bot.domain import ChatRef, Command, Schedule
from bot.errors import CommandError
from bot.store.repository import Store
from tests.e2e_support import core, news_site
from tests.support.http_server import Response
from tests.support.http_server import http_server as http_server
from tests.test_pipeline import CountingSummarizer

CHAT = ChatRef("telegram", "1")


def cmd(name: str, *args: str, can_manage: bool = True, kind: str = "private") -> Command:
    return Command(name, args, CHAT, chat_kind=kind, can_manage=can_manage)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("07:30", "Europe/London"), Schedule("daily", 7, 30, "Europe/London")),
        (("7.05", "europe/paris", "weekdays"), Schedule("weekdays", 7, 5, "Europe/Paris")),
        (("off",), Schedule("off", timezone="UTC")),
        (("realtime",), Schedule("realtime", timezone="UTC")),
        (("23:59", "UTC"), Schedule("daily", 23, 59, "UTC")),
    ],
)
def test_schedule_parsing(args: tuple[str, ...], expected: Schedule) -> None:
    assert parse_schedule(args, "UTC") == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("25:99",), "not a valid time"),
        (("noon",), "not a time"),
        (("07:30", "Mars/Olympus"), "Unknown time zone"),
        (("07:30", "Europe/London", "hourly"), "don't understand"),
        ((), "Usage"),
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
    async with core(store, CountingSummarizer()) as c:
        c.senders["telegram"] = _NullSender()
        h = c.commands.handle
        assert "Unknown command" in (await h(cmd("frobnicate"))).text
        assert (await h(cmd("subscribe", site.url("/rss.xml"), can_manage=False, kind="group"))).is_error
        assert "administrators" in (await h(cmd("schedule", "08:00", can_manage=False, kind="group"))).text
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
                          ((site.url("/missing"),), "404"), ((site.url("/big"),), "not a web article")):
            reply = await h(cmd("summary", *args))
            assert reply.is_error and why in reply.text, (args, reply.text)
        summary = await h(cmd("summary", site.url("/heat")))
        assert summary.story is not None and summary.story.key_points
        assert "doesn't follow" in (await h(cmd("unsubscribe", "https://elsewhere.example/rss"))).text
        assert "Unsubscribed" in (await h(cmd("unsubscribe", choose.choices[0].data.split()[1]))).text
        assert "no subscriptions" in (await h(cmd("unsubscribe"))).text


async def test_paused_chat_is_told_why_and_resumed(store: Store) -> None:
    async with core(store, CountingSummarizer()) as c:
        await store.upsert_chat(CHAT)
        await store.set_chat_active(CHAT, False, "not_in_channel")
        reply = await c.commands.handle(cmd("list"))
        assert "paused (not_in_channel)" in reply.text
        chat = await store.get_chat(CHAT)
        assert chat is not None and chat.active


class _NullSender:
    platform = "telegram"

    def render(self, message: Any) -> list[dict[str, Any]]:
        return [{"text": "x"}]
