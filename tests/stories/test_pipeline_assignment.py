"""Story assignment at ingestion (bot/pipeline.py): every ready article gets a
story through the same service ``newsbot eval stories`` runs; a failing
embedder costs the story, never the article."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from bot.pipeline import Pipeline, story_config
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store
from tests.support.http_server import LoopbackServer, Response
from tests.support.http_server import http_server as http_server
from tests.test_pipeline import CountingSummarizer, feed_xml

T0_FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
T0_FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


class TopicEmbedder:
    """Stand-in for MiniLM: one axis per topic word found in the text."""

    topics = ("bridge", "heat", "library")

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str], *, max_tokens: int | None = None) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            low = text.lower()
            for axis, word in enumerate(self.topics):
                out[row, axis] = float(word in low)
            out[row, 10] = 0.05
            out[row] /= np.linalg.norm(out[row])
        return out


class BrokenEmbedder:
    def embed(self, texts: list[str], *, max_tokens: int | None = None) -> np.ndarray:
        raise RuntimeError("model exploded")


def page(title: str) -> str:
    body = f"{title}. " + "Officials gave details on the plan to residents at a meeting. " * 4
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p>" \
           f"<p>{body}</p></article></body></html>"


@pytest.fixture
def site(http_server: Any) -> LoopbackServer:
    server: LoopbackServer = http_server()
    base = server.base_url
    server.set("/a.xml", Response(feed_xml(base, [("/a-bridge", "Bridge reopens"),
                                                  ("/a-heat", "Heat warning")], "Outlet A"),
                                  content_type="application/rss+xml"))
    server.set("/b.xml", Response(feed_xml(base, [("/b-bridge", "Bridge reopens to traffic")],
                                           "Outlet B"), content_type="application/rss+xml"))
    server.set("/c.xml", Response(feed_xml(base, [("/c-heat", "Heat warning")], "Outlet C"),
                                  content_type="application/rss+xml"))
    for path, title in (("/a-bridge", "Bridge reopens"), ("/a-heat", "Heat warning"),
                        ("/b-bridge", "Bridge reopens to traffic"), ("/c-heat", "Heat warning")):
        server.set(path, Response(page(title), content_type="text/html; charset=utf-8"))
    return server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(Settings(fetch_allow_private_networks=True, fetch_timeout_s=5)) as f:
        yield f


async def test_ready_articles_join_or_start_stories(site: LoopbackServer, store: Store,
                                                    fetcher: Fetcher) -> None:
    settings = Settings(fetch_allow_private_networks=True)
    embedder = TopicEmbedder()
    pipe = Pipeline(settings, store, fetcher, CountingSummarizer(), embedder=lambda: embedder)
    for feed in ("/a.xml", "/b.xml"):
        await pipe.add_feed(site.url(feed))
    ready = await pipe.process_pending()
    assert len(ready) == 3 and embedder.calls == 3
    stories = {aid: await store.stories.story_of(aid) for aid in ready}
    assert all(stories.values())
    assert len(set(stories.values())) == 2  # both bridge articles in one story
    assert pipe.metrics.value("newsbot_stories_assigned_total", result="new") == 2
    assert pipe.metrics.value("newsbot_stories_assigned_total", result="merged") == 1


async def test_a_failing_embedder_costs_the_story_not_the_article(
        site: LoopbackServer, store: Store, fetcher: Fetcher, caplog: pytest.LogCaptureFixture) -> None:
    pipe = Pipeline(Settings(fetch_allow_private_networks=True), store, fetcher,
                    CountingSummarizer(), embedder=BrokenEmbedder)
    await pipe.add_feed(site.url("/a.xml"))
    ready = await pipe.process_pending()
    assert len(ready) == 2
    assert [await store.stories.story_of(aid) for aid in ready] == [None, None]
    warnings = [r for r in caplog.records if "no story assigned" in r.getMessage()]
    assert len(warnings) == 2 and "model exploded" in warnings[0].getMessage()
    assert all(r.exc_info is None for r in warnings)  # one line, no traceback


def test_settings_reach_the_story_config() -> None:
    config = story_config(Settings(story_window_hours=24, story_join=0.5))
    assert config.window == timedelta(hours=24) and config.join == 0.5
    with pytest.raises(ValueError):
        Settings(story_join=1.5)


async def test_a_syndicated_copy_joins_the_story_of_its_original(site: LoopbackServer, store: Store,
                                                                 fetcher: Fetcher) -> None:
    pipe = Pipeline(Settings(fetch_allow_private_networks=True), store, fetcher,
                    CountingSummarizer(), embedder=TopicEmbedder)
    await pipe.add_feed(site.url("/a.xml"))
    [_, heat] = sorted(await pipe.process_pending())
    await pipe.add_feed(site.url("/c.xml"))  # the same heat page, copied by another outlet
    assert await pipe.process_pending() == []  # a duplicate, not a new ready article
    counts = await store.articles.article_counts()
    assert counts.get("duplicate") == 1
    heat_story = await store.stories.story_of(heat)
    assert heat_story is not None
    states = await store.stories.stories_in_window(T0_FAR_PAST, T0_FAR_FUTURE)
    [state] = [s for s in states if s.story_id == str(heat_story)]
    assert state.size == 2
