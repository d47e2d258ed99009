"""store.stats: the read-only figures /readyz and /metrics use, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import utcnow
from bot.domain import ChatRef
from bot.errors import GoneKind
from bot.store import Store


async def test_figures(store: Store) -> None:
    await store.stats.ping()
    assert await store.stats.outbox_counts() == {}
    assert await store.stats.paused_chats() == {}
    assert await store.stats.failing_feeds() == 0

    tg, tg2, sl = ChatRef("telegram", "1"), ChatRef("telegram", "2"), ChatRef("slack", "C1")
    for ref in (tg, tg2, sl):
        await store.chats.upsert_chat(ref, "private", None)
    await store.outbox.queue_message(tg, [{"text": "a"}, {"text": "b"}], key="k1")
    await store.outbox.queue_message(tg2, [{"text": "c"}], key="k2")
    await store.outbox.queue_message(sl, [{"text": "d"}], key="k3")
    due = await store.outbox.due_deliveries(utcnow(), limit=10)
    by_chat = {item.chat.external_id: item for item in due}
    await store.outbox.mark_sent(by_chat["2"].id, "m1")
    await store.outbox.mark_failed(by_chat["C1"].id, "rejected")
    assert await store.stats.outbox_counts() == {("telegram", "pending"): 2,
                                                 ("slack", "failed"): 1}

    await store.chats.pause_chat(tg2, next(iter(GoneKind)), "blocked")
    assert await store.stats.paused_chats() == {"telegram": 1}

    await store.feeds.add_feed("https://example.com/ok.xml")  # never failed
    bad, _ = await store.feeds.add_feed("https://example.com/bad.xml")
    off, _ = await store.feeds.add_feed("https://example.com/off.xml")
    now = datetime.now(UTC)
    for feed in (bad, off):
        await store.feeds.record_fetch_error(feed.id, fetched_at=now, error="HTTP 500",
                                             next_poll_at=now)
    await store.feeds.set_feed_active(off.id, False)
    assert await store.stats.failing_feeds() == 1
