"""/metrics, scraped for real over HTTP after a poll of the demo feeds and a delivery.

The demo sites (bot/demo_server.py) are served on loopback; the pipeline, the
outbox, the rate limiter and the command dispatcher are the composition
root's (bot.app.services + wire), with a recording sender in place of
Telegram and a fast stand-in summarizer.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Bot, services, wire
from bot.cli import refresh
from bot.demo_server import DemoServer
from bot.digest.builder import queue_digest
from bot.domain import ChatRef, Command, Schedule
from bot.errors import RateLimited
from bot.health import Readiness
from bot.metrics import Metrics, PollCycle
from bot.settings import Settings
from bot.web import WebServer
from tests.delivery.fakes import RecordingSender
from tests.test_pipeline import CountingSummarizer

CHAT = ChatRef("telegram", "4242")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition, keyed by name and labels."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def wired(tmp_path: Path) -> AsyncIterator[tuple[Bot, RecordingSender, DemoServer]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'metrics.db'}",
                        fetch_allow_private_networks=True, fetch_timeout_s=5)
    first = [True]

    def one_429(_to: ChatRef, _payload: object, _n: int) -> BaseException | None:
        if first[0]:
            first[0] = False
            return RateLimited(0.05)
        return None

    sender = RecordingSender(platform="telegram", fault=one_429)
    with DemoServer() as demo:
        async with services(settings, summarizer=CountingSummarizer()) as svc:
            yield wire(svc, {"telegram": sender}), sender, demo  # type: ignore[dict-item]


async def scrape(metrics: Metrics, readiness: Readiness | None = None) -> tuple[str, int]:
    port = free_port()
    server = WebServer([], "127.0.0.1", port, metrics=metrics, readiness=readiness)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answer = await client.get("/metrics")
            assert answer.headers["content-type"].startswith("text/plain")
            return answer.text, answer.status_code
    finally:
        await server.stop()


async def test_counters_move_after_a_poll_and_a_delivery(
        wired: tuple[Bot, RecordingSender, DemoServer]) -> None:
    bot, sender, demo = wired
    store = bot.store
    before = samples((await scrape(bot.services.metrics))[0])
    assert value(before, "newsbot_feed_polls_total", outcome="ok") == 0

    for url in demo.feed_urls:
        feed, _ = await store.feeds.add_feed(url, None, None)
        await store.chats.upsert_chat(CHAT, "private", "reader")
        await store.chats.subscribe(CHAT, feed.id)
    await store.chats.set_schedule(CHAT, Schedule(mode="realtime"))
    await refresh(bot.services, feeds=await store.feeds.list_feeds(), show_progress=False)
    digest_id = await queue_digest(store, sender, CHAT)
    assert digest_id is not None
    queued = samples((await scrape(bot.services.metrics))[0])
    waiting = value(queued, "newsbot_outbox_messages", platform="telegram", status="pending")
    await bot.outbox.run_once()  # the first send is answered 429 and waits
    await asyncio.sleep(0.1)
    await bot.outbox.run_once()
    parts = len(sender.delivered)
    assert parts >= 1
    assert waiting == parts  # the gauge is read from the database at each scrape

    after = samples((await scrape(bot.services.metrics))[0])
    assert value(after, "newsbot_feed_polls_total", outcome="ok") == 2
    assert value(after, "newsbot_feed_polls_total", outcome="failed") == 0
    new = value(after, "newsbot_articles_new_total")
    assert new >= 4
    # the Northfield feed links one missing page on purpose: its feed text is used
    assert value(after, "newsbot_articles_fetched_total", text="feed") == 1
    assert value(after, "newsbot_articles_fetched_total", text="page") == new - 1
    assert value(after, "newsbot_articles_summarized_total") >= 1
    assert (value(after, "newsbot_summarize_seconds_count")
            == value(after, "newsbot_articles_summarized_total"))
    assert value(after, "newsbot_poll_cycle_seconds_count") == 1
    assert value(after, "newsbot_deliveries_total", platform="telegram", result="sent") == parts
    assert value(after, "newsbot_deliveries_total", platform="telegram",
                 result="rate_limited") == 1
    assert value(after, "newsbot_rate_limited_total", platform="telegram", scope="chat") == 1
    assert value(after, "newsbot_rate_limit_wait_seconds_total",
                 platform="telegram") == pytest.approx(0.05)
    # gauges read from the database at the scrape
    assert value(after, "newsbot_outbox_messages", platform="telegram", status="pending") == 0
    assert value(after, "newsbot_outbox_messages", platform="telegram", status="failed") == 0
    assert ("newsbot_outbox_messages",
            frozenset({("platform", "telegram"), ("status", "sent")})) not in after
    assert value(after, "newsbot_chats_paused", platform="telegram") == 0
    assert value(after, "newsbot_feeds_failing") == 0


async def test_commands_are_counted_by_name_with_unknown_names_bounded(
        wired: tuple[Bot, RecordingSender, DemoServer]) -> None:
    bot, _sender, _demo = wired
    for name in ("help", "help", "list", "no-such-command", "another-made-up-one"):
        await bot.inbound.handle(Command(name, (), CHAT))
    scraped = samples((await scrape(bot.services.metrics))[0])
    assert value(scraped, "newsbot_commands_total", command="help", platform="telegram",
                 outcome="ok") == 2
    assert value(scraped, "newsbot_commands_total", command="list", platform="telegram",
                 outcome="ok") == 1
    assert value(scraped, "newsbot_commands_total", command="other", platform="telegram",
                 outcome="error") == 2
    assert not any(labels and ("command", "no-such-command") in labels for _, labels in scraped)


async def test_a_failing_feed_and_a_paused_chat_show(
        wired: tuple[Bot, RecordingSender, DemoServer]) -> None:
    bot, _sender, demo = wired
    store = bot.store
    feed, _ = await store.feeds.add_feed(demo.base_url + "/no-such-feed.xml", None, None)
    await store.chats.upsert_chat(CHAT, "private", "reader")
    from bot.errors import GoneKind

    await store.chats.pause_chat(CHAT, next(iter(GoneKind)), "blocked the bot")
    await refresh(bot.services, feeds=[feed], show_progress=False)
    scraped = samples((await scrape(bot.services.metrics))[0])
    assert value(scraped, "newsbot_feed_polls_total", outcome="failed") == 1
    assert value(scraped, "newsbot_feeds_failing") == 1
    assert value(scraped, "newsbot_chats_paused", platform="telegram") == 1


async def test_scrape_still_serves_counters_when_the_database_is_down() -> None:
    metrics = Metrics()
    metrics.feed_polls.labels("ok").inc(3)

    async def down() -> object:
        raise OSError("connection refused")

    metrics.add_facts_source(down)  # type: ignore[arg-type]
    text, status = await scrape(metrics)
    assert status == 200
    scraped = samples(text)
    assert value(scraped, "newsbot_feed_polls_total", outcome="ok") == 3
    assert value(scraped, "newsbot_metrics_refresh_errors_total") == 1


def test_registries_are_isolated() -> None:
    a, b = Metrics(), Metrics()
    a.article_failed()
    assert a.value("newsbot_articles_failed_total") == 1
    assert b.value("newsbot_articles_failed_total") == 0


def test_poll_cycle_summary_line(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.pipeline import PollOutcome

    metrics = Metrics()
    log = logging.getLogger("test.cycle")
    with caplog.at_level(logging.DEBUG, logger="test.cycle"), PollCycle(metrics, log) as cycle:
        for i in range(3):
            metrics.feed_polled(PollOutcome(i, new_articles=(1, 2)))
        metrics.feed_polled(PollOutcome(9, error="HTTP 500", consecutive_failures=2))
        metrics.article_fetched(used_feed_text=True)
        metrics.article_fetched(used_feed_text=False)
    assert cycle.line == "polled 4 feeds: 6 new articles, 1 used feed text, 1 feed failing"
    assert [r.levelname for r in caplog.records] == ["INFO"]
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="test.cycle"), PollCycle(metrics, log):
        pass  # nothing due: no INFO line, no histogram sample
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
    assert metrics.value("newsbot_poll_cycle_seconds_count") == 1
    with PollCycle(metrics, log) as cycle:  # articles left from adding feeds, none polled
        metrics.article_fetched(used_feed_text=True)
        metrics.article_failed()
    assert cycle.line == "processed 1 article: 1 used feed text, 1 article failed"


def test_fixed_series_exist_at_zero_without_created_timestamps() -> None:
    metrics = Metrics()
    metrics.add_platform("slack")
    text = metrics.exposition().decode()
    scraped = samples(text)
    assert (("newsbot_feed_polls_total", frozenset({("outcome", "failed")})) in scraped)
    assert (("newsbot_deliveries_total", frozenset({("platform", "slack"), ("result", "failed")}))
            in scraped)
    assert "_created" not in text
    from bot import __version__

    assert value(scraped, "newsbot_build_info", version=__version__) == 1
