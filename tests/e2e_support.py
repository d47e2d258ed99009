"""Shared pieces of the end-to-end tests: a loopback news site and the core."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.app import Bot, Services, wire
from bot.domain import Platform
from bot.pipeline import Pipeline
from bot.ports import ChatPlatform
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store
from tests.support.http_server import LoopbackServer, Response

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOSTILE_TITLE = "Council <!channel> approves bridge & <b>more</b> <@U999>"


def news_site(server: LoopbackServer) -> LoopbackServer:
    """A feed with two articles; one title carries markup meant to be injected."""
    base = server.base_url
    items = [("/bridge", HOSTILE_TITLE), ("/heat", "Heatwave warning for the weekend")]
    entries = "".join(
        f"<item><title>{_xml(t)}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate><description>About {_xml(t)}.</description></item>"
        for p, t in items
    )
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Herald</title>'
            f"<link>{base}/</link>{entries}</channel></rss>")
    server.set("/rss.xml", Response(feed, content_type="application/rss+xml"))
    bridge = (FIXTURES / "pages" / "article_bridge.html").read_text()
    for plain in ("<h1>Council approves riverside pedestrian bridge</h1>",
                  "<title>Council approves riverside pedestrian bridge | The Riverside Herald</title>",
                  '<meta property="og:title" content="Council approves riverside pedestrian bridge">'):
        hostile = plain.replace("Council approves riverside pedestrian bridge", _xml(HOSTILE_TITLE))
        assert plain in bridge
        bridge = bridge.replace(plain, hostile)
    server.set("/bridge", Response(bridge, content_type="text/html; charset=utf-8"))
    server.set("/heat", Response((FIXTURES / "pages" / "article_heatwave.html").read_text(),
                                 content_type="text/html; charset=utf-8"))
    return server


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@asynccontextmanager
async def core(
    store: Store,
    summarizer: Any,
    platforms: Mapping[Platform, ChatPlatform] | None = None,
    *,
    embedder: Any = None,
    **settings: Any,
) -> AsyncIterator[Bot]:
    """The real core over ``store``, wired to ``platforms`` by the composition root
    (:func:`bot.app.wire`); feeds may be fetched from loopback. ``embedder``: an
    object with MiniLM's ``embed`` for story vectors and topics (none: lexical only)."""
    config = Settings(fetch_allow_private_networks=True, fetch_timeout_s=5, **settings)
    async with Fetcher(config) as fetcher:
        pipeline = Pipeline(config, store, fetcher, summarizer,
                            embedder=None if embedder is None else (lambda: embedder))
        yield wire(Services(config, store, fetcher, pipeline), platforms or {})
