"""The store against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect

from bot.clock import utcnow
from bot.domain import Article, ChatRef, ChatSettings, Quote, Schedule, Summary
from bot.errors import GoneKind
from bot.records import EntryRecord, FetchState
from bot.store import Store

SUMMARY = Summary(
    key_points=("First point.", "Second point."),
    quotes=(Quote("We will win", "Jane Doe", 10, 21),),
    key_quotes=(Quote("We will win", "Jane Doe", 10, 21),),
    engine="test",
    language="en",
)


def entry(n: int, url: str | None = None, guid: str | None = None) -> EntryRecord:
    u = url or f"https://news.example/{n}"
    return EntryRecord(guid=guid or u, url=u, canonical_url=u, title=f"Story {n}",
                       published=datetime(2026, 1, 1, tzinfo=UTC), feed_text=f"Text {n}")


def article(url: str, text: str, fp: str) -> Article:
    return Article(url=url, title="T", text=text, fingerprint=fp, language="en")


async def test_migrations_create_every_table(store: Store) -> None:
    def tables(conn):  # type: ignore[no-untyped-def]
        return set(inspect(conn).get_table_names())

    async with store.engine.connect() as conn:
        names = await conn.run_sync(tables)
    assert {"feeds", "articles", "feed_entries", "summaries", "chats", "subscriptions",
            "digests", "deliveries", "chat_articles", "alembic_version"} <= names


async def test_feed_added_once(store: Store) -> None:
    feed, created = await store.feeds.add_feed("https://a.example/rss", "A")
    again, created_again = await store.feeds.add_feed("https://a.example/rss")
    assert created and not created_again and feed.id == again.id
    assert [f.url for f in await store.feeds.list_feeds()] == ["https://a.example/rss"]
    assert (await store.feeds.find_feed(str(feed.id))) == feed
    assert await store.feeds.remove_feed(feed.id)
    assert await store.feeds.list_feeds() == []


async def test_repolling_and_second_feed_create_no_duplicates(store: Store) -> None:
    a, _ = await store.feeds.add_feed("https://a.example/rss")
    b, _ = await store.feeds.add_feed("https://b.example/rss")
    new = await store.articles.add_entries(a.id, [entry(1), entry(2), entry(2)])
    assert len(new) == 2
    assert await store.articles.add_entries(a.id, [entry(1), entry(2)]) == []  # re-poll
    # feed b carries story 2 under another GUID: linked, not duplicated
    assert await store.articles.add_entries(b.id, [entry(2, guid="b-guid-2"), entry(3)]) != []
    counts = await store.articles.article_counts()
    assert counts == {"pending": 3}
    feeds = {f.url: f for f in await store.feeds.list_feeds()}
    assert feeds["https://a.example/rss"].item_count == 2
    assert feeds["https://b.example/rss"].item_count == 2


async def test_same_content_is_summarized_once_and_marked_duplicate(store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://a.example/rss")
    ids = await store.articles.add_entries(feed.id, [entry(1), entry(2)])
    assert await store.articles.save_article(ids[0], article("https://news.example/1", "same", "fp1"), SUMMARY) == "ready"
    assert await store.articles.get_summary("fp1") == SUMMARY
    assert await store.articles.save_article(ids[1], article("https://news.example/2", "same", "fp1"), None) == "duplicate"
    assert (await store.articles.article_counts()) == {"ready": 1, "duplicate": 1}


async def test_fetch_state_and_backoff_bookkeeping(store: Store) -> None:
    feed, _ = await store.feeds.add_feed("https://a.example/rss")
    now = utcnow()
    assert [f.id for f in await store.feeds.due_feeds(now)] == [feed.id]
    n = await store.feeds.record_fetch_error(feed.id, fetched_at=now, error="HTTP 500",
                                       next_poll_at=now + timedelta(minutes=30))
    assert n == 1
    assert await store.feeds.due_feeds(now) == []
    await store.feeds.record_fetch_ok(feed.id, FetchState(
        fetched_at=now, next_poll_at=now, etag='"x"',
        last_modified="Tue, 01 Jan 2026 00:00:00 GMT", title="A feed"))
    info = await store.feeds.get_feed(feed.id)
    assert info and info.consecutive_failures == 0 and info.etag == '"x"' and info.title == "A feed"
    assert info.last_error is None


async def test_chat_settings_schedule_subscriptions(store: Store) -> None:
    ref = ChatRef("telegram", "42")
    chat = await store.chats.upsert_chat(ref, "group", "Team")
    assert chat.settings == ChatSettings() and chat.schedule == Schedule()
    await store.chats.update_chat_settings(ref, ChatSettings(key_points=5, show_quotes=False))
    await store.chats.set_schedule(ref, Schedule("daily", 7, 30, "Europe/Berlin"))
    feed, _ = await store.feeds.add_feed("https://a.example/rss")
    assert await store.chats.subscribe(ref, feed.id)
    assert not await store.chats.subscribe(ref, feed.id)
    got = await store.chats.get_chat(ref)
    assert got and got.settings.key_points == 5 and got.schedule.timezone == "Europe/Berlin"
    assert [f.id for f in await store.chats.subscriptions(ref)] == [feed.id]
    assert [c.ref for c in await store.chats.subscribers(feed.id)] == [ref]
    await store.chats.migrate_chat(ref, "-10042")
    assert await store.chats.get_chat(ref) is None
    moved = ChatRef("telegram", "-10042")
    assert [f.id for f in await store.chats.subscriptions(moved)] == [feed.id]
    await store.chats.pause_chat(moved, GoneKind.BLOCKED, "bot was blocked")
    assert await store.chats.subscribers(feed.id) == []
    assert await store.chats.unsubscribe(moved, feed.id)


async def test_digest_outbox_lifecycle(store: Store) -> None:
    ref = ChatRef("telegram", "7")
    await store.chats.upsert_chat(ref)
    feed, _ = await store.feeds.add_feed("https://a.example/rss")
    await store.chats.subscribe(ref, feed.id)
    ids = await store.articles.add_entries(feed.id, [entry(1), entry(2)])
    for i, aid in enumerate(ids):
        await store.articles.save_article(aid, article(f"https://news.example/{i}", f"text {i}", f"fp{i}"), SUMMARY)
    stories = await store.digests.unseen_stories(ref)
    assert sorted(s.article_id for s in stories) == sorted(ids)
    assert stories[0].summary == SUMMARY

    digest_id = await store.digests.create_digest(ref, ids, [{"text": "a"}, {"text": "b"}], slot="2026-01-01T08:00")
    assert digest_id is not None
    assert await store.digests.create_digest(ref, ids, [{"text": "a"}], slot="2026-01-01T08:00") is None
    assert await store.digests.unseen_stories(ref) == []

    due = await store.outbox.due_deliveries(utcnow())
    assert [d.part for d in due] == [0, 1]
    assert due[0].idempotency_key == f"telegram:7:{digest_id}:0"
    await store.outbox.mark_sent(due[0].id, "m1")
    await store.outbox.mark_retry(due[1].id, next_attempt_at=utcnow() + timedelta(hours=1), error="429")
    assert await store.outbox.due_deliveries(utcnow()) == []
    await store.outbox.mark_failed(due[1].id, "gave up after 5 attempts: HTTP 500")
    status = await store.outbox.outbox_status()
    assert (status.pending, status.sent, status.failed) == (0, 1, 1)
    assert status.failures[0][2].startswith("gave up")


async def test_two_processes_building_the_same_slot_create_one_digest(store: Store) -> None:
    """The scheduler of two overlapping processes fires the same slot at once: one
    digest, the other call returns None without an error, on both databases."""
    import asyncio

    ref = ChatRef("telegram", "8")
    await store.chats.upsert_chat(ref)
    results = await asyncio.gather(*(
        store.digests.create_digest(ref, [], [{"text": f"copy {i}"}], slot="2026-01-02T08:00")
        for i in range(4)
    ))
    assert sum(r is not None for r in results) == 1
    due = await store.outbox.due_deliveries(utcnow())
    assert len(due) == 1
