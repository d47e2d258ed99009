"""The pipeline end to end on loopback: feed -> store -> pages -> summaries -> digest."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.digest.builder import queue_digest
from bot.domain import ChatRef, Quote, Summary
from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store
from tests.support.http_server import LoopbackServer, Response
from tests.support.http_server import http_server as http_server

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class CountingSummarizer:
    """Deterministic stand-in: first sentences as key points; counts calls."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def summarize(self, text: str, title: str | None = None, language: str | None = None,
                  max_points: int = 3, max_quotes: int = 2) -> Summary:
        self.calls += 1
        points = tuple(s.strip() + "." for s in text.split(".") if len(s.split()) > 3)[:max_points]
        q = Quote("a quote", "Someone", 0, 7)
        return Summary(points, (q,), (q,), self.name, language)


def feed_xml(base: str, items: list[tuple[str, str]], title: str = "Loopback News") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{path}?utm_source=rss</link>"
        f"<guid>{base}{path}</guid><pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate>"
        f"<description>Feed text for {t}.</description></item>"
        for path, t in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link>{entries}</channel></rss>")


@pytest.fixture
def site(http_server: Any) -> LoopbackServer:
    server: LoopbackServer = http_server()
    base = server.base_url
    bridge = (FIXTURES / "pages" / "article_bridge.html").read_text()
    heat = (FIXTURES / "pages" / "article_heatwave.html").read_text()
    server.set("/rss.xml", Response(feed_xml(base, [("/bridge", "Council approves bridge"),
                                                     ("/heat", "Heatwave warning"),
                                                     ("/gone", "A page that is gone")]),
                                    content_type="application/rss+xml", etag='"v1"'))
    server.set("/other.xml", Response(feed_xml(base, [("/bridge", "Bridge approved")], "Other Outlet"),
                                      content_type="application/rss+xml"))
    server.set("/bridge", Response(bridge, content_type="text/html; charset=utf-8"))
    server.set("/heat", Response(heat, content_type="text/html; charset=utf-8"))
    server.set("/gone", Response("not here", status=404))
    return server


@pytest.fixture
async def pipeline(store: Store) -> AsyncIterator[tuple[Pipeline, CountingSummarizer]]:
    settings = Settings(fetch_allow_private_networks=True, fetch_timeout_s=5)
    summarizer = CountingSummarizer()
    async with Fetcher(settings) as fetcher:
        yield Pipeline(settings, store, fetcher, summarizer), summarizer


async def test_feed_to_console_digest(site: LoopbackServer, pipeline: tuple[Pipeline, CountingSummarizer],
                                      store: Store) -> None:
    pipe, summarizer = pipeline
    feed, created = await pipe.add_feed(site.url("/rss.xml"))
    assert created and feed.title == "Loopback News"
    other, _ = await pipe.add_feed(site.url("/other.xml"))
    ready = await pipe.process_pending()
    # bridge (shared by both feeds) and heat are extracted; /gone 404s -> feed text fallback
    counts = await store.articles.article_counts()
    assert counts.get("ready") == 3 and len(ready) == 3
    assert summarizer.calls == 3  # the shared article is summarized once
    assert len(site.requests_to("/bridge")) == 1

    chat = ChatRef("console", "test")
    await store.chats.upsert_chat(chat)
    await store.chats.subscribe(chat, feed.id)
    await store.chats.subscribe(chat, other.id)
    out = io.StringIO()
    console = ConsoleAdapter(out)
    assert await queue_digest(store, console, chat) is not None
    from bot.delivery.outbox import Outbox

    await Outbox(store, {"console": console}).run_once()
    printed = out.getvalue()
    assert "Council approves riverside pedestrian bridge" in printed
    assert printed.count("Council approves riverside pedestrian bridge") == 1  # two feeds, one story
    assert "“a quote” — Someone" in printed
    # nothing new -> no second digest
    assert await queue_digest(store, console, chat) is None


async def _notes(store: Store) -> str:
    from sqlalchemy import select

    from bot.store.models import ArticleRow

    async with store.session() as s:
        return " ".join(n or "" for n in await s.scalars(select(ArticleRow.extraction_note)))


