"""Choosing, ranking and capping a digest (bot/digest/builder.py ``compose``), directly:
newest first, then the better-covered story; one item per story with the other outlets
credited; the chat's cap, key points and quotes settings applied; "and N more" links the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.digest.builder import MORE_LINKS, compose, to_story
from bot.domain import ChatInfo, ChatRef, ChatSettings, Quote, Summary
from bot.records import StoryRecord

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CHAT = ChatRef("telegram", "1")
QUOTE = Quote("We had no choice", "Mayor Anna Berg", 0, 16)


def chat(**settings: object) -> ChatInfo:
    return ChatInfo(1, CHAT, "private", None, True, None,
                    settings=ChatSettings(**settings))  # type: ignore[arg-type]


def record(article_id: int, title: str, *, hours_old: float = 1.0, text_length: int = 1500,
           points: int = 3, source: str = "Gazette",
           published: datetime | None = None, story: int | None = None,
           outlets: int = 1) -> StoryRecord:
    summary = Summary(
        key_points=tuple(f"Detail {i} of the report." for i in range(points)),
        quotes=(QUOTE,), key_quotes=(QUOTE,), engine="test",
    )
    when = NOW - timedelta(hours=hours_old)
    return StoryRecord(article_id, title, f"https://{source.lower()}.example/{article_id}",
                       source, published or when, when, text_length, summary, story_id=story,
                       story_outlets=outlets)


def titles(records: list[StoryRecord], **settings: object) -> list[str]:
    built = compose(chat(**settings), records, now=NOW)
    assert built is not None and built.digest is not None
    return [s.title for s in built.digest.stories]


def test_nothing_new_is_no_digest() -> None:
    assert compose(chat(), [], now=NOW) is None


def test_newest_first_within_a_day_then_substance_breaks_near_ties() -> None:
    old = record(1, "Council budget passes", hours_old=20)
    new = record(2, "Storm warning for the coast", hours_old=1)
    assert titles([old, new]) == ["Storm warning for the coast", "Council budget passes"]
    # two stories of the same age: the longer read wins
    short = record(3, "Library opens late on Fridays", text_length=300)
    long = record(4, "Harbor bridge closes for repairs", text_length=6000)
    assert titles([short, long]) == ["Harbor bridge closes for repairs",
                                     "Library opens late on Fridays"]


def test_a_story_many_outlets_carry_ranks_up_and_credits_them() -> None:
    lone = record(1, "Robotics team reaches state finals", hours_old=1)
    first = record(2, "Harbor bridge closed for six weeks of repairs", hours_old=2, story=7)
    second = record(3, "Cable corrosion shuts the harbor crossing", hours_old=2,
                    source="Northfield", points=5, story=7)
    third = record(4, "Six-week closure for harbour span", hours_old=2, source="Coastal", story=7)
    # Same words, another story: the story id decides, not the headline.
    lookalike = record(5, "Harbor bridge closed for six weeks of repairs", hours_old=3,
                       source="Elsewhere", story=8)
    built = compose(chat(), [lone, first, second, third, lookalike], now=NOW)
    assert built is not None and built.digest is not None
    digest, ids = built.digest, built.article_ids
    assert len(digest.stories) == 3
    top = digest.stories[0]
    assert top.story_id == 7  # three outlets outweigh an hour of age
    assert top.source == "Northfield"  # the fullest summary leads the story
    assert top.also_reported_by == (("Gazette", first.url), ("Coastal", third.url))
    assert top.outlet_count == 3 and top.also_reported_more == 0
    assert sorted(ids) == [1, 2, 3, 4, 5]  # every article is marked as given, merged ones too
    assert sorted(built.stories) == [(7, False), (8, False)]


def test_also_reported_by_lists_three_outlets_then_counts_the_rest() -> None:
    records = [record(i, f"Report {i}", source=f"Outlet {i}", story=3, points=3 + (i == 1))
               for i in range(1, 7)]
    built = compose(chat(), records, now=NOW)
    assert built is not None and built.digest is not None
    [item] = built.digest.stories
    assert item.source == "Outlet 1" and len(item.also_reported_by) == 3
    assert item.also_reported_more == 2 and item.outlet_count == 6
    # Outlets the chat does not follow count too (the story's own outlet count).
    wide = compose(chat(), [record(1, "Only one here", story=4, outlets=9)], now=NOW)
    assert wide is not None and wide.digest is not None
    assert wide.digest.stories[0].also_reported_more == 8


def test_coverage_counts_in_ranking() -> None:
    lone = record(1, "Robotics team reaches state finals", hours_old=1)
    covered = record(2, "Harbor bridge closed", hours_old=2, story=5, outlets=6)
    assert titles([lone, covered]) == ["Harbor bridge closed", "Robotics team reaches state finals"]
    assert titles([lone, record(2, "Harbor bridge closed", hours_old=2, story=5)]) == [
        "Robotics team reaches state finals", "Harbor bridge closed"]


def test_a_future_publication_date_falls_back_to_ingestion_time() -> None:
    future = record(1, "Claims to be from next week", hours_old=10,
                    published=NOW + timedelta(days=7))
    recent = record(2, "Actually recent news item", hours_old=2)
    assert titles([future, recent]) == ["Actually recent news item", "Claims to be from next week"]


def test_cap_and_more_links() -> None:
    words = ["Alpine", "Beacon", "Canyon", "Dynamo", "Ember", "Falcon", "Glacier", "Harvest",
             "Island", "Jasper", "Kestrel", "Lantern", "Meadow", "Nebula", "Orchid"]
    records = [record(i, f"{w} {w}town {w}ville", hours_old=i) for i, w in enumerate(words, 1)]
    built = compose(chat(max_stories=3), records, now=NOW)
    assert built is not None and built.digest is not None
    digest, ids = built.digest, built.article_ids
    assert [s.article_id for s in digest.stories] == [1, 2, 3]
    assert digest.more_count == 12 and len(digest.more_links) == MORE_LINKS
    assert digest.more_links[0] == (records[3].title, records[3].url)
    assert sorted(ids) == list(range(1, 16))  # the rest are given too: they are linked
    assert digest.title == "Tuesday 24 November — 3 stories"


def test_the_chats_key_points_quotes_and_layout_settings() -> None:
    story = to_story([record(1, "Harbor bridge closes", points=5)], key_points=2,
                     show_quotes=False)
    assert len(story.key_points) == 2 and story.key_quotes == ()
    built = compose(chat(one_message_per_story=True), [record(1, "One story only")], now=NOW)
    assert built is not None and built.digest is not None
    assert built.digest.one_message_per_story
    assert built.digest.title == "Tuesday 24 November — 1 story"


def test_plain_text_shows_update_credits_and_quote_outlets() -> None:
    from bot.digest.text import story_text
    from bot.domain import Story

    other = Quote("Six weeks is the minimum", "Engineer Ola Berg", 0, 24)
    story = Story(article_id=1, title="Harbor bridge reopens early", url="https://a.example/1",
                  source="Gazette", published=None, key_points=("It reopened.",),
                  key_quotes=(QUOTE, other), also_reported_by=(("Courier", "https://c.example/2"),),
                  story_id=4, outlet_count=4, also_reported_more=2, is_update=True,
                  key_quote_sources=("Gazette", "Courier"))
    text = story_text(story)
    assert text.startswith("Update: Harbor bridge reopens early")
    assert "“We had no choice” — Mayor Anna Berg\n" in text  # the head's own quote: no outlet
    assert "— Engineer Ola Berg (Courier)" in text
    assert "Also reported by: Courier <https://c.example/2> (+2)" in text
