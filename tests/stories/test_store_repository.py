"""The SQL story repository (bot/store/stories.py) on SQLite and PostgreSQL:
the same contract as the in-memory one, compact vectors, and the story index
rebuilt from the database window after a restart."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from bot.records import EntryRecord
from bot.store import Store
from bot.store.models import StoryArticleRow, StoryRow
from bot.stories import StoryAssigner, StoryConfig
from tests.stories.helpers import T0, sig, unit


async def articles(store: Store, n: int) -> list[int]:
    feed, _ = await store.feeds.add_feed("https://wire.example/rss")
    entries = [EntryRecord(guid=f"g{i}", url=f"https://wire.example/{i}",
                           canonical_url=f"https://wire.example/{i}", title=f"Story {i}",
                           published=T0) for i in range(n)]
    return await store.articles.add_entries(feed.id, entries)


async def test_save_creates_joins_and_keeps_the_first_story(store: Store) -> None:
    a, b, c = map(str, await articles(store, 3))
    repo = store.stories
    first = await repo.save_assignment(sig(a, unit(1, 0.1), outlet="Gazette"), None)
    joined = await repo.save_assignment(sig(b, unit(1, 0.2), hours=2, outlet="Courier"), first)
    assert joined == first
    # Saving an article again keeps its story, whatever is asked.
    assert await repo.save_assignment(sig(b, unit(0, 1), outlet="Courier"), None) == first
    same_outlet = await repo.save_assignment(sig(c, unit(1, 0.15), hours=3, outlet="Gazette"), first)
    assert same_outlet == first
    async with store.session() as s:
        row = await s.get(StoryRow, int(first))
        assert row is not None
        assert (row.size, row.outlet_count, sorted(row.outlets)) == (3, 2, ["Courier", "Gazette"])
        assert row.first_seen == T0 and row.last_seen == T0 + timedelta(hours=3)
        assert row.centroid_sum is not None and len(row.centroid_sum) == 384 * 2  # float16
        members = list(await s.scalars(select(StoryArticleRow).order_by(StoryArticleRow.article_id)))
        assert [m.story_id for m in members] == [int(first)] * 3
        assert all(m.vector is not None and len(m.vector) == 768 for m in members)
    assert await repo.story_of(int(a)) == int(first)


async def test_an_unknown_story_id_starts_a_story(store: Store) -> None:
    [a] = map(str, await articles(store, 1))
    story = await store.stories.save_assignment(sig(a, None, title="Solo", text="words here"), "999")
    assert story != "999"


async def test_window_read_back_matches_what_was_saved(store: Store) -> None:
    ids = list(map(str, await articles(store, 4)))
    repo = store.stories
    story = await repo.save_assignment(sig(ids[0], unit(1, 0.1), outlet="A",
                                           title="Bridge closes", text="The harbor bridge closes"), None)
    await repo.save_assignment(sig(ids[1], unit(1, 0.3), hours=1, outlet="B"), story)
    old = await repo.save_assignment(sig(ids[2], unit(0, 1), hours=-24 * 10, outlet="C"), None)
    [state] = await repo.stories_in_window(T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert state.story_id == story and state.size == 2 and state.outlets == {"A", "B"}
    assert [m.article_id for m in state.members] == ids[:2]
    expected = unit(1, 0.1) + unit(1, 0.3)
    assert state.centroid is not None
    assert float(state.centroid @ (expected / np.linalg.norm(expected))) > 0.9999
    assert "harbor" in state.words and state.term_sum.get("bridge") == 2
    everything = await repo.stories_in_window(T0 - timedelta(days=30), T0 + timedelta(days=1))
    assert {s.story_id for s in everything} == {story, old}


async def test_a_restarted_assigner_finds_stories_in_the_database(store: Store) -> None:
    ids = list(map(str, await articles(store, 3)))
    config = StoryConfig(sparse_weight=0.0)
    first = StoryAssigner(store.stories, config)
    a = await first.assign(sig(ids[0], unit(1, 0.1), outlet="A"))
    assert a.created
    # A new process: its index is empty until it warms from the database,
    # which assign does by itself for the article's dates.
    second = StoryAssigner(store.stories, config)
    b = await second.assign(sig(ids[1], unit(1, 0.12), hours=5, outlet="B"))
    assert b.story_id == a.story_id and not b.created and b.decision.reason == "joined"
    # Outside the window (a week later): a new story, also after a restart.
    third = StoryAssigner(store.stories, config)
    c = await third.assign(sig(ids[2], unit(1, 0.11), hours=24 * 7, outlet="C"))
    assert c.created and c.story_id != a.story_id


async def test_two_processes_see_each_others_stories(store: Store) -> None:
    """Two assigners over one database (two workers): each catches up with
    what the other assigned before deciding, so a rewrite joins the story the
    other process started, and the same event is not split."""
    ids = list(map(str, await articles(store, 4)))
    config = StoryConfig(sparse_weight=0.0)
    one, two = StoryAssigner(store.stories, config), StoryAssigner(store.stories, config)
    first = await one.assign(sig(ids[0], unit(0, 1), outlet="A"))  # both have warmed by now
    await two.assign(sig(ids[1], unit(0, 0, 1), outlet="B"))
    a = await one.assign(sig(ids[2], unit(1, 0.1), hours=1, outlet="A"))
    b = await two.assign(sig(ids[3], unit(1, 0.12), hours=2, outlet="C"))
    assert b.story_id == a.story_id and not b.created
    assert first.story_id != a.story_id
    [state] = [s for s in await store.stories.stories_in_window(T0, T0 + timedelta(hours=3))
               if s.story_id == a.story_id]
    assert state.size == 2 and state.outlets == {"A", "C"}
    # The other process's index followed: the story has 2 articles there too.
    await one.assign(sig(str((await articles_more(store))[0]), unit(1, 0.11), hours=3, outlet="D"))
    known = one.clusterer.index.get(a.story_id)
    assert known is not None and known.size == 3


async def articles_more(store: Store) -> list[int]:
    feed, _ = await store.feeds.add_feed("https://more.example/rss")
    return await store.articles.add_entries(feed.id, [EntryRecord(
        guid="m1", url="https://more.example/1", canonical_url="https://more.example/1",
        title="More", published=T0)])
