"""Create-or-get under concurrency, on SQLite and PostgreSQL: no request fails
because another created the same row first, and nothing is lost.

The burst test goes through the real command path (python-telegram-bot polling
the fake Bot API, the core, the store); the store-level tests give each
concurrent caller its own :class:`Store` (own engine and connections, as
separate processes would have), so on PostgreSQL the transactions really
overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select

from bot.adapters.telegram import TelegramAdapter
from bot.domain import ChatRef
from bot.records import EntryRecord
from bot.store import Store
from bot.store.models import ArticleRow, ChatRow, FeedEntryRow, FeedRow, SubscriptionRow
from tests.e2e_support import core, news_site
from tests.support.fake_telegram import running_fake_telegram, telegram_settings
from tests.support.http_server import http_server as http_server

CHATS = 20
FAILURE_WORDS = ("went wrong", "Sorry", "try again")


def _no_model() -> Any:
    raise AssertionError("no command in this test needs the summarization model")


async def _count(store: Store, model: Any) -> int:
    async with store.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


@asynccontextmanager
async def _stores(store: Store, n: int) -> AsyncIterator[list[Store]]:
    """``n`` more stores on ``store``'s database (one engine each)."""
    others = [Store(store.url) for _ in range(n)]
    try:
        yield others
    finally:
        await asyncio.gather(*(o.close() for o in others))


async def test_burst_of_new_chats_subscribing_loses_nothing(http_server: Any, store: Store) -> None:
    """20 new chats each send /start and /subscribe (the same new feed) at once."""
    site = news_site(http_server())
    feed_url = site.url("/rss.xml")
    async with running_fake_telegram() as tg:
        for c in range(CHATS):
            tg.push_message(7000 + c, "/start")
            tg.push_message(7000 + c, f"/subscribe {feed_url}")
        adapter = TelegramAdapter(telegram_settings(tg, fetch_allow_private_networks=True),
                                  concurrent_updates=64)
        async with core(store, _no_model, {"telegram": adapter}) as c:
            await adapter.start(c.inbound)
            try:
                await tg.wait_for("sendMessage", 2 * CHATS, timeout=60)
            finally:
                await adapter.close()
    texts = [str(m["text"]) for m in tg.sent_messages()]
    failures = [t for t in texts if any(w in t for w in FAILURE_WORDS)]
    subscriptions = await _count(store, SubscriptionRow)
    print(f"\nburst ({store.db.dialect}): {len(failures)} of {len(texts)} replies failed, "
          f"{subscriptions}/{CHATS} subscriptions stored")
    assert failures == []
    assert sum("Subscribed to" in t for t in texts) == CHATS
    assert await _count(store, ChatRow) == CHATS
    assert subscriptions == CHATS
    assert await _count(store, FeedRow) == 1
    assert await _count(store, ArticleRow) == 2  # the feed's two entries, stored once


async def test_concurrent_upsert_chat_creates_one_row(store: Store) -> None:
    ref = ChatRef("telegram", "555")
    async with _stores(store, 8) as others:
        infos = await asyncio.gather(*(o.chats.upsert_chat(ref, "group", f"t{i}")
                                       for i, o in enumerate(others)))
    assert len({i.id for i in infos}) == 1
    assert await _count(store, ChatRow) == 1


async def test_concurrent_subscribe_and_add_feed(store: Store) -> None:
    ref = ChatRef("telegram", "556")
    await store.chats.upsert_chat(ref)
    async with _stores(store, 8) as others:
        feeds = await asyncio.gather(*(o.feeds.add_feed("https://example.org/rss") for o in others))
        assert len({f.id for f, _ in feeds}) == 1
        assert sum(created for _, created in feeds) == 1
        made = await asyncio.gather(*(o.chats.subscribe(ref, feeds[0][0].id) for o in others))
    assert sum(made) == 1
    assert await _count(store, SubscriptionRow) == 1


async def test_concurrent_entries_share_articles(store: Store) -> None:
    """Several feeds (and the same feed twice) bring the same articles at once:
    one article per canonical URL, one entry per (feed, GUID), each new
    article reported once."""
    feeds = [(await store.feeds.add_feed(f"https://example.org/{i}.xml"))[0].id for i in range(4)]
    entries = [EntryRecord(guid=f"g{n}", url=f"https://news.example/{n}",
                           canonical_url=f"https://news.example/{n}", title=f"Story {n}",
                           published=None, author=None, feed_text=None) for n in range(30)]
    async with _stores(store, 8) as others:
        results = await asyncio.gather(*(o.articles.add_entries(feeds[i % 4], entries)
                                         for i, o in enumerate(others)))
    new = [aid for ids in results for aid in ids]
    assert len(new) == len(set(new)) == 30
    assert await _count(store, ArticleRow) == 30
    assert await _count(store, FeedEntryRow) == 4 * 30
