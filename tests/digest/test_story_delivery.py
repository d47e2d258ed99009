"""One item per story, on the real store (SQLite and PostgreSQL): the articles
of a story arrive from several feeds, the digest shows the story once with the
other outlets credited; a story a chat already has is not delivered again when
another outlet publishes it, and a substantial update is shown once, marked."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from bot.adapters.console import ConsoleAdapter
from bot.clock import utcnow
from bot.digest.builder import build_digest, queue_digest
from bot.domain import Article, ChatRef, ChatSettings, Quote, Summary
from bot.records import EntryRecord
from bot.store import Store
from bot.stories import ArticleInput, build_signature

CHAT = ChatRef("console", "local")
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

BRIDGE = ("Harbor bridge shut for six weeks of repairs",
          "The harbor bridge will close to traffic on Monday for six weeks while engineers "
          "replace corroded cables, the city transport office said.")
BRIDGE_B = ("Cable corrosion forces six-week closure of harbor crossing",
            "Engineers will replace corroded cables on the harbor bridge, which closes to traffic "
            "on Monday for six weeks, the transport office said on Sunday.")
BRIDGE_C = ("Harbor bridge closing six weeks for cable repairs",
            "The city's harbor bridge closes on Monday for six weeks so corroded cables can be "
            "replaced, the transport office said.")
BRIDGE_UPDATE = ("Harbor bridge reopens early after crews finish ahead of schedule",
                 "Crews finished ahead of schedule and traffic resumed Thursday; contractors "
                 "Kessler Marine earned a 400,000 euro bonus, mayor Ilse Brandt announced.")
LIBRARY = ("Library extends Friday opening hours", "The central library will stay open until "
           "nine on Fridays from December, the council said.")


def summary(points: int, quote: str | None = None, speaker: str = "Ana Ruiz") -> Summary:
    quotes = (Quote(quote, speaker, 0, len(quote)),) if quote else ()
    return Summary(key_points=tuple(f"Point {i}." for i in range(points)), quotes=quotes,
                   key_quotes=quotes, engine="test", language="en")


class World:
    """A chat following three outlets' feeds, on a real store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.feeds: dict[str, int] = {}
        self.count = 0

    async def setup(self) -> World:
        await self.store.chats.upsert_chat(CHAT)
        for outlet in ("Gazette", "Courier", "Herald"):
            feed, _ = await self.store.feeds.add_feed(f"https://{outlet.lower()}.example/rss",
                                                      title=outlet)
            await self.store.chats.subscribe(CHAT, feed.id)
            self.feeds[outlet] = feed.id
        return self

    async def publish(self, outlet: str, story: tuple[str, str], *, story_id: str | None,
                      hours: float = 0, points: int = 3, quote: str | None = None,
                      copy_of: int | None = None, assign: bool = True) -> tuple[int, str]:
        """A ready article from ``outlet``, put in ``story_id`` (None: a new story);
        ``copy_of`` makes it a copy of that article's text (a ``duplicate``)."""
        self.count += 1
        url = f"https://{outlet.lower()}.example/{self.count}"
        when = T0 + timedelta(hours=hours)
        title, text = story
        [article_id] = await self.store.articles.add_entries(self.feeds[outlet], [EntryRecord(
            guid=url, url=url, canonical_url=url, title=title, published=when, feed_text=text)])
        status = await self.store.articles.save_article(article_id, Article(
            url=url, title=title, text=text * (1 + points),
            fingerprint=f"fp{copy_of if copy_of is not None else self.count}",
            published=when, language="en", site_name=outlet), summary(points, quote))
        assert status == ("ready" if copy_of is None else "duplicate")
        if not assign:
            return article_id, ""
        signature = build_signature(ArticleInput(str(article_id), title, text, when, outlet, "en"),
                                    None)
        return article_id, await self.store.stories.save_assignment(signature, story_id)


async def test_one_item_per_story_with_the_other_outlets_credited(store: Store) -> None:
    world = await World(store).setup()
    first, story = await world.publish("Gazette", BRIDGE, story_id=None, points=2,
                                       quote="We had no choice")
    second, same = await world.publish("Courier", BRIDGE_B, story_id=story, hours=1, points=4)
    third, _ = await world.publish("Herald", BRIDGE_C, story_id=story, hours=2, points=1,
                                   quote="Six weeks is the minimum")
    assert same == story
    library, other = await world.publish("Herald", LIBRARY, story_id=None, hours=3)
    assert other != story

    await store.chats.update_chat_settings(CHAT, ChatSettings(layout="full"))  # 2 quotes
    built = await build_digest(store, CHAT)
    assert built is not None and built.digest is not None
    items = built.digest.stories
    assert len(items) == 2
    bridge = next(s for s in items if s.story_id == int(story))
    assert bridge.article_id == second and bridge.source == "Courier"  # the most complete
    assert bridge.outlet_count == 3 and bridge.also_reported_more == 0
    assert [name for name, _ in bridge.also_reported_by] == ["Gazette", "Herald"]
    assert all(url.startswith(f"https://{name.lower()}.example/")
               for name, url in bridge.also_reported_by)
    # Quotes come from any article of the story, each with its outlet.
    assert [(q.text, bridge.quote_source(i)) for i, q in enumerate(bridge.key_quotes)] == [
        ("We had no choice", "Gazette"), ("Six weeks is the minimum", "Herald")]
    assert not bridge.is_update
    # The story with three outlets ranks above the lone newer one.
    assert items[0].story_id == int(story)
    assert sorted(built.article_ids) == sorted([first, second, third, library])


