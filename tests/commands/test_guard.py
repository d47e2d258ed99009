"""Who may use the bot, per-user quotas and the on-demand summary cap, through the
real command path: the composition root's Inbound (access rules, quotas) in
front of the real command layer, pipeline and store, pages served on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import Bot
from bot.commands.access import NOT_ALLOWED, AllowList
from bot.commands.quotas import BUSY, CommandQuotas, Limits, describe_wait
from bot.domain import Article, ChatKind, ChatRef, Command, Quote, Reply, Summary, UserRef
from bot.settings import load_settings
from bot.store import Store
from tests.e2e_support import core
from tests.support.fake_telegram import running_fake_telegram, telegram_settings
from tests.support.http_server import LoopbackServer, Response
from tests.support.http_server import http_server as http_server
from tests.support.inbound import StubPlatform

PARAGRAPH = ("The council met on Tuesday evening to discuss the proposal in detail. "
             "Residents said the plan would change the riverside for a generation. "
             "The mayor promised a final decision before the end of the month. ")


class GateSummarizer:
    """Records the order of summarize calls; blocks each until ``gate`` is set."""

    name = "gate"

    def __init__(self, blocking: bool = False) -> None:
        self.gate = threading.Event()
        if not blocking:
            self.gate.set()
        self.calls: list[str] = []
        self.entered = threading.Event()

    def summarize(self, text: str, title: str | None = None, language: str | None = None,
                  max_points: int = 3, max_quotes: int = 2) -> Summary:
        self.calls.append(title or "")
        self.entered.set()
        self.gate.wait(10)
        q = Quote("a quote", "Someone", 0, 7)
        return Summary(("The council met.",), (q,), (q,), self.name, language)


def site(server: LoopbackServer, pages: int = 6) -> LoopbackServer:
    for i in range(pages):
        html = (f"<html><head><title>Story {i}</title></head><body><article><h1>Story {i}</h1>"
                + f"<p>Story number {i}. {PARAGRAPH}</p>" * 6 + "</article></body></html>")
        server.set(f"/p{i}", Response(html, content_type="text/html; charset=utf-8"))
    server.set("/rss.xml", Response(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title>'
        f"<link>{server.base_url}/</link><item><title>A</title><link>{server.base_url}/p0</link>"
        "</item></channel></rss>", content_type="application/rss+xml"))
    for i in range(3):
        server.set(f"/feed{i}.xml", server.lookup("/rss.xml"))  # type: ignore[arg-type]
    return server


def cmd(name: str, *args: str, user: str = "5", chat: str | None = None,
        kind: ChatKind = "private", username: str | None = None,
        chat_username: str | None = None) -> Command:
    return Command(name, args, ChatRef("telegram", chat or user),
                   UserRef("telegram", user, username=username), chat_kind=kind,
                   chat_username=chat_username)


@asynccontextmanager
async def bot(store: Store, summarizer: Any = None, **settings: Any) -> AsyncIterator[Bot]:
    async with core(store, summarizer or GateSummarizer(), {"telegram": StubPlatform()},
                    **settings) as c:
        yield c


# ------------------------------------------------------------------ allow-lists


async def test_empty_allow_lists_let_everyone_in(store: Store) -> None:
    async with bot(store) as c:
        reply = await c.inbound.handle(cmd("start", user="999"))
    assert not reply.is_error and "newsbot" in reply.text


async def test_allow_lists_admit_listed_users_anywhere_and_everyone_in_listed_chats(
        store: Store) -> None:
    async with bot(store, allowed_users=("42", "@Alice", "slack:U1"),
                   allowed_chats=("-100777", "@newsroom")) as c:
        handle = c.inbound.handle
        assert not (await handle(cmd("help", user="42"))).is_error
        assert not (await handle(cmd("help", user="7", username="alice"))).is_error
        assert not (await handle(cmd("list", user="8", chat="-100777", kind="group"))).is_error
        assert not (await handle(cmd("list", user="8", chat="-1009", kind="group",
                                     chat_username="NewsRoom"))).is_error
        refused = await handle(cmd("summary", "https://example.com/a", user="8"))
        assert refused == Reply(NOT_ALLOWED.format(ident="8"), is_error=True, refused=True)
        # "slack:U1" is no Telegram user, even one whose id were "U1"
        assert (await handle(cmd("help", user="U1"))).is_error
        # a listed user's command in a chat nobody listed still works
        assert not (await handle(cmd("list", user="42", chat="-1005", kind="group"))).is_error
    assert await store.chats.get_chat(ChatRef("telegram", "8")) is None  # refused: nothing stored


def test_allow_list_entries_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text("")
    monkeypatch.setenv("NEWSBOT_ALLOWED_USERS", "123, @alice U0ABC")
    monkeypatch.setenv("NEWSBOT_ALLOWED_CHATS", "-100123")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(tmp_path / "empty.toml"))
    settings = load_settings()
    assert settings.allowed_users == ("123", "@alice", "U0ABC")
    assert settings.allowed_chats == ("-100123",)
    allow = AllowList(settings.allowed_users, settings.allowed_chats)
    assert allow.admits(Command("help", (), ChatRef("slack", "D1"), UserRef("slack", "U0ABC")))
    assert not allow.admits(Command("help", (), ChatRef("slack", "D1"), UserRef("slack", "U0ABD")))


def test_allow_lists_and_quotas_from_the_config_file(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    config = tmp_path / "newsbot.toml"
    config.write_text('[newsbot]\nallowed_users = ["42", "@bob"]\nallowed_chats = []\n'
                      "summary_quota_per_hour = 5\nsummary_concurrency = 1\n")
    monkeypatch.setenv("NEWSBOT_CONFIG", str(config))
    for name in ("NEWSBOT_ALLOWED_USERS", "NEWSBOT_ALLOWED_CHATS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.allowed_users == ("42", "@bob") and settings.allowed_chats == ()
    assert (settings.summary_quota_per_hour, settings.subscribe_quota_per_hour) == (5, 10)
    assert settings.summary_concurrency == 1


# ---------------------------------------------------------------------- quotas


async def test_summary_quota_says_when_to_try_again_and_survives_a_restart(
        http_server: Any, store: Store) -> None:
    pages = site(http_server())
    async with bot(store, summary_quota_per_hour=2) as c:
        for i in range(2):
            reply = await c.inbound.handle(cmd("summary", pages.url(f"/p{i}")))
            assert not reply.is_error and reply.story is not None, reply
        assert (await c.inbound.handle(cmd("summary"))).is_error  # usage help: not counted
        refused = await c.inbound.handle(cmd("summary", pages.url("/p2")))
    assert refused.is_error
    assert refused.text.startswith("You've asked for 2 summaries in the last hour")
    assert "You can ask again in 60 minutes (at " in refused.text
    async with bot(store, summary_quota_per_hour=2) as c:  # a restart forgets nothing
        again = await c.inbound.handle(cmd("summary", pages.url("/p2")))
        assert again.text == refused.text
        other = await c.inbound.handle(cmd("summary", pages.url("/p2"), user="6"))
        assert not other.is_error and other.story is not None
    assert len(pages.requests_to("/p2")) == 1  # the refused requests fetched nothing


async def test_subscribe_quota(http_server: Any, store: Store) -> None:
    pages = site(http_server())
    async with bot(store, subscribe_quota_per_hour=2) as c:
        for i in range(2):
            reply = await c.inbound.handle(cmd("subscribe", pages.url(f"/feed{i}.xml")))
            assert not reply.is_error, reply
        refused = await c.inbound.handle(cmd("subscribe", pages.url("/feed2.xml")))
        assert refused.is_error and "You've sent 2 subscriptions in the last hour" in refused.text
        assert not (await c.inbound.handle(cmd("list"))).is_error  # other commands go on
    assert not pages.requests_to("/feed2.xml")


async def test_quota_zero_means_no_quota(http_server: Any, store: Store) -> None:
    pages = site(http_server())
    async with bot(store, summary_quota_per_hour=0) as c:
        for _ in range(3):
            assert not (await c.inbound.handle(cmd("summary", pages.url("/p0")))).is_error


class ListLedger:
    """An in-memory ledger with the store's contract, to test the window arithmetic."""

    def __init__(self) -> None:
        self.times: list[datetime] = []

    async def take(self, subject: str, action: str, *, limit: int, window: timedelta,
                   now: datetime | None = None) -> datetime | None:
        assert now is not None
        live = sorted(t for t in self.times if t > now - window)
        if len(live) >= limit:
            return live[len(live) - limit] + window
        self.times.append(now)
        return None


