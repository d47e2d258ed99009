"""Every real and broken feed in ../shared/eval/feeds through the real pipeline
(loopback HTTP, parsing, dedupe, store): none crashes it, each is either stored
or reported with one line, and one bad feed never stops the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store
from tests.conftest import EVAL_DIR
from tests.support.http_server import Response
from tests.support.http_server import http_server as http_server

FEEDS = sorted(p for p in (EVAL_DIR / "feeds").rglob("*") if p.is_file()) if (EVAL_DIR / "feeds").is_dir() else []


@pytest.mark.slow  # every shared eval feed
@pytest.mark.skipif(not FEEDS, reason="../shared/eval/feeds is not present")
async def test_every_eval_feed_is_stored_or_reported(http_server: Any, sqlite_store: Store) -> None:
    routes = {f"/f/{i}": Response(p.read_bytes(), content_type=None) for i, p in enumerate(FEEDS)}
    server = http_server(routes)
    for i in range(len(FEEDS)):
        await sqlite_store.feeds.add_feed(server.url(f"/f/{i}"))
    settings = Settings(fetch_allow_private_networks=True, fetch_timeout_s=10)
    async with Fetcher(settings) as fetcher:
        pipe = Pipeline(settings, sqlite_store, fetcher, lambda: None)  # type: ignore[arg-type,return-value]
        outcomes = await pipe.poll_feeds(await sqlite_store.feeds.list_feeds())
    assert len(outcomes) == len(FEEDS)
    ok = [o for o in outcomes if o.error is None]
    failed = [o for o in outcomes if o.error is not None]
    for o in failed:
        assert "\n" not in o.error and len(o.error) < 500  # type: ignore[operator]
    feeds = {f.id: f for f in await sqlite_store.feeds.list_feeds()}
    for o in failed:
        assert feeds[o.feed_id].last_error == o.error and feeds[o.feed_id].consecutive_failures == 1
    # most real feeds parse; the broken ones are a minority and are reported
    assert len(ok) >= 0.8 * len(FEEDS), [(Path(FEEDS[o.feed_id - 1]).name, o.error) for o in failed]
    assert sum(len(o.new_articles) for o in ok) > 500
