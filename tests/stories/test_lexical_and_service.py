"""The lexical rule for languages without embeddings, and the async service."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.stories import MemoryStoryRepository, StoryAssigner, StoryConfig
from tests.stories.helpers import T0, sig, unit

FIRE_A = ("Großbrand in Lissabonner Lagerhallen am Hafen",
          "Ein Großbrand hat in der Nacht mehrere Lagerhallen am Hafen von Lissabon zerstört; "
          "200 Anwohner mussten ihre Wohnungen verlassen, teilte die Feuerwehr mit.")
FIRE_B = ("Feuer zerstört Lagerhallen am Lissabonner Hafen",
          "Die Feuerwehr meldete, dass in der Nacht Lagerhallen am Hafen von Lissabon "
          "niederbrannten; rund 200 Anwohner wurden aus ihren Wohnungen gebracht.")
STRIKE = ("Streik legt Lissabonner U-Bahn lahm",
          "Die Beschäftigten der Lissabonner U-Bahn haben am Dienstag wegen eines Lohnstreits "
          "die Arbeit niedergelegt, teilte die Gewerkschaft mit.")


def assign_all(config: StoryConfig, *articles) -> list[str]:
    async def go() -> list[str]:
        assigner = StoryAssigner(MemoryStoryRepository(config), config)
        return [(await assigner.assign(a)).story_id for a in articles]

    return asyncio.run(go())


def test_non_english_rewrite_merges_by_shared_words() -> None:
    ids = assign_all(StoryConfig(), sig("a", None, language="de", title=FIRE_A[0], text=FIRE_A[1]),
                     sig("b", None, language="de", hours=1, title=FIRE_B[0], text=FIRE_B[1]))
    assert ids[0] == ids[1]


def test_non_english_different_event_same_city_stays_apart() -> None:
    ids = assign_all(StoryConfig(), sig("a", None, language="de", title=FIRE_A[0], text=FIRE_A[1]),
                     sig("s", None, language="de", hours=1, title=STRIKE[0], text=STRIKE[1]))
    assert ids[0] != ids[1]


def test_lexical_rule_keeps_languages_and_window() -> None:
    config = StoryConfig()
    ids = assign_all(config, sig("a", None, language="de", title=FIRE_A[0], text=FIRE_A[1]),
                     sig("b", None, language="nl", hours=1, title=FIRE_A[0], text=FIRE_A[1]),
                     sig("c", None, language="de", hours=24 * 8, title=FIRE_A[0], text=FIRE_A[1]))
    assert len(set(ids)) == 3


def test_an_english_article_without_a_vector_uses_the_lexical_rule() -> None:
    ids = assign_all(StoryConfig(), sig("a", None, title="Fire guts Lisbon dock warehouses overnight",
                                        text="A fire destroyed warehouses at the Lisbon docks overnight."),
                     sig("b", None, hours=1, title="Lisbon dock warehouses gutted by overnight fire",
                         text="Warehouses at the Lisbon docks were destroyed by a fire overnight."))
    assert ids[0] == ids[1]


def test_service_saves_idempotently_and_warms_from_the_store() -> None:
    config = StoryConfig(sparse_weight=0.0)
    repository = MemoryStoryRepository(config)

    async def go() -> None:
        first = StoryAssigner(repository, config)
        a = await first.assign(sig("a", unit(1, 0.1)))
        assert a.created
        again = await first.assign(sig("a", unit(1, 0.1)))
        assert again.story_id == a.story_id  # the same article keeps its story
        # A restarted process knows the story from the store alone.
        second = StoryAssigner(repository, config)
        assert await second.warm(T0 + timedelta(hours=5)) == 1
        b = await second.assign(sig("b", unit(1, 0.12), hours=5, outlet="B"))
        assert b.story_id == a.story_id and not b.created
        saved = repository.stories[a.story_id]
        assert saved.outlets == {"A", "B"} and saved.size == 2
        assert second.clusterer.index.get(a.story_id).size == 2

    asyncio.run(go())


def test_concurrent_assignments_never_split_a_story() -> None:
    config = StoryConfig(sparse_weight=0.0)

    async def go() -> set[str]:
        assigner = StoryAssigner(MemoryStoryRepository(config), config)
        results = await asyncio.gather(*(assigner.assign(sig(f"x{i}", unit(1, 0.01 * i), hours=i / 10))
                                         for i in range(10)))
        return {r.story_id for r in results}

    assert len(asyncio.run(go())) == 1


def test_catching_up_never_brings_back_an_evicted_story() -> None:
    """Evicted stories stay out of the index (and out of the word statistics),
    however recently the repository saved them."""
    config = StoryConfig(sparse_weight=0.0)

    async def go() -> None:
        assigner = StoryAssigner(MemoryStoryRepository(config), config)
        old = await assigner.assign(sig("old", unit(1, 0.1)))
        await assigner.assign(sig("new", unit(0, 1), hours=24 * 10))
        documents = assigner.clusterer.stats("en").documents
        await assigner.assign(sig("newer", unit(0, 0, 1), hours=24 * 10 + 1))
        assert assigner.clusterer.index.get(old.story_id) is None
        assert assigner.clusterer.stats("en").documents == documents + 1

    asyncio.run(go())
