"""The clusterer's rules on hand-made vectors: time window, languages, chaining."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest

from bot.stories import StoryClusterer, StoryConfig
from tests.stories.helpers import T0, sig, unit


def run(clusterer: StoryClusterer, *articles) -> list[str]:
    """Decide and commit in order, new stories named after their first article."""
    out = []
    for article in articles:
        decision = clusterer.decide(article)
        story_id = decision.story_id or f"story-{article.article_id}"
        clusterer.commit(article, story_id)
        out.append(story_id)
    return out


def test_close_articles_join_and_far_ones_do_not() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0))
    a, b, c = run(clusterer, sig("a", unit(1, 0.1)), sig("b", unit(1, 0.2), hours=2),
                  sig("c", unit(0, 1), hours=3))
    assert a == b == "story-a"
    assert c == "story-c"


def test_follow_up_a_week_later_starts_a_new_story() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0))
    same = unit(1, 0.1)
    first, later = run(clusterer, sig("a", same), sig("b", same, hours=24 * 7))
    assert first != later


def test_window_is_complete_link_in_time() -> None:
    """An article must be within the window of every member: a story seeded on
    day 0 and joined on day 2 does not take an article from day 4."""
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0, window=timedelta(days=3)))
    v = unit(1, 0.1)
    ids = run(clusterer, sig("a", v), sig("b", v, hours=48), sig("c", v, hours=96))
    assert ids[0] == ids[1] != ids[2]


def test_window_is_configurable() -> None:
    v = unit(1, 0.1)
    short = StoryClusterer(StoryConfig(sparse_weight=0.0, window=timedelta(hours=12)))
    assert len(set(run(short, sig("a", v), sig("b", v, hours=20)))) == 2
    long = StoryClusterer(StoryConfig(sparse_weight=0.0, window=timedelta(days=1)))
    assert len(set(run(long, sig("a", v), sig("b", v, hours=20)))) == 1


def test_an_article_published_earlier_than_its_story_still_joins() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0))
    v = unit(1, 0.1)
    ids = run(clusterer, sig("late", v, hours=30), sig("early", v, hours=2))
    assert ids[0] == ids[1]
    story = clusterer.index.get(ids[0])
    assert story is not None and story.first_seen.hour == 10  # 08:00 + 2 h


def test_never_merges_across_languages() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0, embedding_languages=frozenset({"en", "de"})))
    v = unit(1, 0.1)
    ids = run(clusterer, sig("en", v, language="en"), sig("de", v, language="de"))
    assert ids[0] != ids[1]


def test_complete_link_stops_chaining() -> None:
    """b is close to a, c is close to b's side of the story but far from a:
    with single-link c would chain in; the link floor keeps it out."""
    a, b, c = unit(1, 0), unit(1, 1), unit(0.3, 1)
    centroid = (a + b) / np.linalg.norm(a + b)
    assert float(a @ c) < 0.4 and float(centroid @ c) > 0.5
    loose = StoryClusterer(StoryConfig(sparse_weight=0.0, join=0.5, link=-1.0))
    strict = StoryClusterer(StoryConfig(sparse_weight=0.0, join=0.5, link=0.4))
    articles = (sig("a", a), sig("b", b, hours=1), sig("c", c, hours=2))
    assert len(set(run(loose, *articles))) == 1
    assert run(strict, *articles)[2] == "story-c"


def test_rare_shared_words_decide_between_close_topics() -> None:
    """Two stories about the same people embed alike; the words only one of
    them uses (the place, the figure) pick the right one."""
    clusterer = StoryClusterer(StoryConfig())
    # An election stream: the candidate and the delegate count are in every story.
    background = [
        sig(f"bg{i}", unit(0, 1, i), hours=-20 + i, title=f"Campaign notebook {i}",
            text="Hillary Clinton and her rival courted delegates on the trail, aides said.")
        for i in range(8)
    ]
    run(clusterer, *background)
    dakota, rico, again = unit(1, 0, 0, 0), unit(0.6, 0.8, 0, 0), unit(0.6, 0, 0.8, 0)
    assert abs(float(dakota @ rico) - float(dakota @ again)) < 1e-6  # the embedding cannot tell
    ids = run(
        clusterer,
        sig("sd", dakota, title="Clinton wins South Dakota primary",
            text="Hillary Clinton won the South Dakota primary on Tuesday, adding 10 delegates."),
        sig("pr", rico, hours=1, title="Clinton wins Puerto Rico vote",
            text="Hillary Clinton carried Puerto Rico on Sunday and took 37 delegates."),
        sig("sd2", again, hours=2, title="Clinton carries South Dakota",
            text="Clinton took South Dakota on Tuesday with 10 delegates, the party said."),
    )
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]


def test_decision_names_its_rule() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0))
    v = unit(1, 0.1)
    assert clusterer.decide(sig("a", v)).reason == "below-join"
    run(clusterer, sig("a", v))
    joined = clusterer.decide(sig("b", v, hours=1))
    assert joined.story_id == "story-a" and joined.reason == "joined" and joined.score > 0.99
    late = clusterer.decide(sig("c", v, hours=80))
    assert late.story_id is None and late.reason == "window"


def test_old_buckets_are_evicted() -> None:
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0, window=timedelta(days=1)))
    run(clusterer, *(sig(f"d{day}", unit(*([0.0] * day + [1.0])), hours=24 * day)
                     for day in range(10)))
    assert len(clusterer.index) <= 5
    assert clusterer.index.get("story-d0") is None and clusterer.index.get("story-d9") is not None


def test_many_stories_in_one_bucket_find_the_nearest() -> None:
    rng = np.random.default_rng(7)
    clusterer = StoryClusterer(StoryConfig(sparse_weight=0.0))
    vectors = rng.standard_normal((300, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = run(clusterer, *(sig(f"n{i}", v, hours=i / 100) for i, v in enumerate(vectors)))
    assert len(set(ids)) == 300  # random directions never join
    probe = vectors[123] + 0.1 * rng.standard_normal(384).astype(np.float32)
    decision = clusterer.decide(sig("probe", probe / np.linalg.norm(probe), hours=4))
    assert decision.story_id == "story-n123"


@pytest.mark.parametrize("field,value", [("join", 1.5), ("link", -2.0), ("sparse_weight", 1.2),
                                         ("window", timedelta(0)), ("candidates", 0)])
def test_bad_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError):
        replace(StoryConfig(), **{field: value})


def test_sketched_scan_agrees_with_the_exact_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``EXACT_UP_TO`` stories the index shortlists on a sketch of the
    centroids; on news-shaped vectors it finds what the exact scan finds."""
    import bot.stories.index as story_index

    monkeypatch.setattr(story_index, "EXACT_UP_TO", 300)
    monkeypatch.setattr(story_index, "SHORTLIST", 32)
    rng = np.random.default_rng(3)
    common = unit(*rng.standard_normal(384))
    topics = rng.standard_normal((40, 384)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    vectors = 0.45 * common + 0.5 * topics[rng.integers(40, size=1200)] \
        + 0.75 * rng.standard_normal((1200, 384)).astype(np.float32) / np.sqrt(384)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sketched = StoryClusterer(StoryConfig(sparse_weight=0.0))
    for i, v in enumerate(vectors):
        sketched.commit(sig(f"n{i}", v, hours=i / 100), f"story-n{i}")
    assert sketched.index._basis  # the sketch was fitted
    probes = [v + 0.5 * rng.standard_normal(384).astype(np.float32) / np.sqrt(384) for v in vectors[:50]]
    for i, probe in enumerate(probes):
        probe = probe / np.linalg.norm(probe)
        found = sketched.index.nearest("en", probe, T0 - timedelta(days=1), T0 + timedelta(days=30),
                                       3, -1.0)
        monkeypatch.setattr(story_index, "EXACT_UP_TO", 10**9)
        exact = sketched.index.nearest("en", probe, T0 - timedelta(days=1), T0 + timedelta(days=30),
                                       3, -1.0)
        monkeypatch.setattr(story_index, "EXACT_UP_TO", 300)
        assert [s.story_id for _, s in found] == [s.story_id for _, s in exact]
        assert found[0][1].story_id == f"story-n{i}"


def test_a_young_stream_needs_the_embedding_alone_to_agree() -> None:
    """On a fresh install word rarity is unknown: shared common words must not
    carry a join the embedding does not support on its own."""
    config = StoryConfig(young_documents=5)
    text = "the city said on Tuesday that the line was closed in the centre"
    topic, other = unit(1, 0.0), unit(0.5, 0.866)  # cosine 0.5: related, not the same
    fresh = StoryClusterer(config)
    _, refused = run(fresh, sig("a", topic, title="Tram derails", text=text),
                     sig("b", other, hours=1, title="Fire at docks", text=text))
    assert refused == "story-b"
    assert fresh.decide(sig("c", other, hours=1, title="Fire", text=text)).story_id == "story-b"
    # Once the stream is older than young_documents, the tuned score decides alone.
    grown = StoryClusterer(config)
    run(grown, *(sig(f"n{i}", unit(0, 0, 1, i / 10), title=f"Other {i}", text=f"filler words {i}")
                 for i in range(5)))
    decision = grown.decide(sig("x", other, title="Fire at docks", text=text))
    assert decision.reason != "young"
