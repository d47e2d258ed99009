"""Merging the same story from several outlets (bot/digest/cluster.py), directly."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digest.cluster import SAME_STORY, cluster, similarity
from bot.domain import Summary
from bot.records import StoryRecord

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def record(article_id: int, title: str, lead: str = "", source: str = "Outlet") -> StoryRecord:
    summary = Summary(key_points=(lead,) if lead else (), quotes=(), key_quotes=(), engine="test")
    return StoryRecord(article_id, title, f"https://{source.lower()}.example/{article_id}", source,
                       NOW, NOW, 1000, summary)


BRIDGE_A = record(1, "Harbor bridge closed for six weeks of repairs",
                  "The harbor bridge will close for six weeks of repairs from Monday.", "Gazette")
BRIDGE_B = record(2, "Harbor bridge to close six weeks for repairs",
                  "Repairs will close the harbor bridge for six weeks starting Monday.", "Northfield")
FERRY = record(3, "Ferry adds extra crossings during bridge works",
               "The ferry company adds crossings while the bridge is shut.", "Gazette")
ROBOTS = record(4, "Robotics team reaches state finals",
                "The high school robotics team qualified for the state finals.", "Northfield")


def test_the_same_story_from_two_outlets_is_one_group_led_by_the_first() -> None:
    groups = cluster([BRIDGE_A, ROBOTS, BRIDGE_B, FERRY])
    assert [[r.article_id for r in g] for g in groups] == [[1, 2], [4], [3]]


def test_related_but_different_stories_stay_apart() -> None:
    # the ferry story shares "bridge" with the closure but is its own news
    assert len(cluster([BRIDGE_A, FERRY])) == 2
    assert similarity(frozenset({"bridge", "ferry"}), frozenset({"bridge", "closed"})) < SAME_STORY


def test_stop_words_digits_and_case_do_not_make_stories_the_same() -> None:
    a = record(5, "The 2026 budget: what it means for you", "It was said that more is new.")
    b = record(6, "THE 2026 BUDGET: What It Means For Them", "They said there would be more.")
    c = record(7, "What the new stadium means for the city", "The stadium was approved.")
    assert len(cluster([a, b])) == 1  # same words once case is ignored
    assert len(cluster([a, c])) == 2  # only stop words and digits in common


def test_threshold_and_empty_input() -> None:
    assert cluster([]) == []
    assert similarity(frozenset(), frozenset({"x"})) == 0.0
    assert len(cluster([BRIDGE_A, BRIDGE_B], threshold=1.0)) == 2  # only identical word sets
    assert len(cluster([BRIDGE_A, FERRY], threshold=0.0)) == 1
