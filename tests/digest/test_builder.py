"""Choosing, ranking and capping a digest (bot/digest/builder.py ``compose``), directly:
newest first, then the better-covered story; merged duplicates credited; the chat's cap,
key points and quotes settings applied; "and N more" links the rest."""

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
           published: datetime | None = None) -> StoryRecord:
    summary = Summary(
        key_points=tuple(f"Detail {i} of the report." for i in range(points)),
        quotes=(QUOTE,), key_quotes=(QUOTE,), engine="test",
    )
    when = NOW - timedelta(hours=hours_old)
    return StoryRecord(article_id, title, f"https://{source.lower()}.example/{article_id}",
                       source, published or when, when, text_length, summary)


def titles(records: list[StoryRecord], **settings: object) -> list[str]:
    built = compose(chat(**settings), records, now=NOW)
    assert built is not None
    return [s.title for s in built[0].stories]


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
    first = record(2, "Harbor bridge closed for six weeks of repairs", hours_old=2)
    second = record(3, "Harbor bridge closed six weeks for repairs", hours_old=2,
                    source="Northfield", points=5)
    third = record(4, "Harbor bridge closed for repairs for six weeks", hours_old=2,
                   source="Coastal")
    built = compose(chat(), [lone, first, second, third], now=NOW)
    assert built is not None
    digest, ids = built
    top = digest.stories[0]
    assert top.title.startswith("Harbor bridge")  # three outlets outweigh an hour of age
    assert top.source == "Northfield"  # the fullest summary leads the merged story
    assert {src for src, _ in top.also_reported_by} == {"Gazette", "Coastal"}
    assert sorted(ids) == [1, 2, 3, 4]  # every article is marked as given, merged ones too


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
    assert built is not None
    digest, ids = built
    assert [s.article_id for s in digest.stories] == [1, 2, 3]
    assert digest.more_count == 12 and len(digest.more_links) == MORE_LINKS
    assert digest.more_links[0] == (records[3].title, records[3].url)
    assert sorted(ids) == list(range(1, 16))  # the rest are given too: they are linked
    assert digest.title == "Your news digest — 3 stories"


def test_the_chats_key_points_quotes_and_layout_settings() -> None:
    story = to_story([record(1, "Harbor bridge closes", points=5)], key_points=2,
                     show_quotes=False)
    assert len(story.key_points) == 2 and story.key_quotes == ()
    built = compose(chat(one_message_per_story=True), [record(1, "One story only")], now=NOW)
    assert built is not None
    assert built[0].one_message_per_story and built[0].title == "Your news digest — 1 story"