async def test_the_window_slides(store: Store) -> None:
    t0 = datetime(2026, 12, 1, 10, tzinfo=UTC)
    window = timedelta(hours=1)
    for ledger in (ListLedger(), store.quotas):
        assert await ledger.take("u", "summary", limit=2, window=window, now=t0) is None
        assert await ledger.take("u", "summary", limit=2, window=window,
                                 now=t0 + timedelta(minutes=20)) is None
        assert await ledger.take("u", "summary", limit=2, window=window,
                                 now=t0 + timedelta(minutes=30)) == t0 + window
        assert await ledger.take("u", "summary", limit=2, window=window,
                                 now=t0 + timedelta(minutes=61)) is None
        assert await ledger.take("u", "summary", limit=2, window=window,
                                 now=t0 + timedelta(minutes=62)) == t0 + timedelta(minutes=80)


async def test_simultaneous_requests_never_exceed_the_quota(store: Store) -> None:
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    results = await asyncio.gather(*(
        store.quotas.take("burst", "summary", limit=5, window=timedelta(hours=1), now=now)
        for _ in range(20)))
    assert sum(r is None for r in results) == 5
    assert await store.quotas.used("burst", "summary", window=timedelta(hours=1), now=now) == 5


def test_describe_wait() -> None:
    at = datetime(2026, 12, 1, 14, 5, tzinfo=UTC)
    assert describe_wait(timedelta(seconds=20), at) == "in a minute (at 14:05 UTC)"
    assert describe_wait(timedelta(minutes=11, seconds=1), at) == "in 12 minutes (at 14:05 UTC)"
    assert describe_wait(timedelta(hours=3), at) == "in about 3 hours (at 14:05 UTC)"