async def test_repoll_uses_conditional_get_and_creates_nothing(
        site: LoopbackServer, pipeline: tuple[Pipeline, CountingSummarizer], store: Store) -> None:
    pipe, _ = pipeline
    feed, _ = await pipe.add_feed(site.url("/rss.xml"))
    info = await store.feeds.get_feed(feed.id)
    assert info is not None
    first = await pipe.poll_feed(info)  # a full fetch: nothing new, the ETag is kept
    assert not first.not_modified and first.new_articles == ()
    info = await store.feeds.get_feed(feed.id)
    assert info is not None and info.etag == '"v1"'
    outcome = await pipe.poll_feed(info)
    assert outcome.not_modified and outcome.new_articles == ()
    assert site.requests_to("/rss.xml")[-1].headers.get("if-none-match") == '"v1"'
    assert (await store.articles.article_counts()) == {"pending": 3}


async def test_fallback_to_feed_text_records_why(site: LoopbackServer,
                                                 pipeline: tuple[Pipeline, CountingSummarizer],
                                                 store: Store) -> None:
    pipe, _ = pipeline
    await pipe.add_feed(site.url("/rss.xml"))
    await pipe.process_pending()
    notes = await _notes(store)
    assert "404" in notes


async def test_a_feed_that_is_down_is_counted_and_backed_off(
        site: LoopbackServer, pipeline: tuple[Pipeline, CountingSummarizer], store: Store) -> None:
    pipe, _ = pipeline
    feed, _ = await pipe.add_feed(site.url("/rss.xml"))
    site.set("/rss.xml", Response("boom", status=500))
    info = await store.feeds.get_feed(feed.id)
    assert info is not None
    outcome = await pipe.poll_feed(info)
    assert outcome.error and "500" in outcome.error and outcome.consecutive_failures == 1
    after = await store.feeds.get_feed(feed.id)
    assert after and after.last_error and after.next_poll_at and after.next_poll_at > after.last_fetched_at  # type: ignore[operator]


async def test_not_a_feed_is_one_clear_error(http_server: Any,
                                             pipeline: tuple[Pipeline, CountingSummarizer]) -> None:
    from bot.errors import FeedError

    pipe, _ = pipeline
    bare = http_server({"/page": Response("<html><body><p>Just a page.</p></body></html>",
                                          content_type="text/html")})
    with pytest.raises(FeedError) as err:
        await pipe.add_feed(bare.url("/page"))
    assert "\n" not in str(err.value)


async def test_private_address_refused_without_opt_in(site: LoopbackServer, store: Store) -> None:
    from bot.errors import UnsafeURLError

    settings = Settings(fetch_allow_private_networks=False)
    async with Fetcher(settings) as fetcher:
        pipe = Pipeline(settings, store, fetcher, CountingSummarizer())
        with pytest.raises(UnsafeURLError):
            await pipe.summarize_url(site.url("/bridge"))


async def test_layout_setting_reaches_the_digest(site: LoopbackServer,
                                                 pipeline: tuple[Pipeline, CountingSummarizer],
                                                 store: Store) -> None:
    from bot.digest.builder import build_digest
    from bot.domain import ChatSettings

    pipe, _ = pipeline
    feed, _ = await pipe.add_feed(site.url("/rss.xml"))
    await pipe.process_pending()
    chat = ChatRef("telegram", "9")
    await store.chats.upsert_chat(chat)
    await store.chats.subscribe(chat, feed.id)
    await store.chats.update_chat_settings(chat, ChatSettings(key_points=1, show_quotes=False,
                                                        one_message_per_story=True, max_stories=1))
    built = await build_digest(store, chat)
    assert built is not None and built.digest is not None
    digest, ids = built.digest, built.article_ids
    assert digest.one_message_per_story and len(digest.stories) == 1 and digest.more_count == 2
    assert len(ids) == 3 and len(digest.more_links) == 2
    story = digest.stories[0]
    assert len(story.key_points) <= 1 and story.key_quotes == ()