async def test_a_delivered_story_is_not_delivered_again_by_a_later_outlet(store: Store) -> None:
    world = await World(store).setup()
    _, story = await world.publish("Gazette", BRIDGE, story_id=None)
    sender = ConsoleAdapter(io.StringIO())
    assert await queue_digest(store, sender, CHAT) is not None

    # Another outlet tells the same story later, in other words: nothing new for this chat.
    late, _ = await world.publish("Courier", BRIDGE_C, story_id=story, hours=5)
    built = await build_digest(store, CHAT)
    assert built is not None and built.digest is None and built.article_ids == [late]
    assert await queue_digest(store, sender, CHAT) is None
    assert await store.digests.unseen_stories(CHAT) == []  # marked as given, not pending forever

    # A new story beside a repeat: only the new one is shown, both are given.
    repeat, _ = await world.publish("Herald", BRIDGE_B, story_id=story, hours=6)
    fresh, _ = await world.publish("Herald", LIBRARY, story_id=None, hours=6)
    built = await build_digest(store, CHAT)
    assert built is not None and built.digest is not None
    assert [s.article_id for s in built.digest.stories] == [fresh]
    assert sorted(built.article_ids) == sorted([repeat, fresh])


async def test_a_substantial_update_is_shown_once_marked(store: Store) -> None:
    world = await World(store).setup()
    await world.publish("Herald", LIBRARY, story_id=None)  # other news, for word statistics
    _, story = await world.publish("Gazette", BRIDGE, story_id=None)
    sender = ConsoleAdapter(io.StringIO())
    assert await queue_digest(store, sender, CHAT) is not None

    update, _ = await world.publish("Courier", BRIDGE_UPDATE, story_id=story, hours=30)
    rewrite, _ = await world.publish("Herald", BRIDGE_C, story_id=story, hours=31)
    # Updates can be turned off: then nothing of the story comes back.
    off = await build_digest(store, CHAT, update_novelty=1.0)
    assert off is not None and off.digest is None

    built = await build_digest(store, CHAT)
    assert built is not None and built.digest is not None
    [item] = built.digest.stories
    assert item.is_update and item.article_id == update and item.story_id == int(story)
    digest_id = await queue_digest(store, sender, CHAT)
    assert digest_id is not None
    queued = [d.payload["text"] for d in await store.outbox.due_deliveries(utcnow())
              if d.digest_id == digest_id]
    assert any("Update: Harbor bridge reopens early" in text for text in queued)

    # A second update of the same story is not shown: one update per story.
    await world.publish("Herald", ("Bridge contractor bonus questioned by auditors",
                                   "Auditors asked why Kessler Marine's 400,000 euro bonus was "
                                   "approved without a tender, documents show."),
                        story_id=story, hours=40)
    again = await build_digest(store, CHAT)
    assert again is not None and again.digest is None
    assert rewrite not in again.article_ids  # given with the update's digest


async def test_a_syndicated_copy_is_credited_or_shown_where_it_is_the_only_one(store: Store) -> None:
    world = await World(store).setup()
    original, story = await world.publish("Gazette", BRIDGE, story_id=None)
    copy, same = await world.publish("Courier", BRIDGE, story_id=story, hours=1, copy_of=1)
    assert same == story
    # Without a story, a duplicate stays hidden as before.
    await world.publish("Herald", BRIDGE, story_id=None, hours=2, copy_of=1, assign=False)
    built = await build_digest(store, CHAT)
    assert built is not None and built.digest is not None
    [item] = built.digest.stories
    assert item.article_id == original and item.also_reported_by[0][0] == "Courier"
    assert sorted(built.article_ids) == [original, copy]
    # A chat following only the outlet that copied the text gets the story from it.
    other = ChatRef("console", "courier-only")
    await store.chats.upsert_chat(other)
    await store.chats.subscribe(other, world.feeds["Courier"])
    only = await build_digest(store, other)
    assert only is not None and only.digest is not None
    assert [s.article_id for s in only.digest.stories] == [copy]


async def test_digests_built_at_the_same_moment_never_give_a_story_twice(store: Store) -> None:
    """A realtime digest, a /digest and a second process's digest for one chat at
    once: each story goes out in exactly one of them, and none is lost."""
    import asyncio

    world = await World(store).setup()
    await world.publish("Gazette", BRIDGE, story_id=None)
    await world.publish("Herald", LIBRARY, story_id=None, hours=1)
    sender = ConsoleAdapter(stream=io.StringIO())
    ids = await asyncio.gather(*(queue_digest(store, sender, CHAT) for _ in range(4)))
    made = [i for i in ids if i is not None]
    assert len(made) == 1, ids
    # later articles still reach the chat, once
    await world.publish("Courier", BRIDGE_UPDATE, story_id=None, hours=2)
    ids = await asyncio.gather(*(queue_digest(store, sender, CHAT) for _ in range(4)))
    assert len([i for i in ids if i is not None]) == 1, ids
    import json

    from sqlalchemy import text

    async with store.session() as s:
        rows = (await s.execute(text("SELECT payload FROM deliveries ORDER BY id"))).all()
    texts = " ".join(str((json.loads(p) if isinstance(p, str) else p).get("text", ""))
                     for (p,) in rows)
    for title in (BRIDGE[0], LIBRARY[0], BRIDGE_UPDATE[0]):
        assert texts.count(title) == 1, title