# ------------------------------------------------------- on-demand summary cap


async def test_a_burst_of_summaries_queues_behind_the_cap_and_digests_are_not_starved(
        http_server: Any, store: Store) -> None:
    """Five /summary at once with a cap of 1: one runs, three wait for a slot
    (not for the model), one more than the queue holds is told to retry; a
    digest's summary started meanwhile runs second, not after the burst."""
    pages = site(http_server())
    gate = GateSummarizer(blocking=True)
    async with bot(store, gate, summary_concurrency=1, summary_queue_max=3) as c:
        burst = [asyncio.create_task(c.inbound.handle(cmd("summary", pages.url(f"/p{i}"),
                                                          user=str(100 + i))))
                 for i in range(4)]
        await asyncio.to_thread(gate.entered.wait, 10)
        for _ in range(100):
            if c.inbound.quotas is not None and c.inbound.quotas.waiting == 3:
                break
            await asyncio.sleep(0.02)
        busy = await c.inbound.handle(cmd("summary", pages.url("/p5"), user="200"))
        assert busy == Reply(BUSY, is_error=True, refused=True)
        digest = asyncio.create_task(c.services.pipeline.summarize(
            Article(url="https://x.example/d", title="digest story", text=PARAGRAPH * 4,
                    fingerprint="d" * 64)))
        await asyncio.sleep(0.2)  # the digest's summary is waiting for the model now
        gate.gate.set()
        replies = await asyncio.gather(*burst)
        await digest
    assert all(not r.is_error for r in replies)
    assert gate.calls[1] == "digest story", gate.calls  # right after the running one
    assert len(gate.calls) == 5


async def test_limits_defaults_match_the_issue() -> None:
    quotas = CommandQuotas(ListLedger())
    assert quotas.limits == Limits(summary_per_hour=20, subscribe_per_hour=10,
                                   summary_concurrency=2, summary_queue_max=50)


# ------------------------------------------------------ through fake Telegram


async def test_quota_reply_through_the_telegram_bot_api(http_server: Any, store: Store) -> None:
    pages = site(http_server())
    user = 4343
    async with running_fake_telegram() as tg:
        from bot.adapters.telegram import TelegramAdapter

        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True))
        async with core(store, GateSummarizer(), {"telegram": adapter},
                        summary_quota_per_hour=1) as c:
            await adapter.start(c.inbound)
            try:
                tg.push_message(user, f"/summary {pages.url('/p0')}")
                await tg.wait_for("sendMessage", 1, chat_id=user, timeout=30)
                tg.push_message(user, f"/summary {pages.url('/p1')}")
                await tg.wait_for("sendMessage", 2, chat_id=user, timeout=30)
            finally:
                await adapter.close()
    texts = [m["text"] for m in tg.sent_messages(user)]
    assert "Story 0" in texts[0]
    assert texts[1].startswith("You've asked for 1 summary in the last hour")
    assert "You can ask again in 60 minutes" in texts[1]
    assert not pages.requests_to("/p1")


# ------------------------------------------------------------------ credentials


@pytest.mark.parametrize("command", ["summary", "subscribe"])
async def test_a_url_with_credentials_is_refused_in_one_line_never_fetched_echoed_or_stored(
        http_server: Any, store: Store, command: str) -> None:
    server = site(http_server())
    url = server.base_url.replace("http://", "http://reader:s3cret-pw@") + "/rss.xml"
    async with bot(store) as c:
        reply = await c.inbound.handle(cmd(command, url))
    assert reply.is_error and "s3cret-pw" not in reply.text and "reader" not in reply.text
    assert "password" in reply.text and "\n" not in reply.text.strip()
    assert not server.requests  # nothing was sent, credentials least of all
    assert await store.feeds.list_feeds() == []
