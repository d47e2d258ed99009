"""Pairs that must (not) merge, through the real MiniLM embedding and the
service the pipeline will call. Texts are written for the test, in the shape
of wire copy: a rewrite shares no headline word, a different event shares the
city and the day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.stories import (
    ArticleInput,
    MemoryStoryRepository,
    StoryAssigner,
    StoryConfig,
    build_signatures,
)
from bot.summarize.embedder import shared_embedder

pytestmark = pytest.mark.slow

T0 = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)

FIRE = ArticleInput(
    "fire-1", "Fire rips through Lisbon warehouse district overnight",
    "LISBON — A blaze tore through a row of warehouses near the Lisbon docks overnight, forcing "
    "about 200 residents from their homes, firefighters said on Tuesday. No one was hurt, and "
    "the cause of the fire was not yet known.", T0, "Outlet A", "en")
FIRE_REWRITE = ArticleInput(
    "fire-2", "Hundreds evacuated as blaze guts Portuguese dockside storage buildings",
    "Around 200 people were moved out of their homes after flames engulfed warehouses by the "
    "docks in Portugal's capital late on Monday, the city's fire service said. There were no "
    "injuries; investigators have not said what started it.", T0 + timedelta(hours=3),
    "Outlet B", "en")
TRAM = ArticleInput(
    "tram-1", "Two killed as tram derails in central Lisbon",
    "LISBON — Two people were killed and 14 injured when a tram left the rails on a steep "
    "street in central Lisbon on Tuesday morning, emergency services said. The city suspended "
    "the line while inspectors examine the brakes.", T0 + timedelta(hours=5), "Outlet C", "en")
FIRE_WEEK_LATER = ArticleInput(
    "fire-3", "Lisbon warehouse fire was arson, police say",
    "LISBON — Police said on Wednesday that last week's blaze that destroyed warehouses near "
    "the Lisbon docks and forced 200 residents from their homes was started deliberately.",
    T0 + timedelta(days=8), "Outlet A", "en")
FIRE_PT = ArticleInput(
    "fire-pt", "Incêndio destrói armazéns no porto de Lisboa",
    "Um incêndio destruiu durante a noite vários armazéns junto ao porto de Lisboa, obrigando "
    "cerca de 200 moradores a sair de casa, disseram os bombeiros.", T0 + timedelta(hours=1),
    "Outlet D", "pt")


@pytest.fixture(scope="module")
def stories() -> dict[str, str]:
    articles = [FIRE, FIRE_PT, FIRE_REWRITE, TRAM, FIRE_WEEK_LATER]
    config = StoryConfig()
    signatures = build_signatures(articles, shared_embedder(), config)

    async def go() -> dict[str, str]:
        assigner = StoryAssigner(MemoryStoryRepository(config), config)
        return {s.article_id: (await assigner.assign(s)).story_id for s in signatures}

    return asyncio.run(go())


def test_a_rewrite_with_no_headline_word_in_common_merges(stories: dict[str, str]) -> None:
    title_words = {w.lower() for w in FIRE.title.split()}
    assert not title_words & {w.lower() for w in FIRE_REWRITE.title.split()}
    assert stories["fire-2"] == stories["fire-1"]


def test_a_different_event_in_the_same_city_on_the_same_day_stays_apart(stories: dict[str, str]) -> None:
    assert stories["tram-1"] != stories["fire-1"]


def test_a_follow_up_a_week_later_is_a_new_story(stories: dict[str, str]) -> None:
    assert stories["fire-3"] != stories["fire-1"]


def test_the_same_story_in_another_language_is_not_merged(stories: dict[str, str]) -> None:
    assert stories["fire-pt"] not in {stories["fire-1"], stories["tram-1"]}
