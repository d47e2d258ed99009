"""What each layout shows (bot/digest/layout.py): brief/full/headlines, no repetition of a
quote in a key point (within a story and across a digest), the brief budget, the dated
local title and local times."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digest.layout import dated_title, local_time, repeats, shape
from bot.domain import Quote, Story

QUOTE = Quote("We will not reopen the bridge before the spring thaw", "Mayor Anna Berg", 0, 10)
ECHO = "Mayor Anna Berg said they will not reopen the bridge before the spring thaw."


def story(i: int, points: tuple[str, ...], quotes: tuple[Quote, ...] = (QUOTE,),
          title: str = "") -> Story:
    return Story(i, title or f"Story {i}", f"https://example.com/{i}", "Gazette",
                 datetime(2026, 12, 1, 6, 0, tzinfo=UTC), points, quotes)


def test_repeats_catches_a_point_that_mostly_contains_a_quote() -> None:
    assert repeats(ECHO, QUOTE.text)
    assert repeats(QUOTE.text.upper() + "!", QUOTE.text)  # case and punctuation folded
    assert not repeats("The harbor bridge closes for six weeks of repairs.", QUOTE.text)
    # a few shared words are not repetition
    assert not repeats("The bridge will reopen in May, the council said.", QUOTE.text)
    assert not repeats("", QUOTE.text) and not repeats(ECHO, "")


def test_a_point_repeating_the_quote_gives_way_to_the_next_best_point() -> None:
    s = story(1, (ECHO, "Repairs will cost 4 million euros.", "Ferries run extra crossings."))
    brief = shape([s], "brief")[0]
    assert brief.key_points == ("Repairs will cost 4 million euros.",)
    assert brief.key_quotes == (QUOTE,)
    full = shape([s], "full", key_points=3)[0]
    assert ECHO not in full.key_points and len(full.key_points) == 2
    assert full.key_quotes == (QUOTE,)


def test_when_no_other_point_is_left_the_quote_is_dropped() -> None:
    brief = shape([story(1, (ECHO,))], "brief")[0]
    assert brief.key_points == (ECHO,) and brief.key_quotes == ()


def test_nothing_repeats_across_the_stories_of_a_digest() -> None:
    first = story(1, ("Repairs will cost 4 million euros.",))
    second = story(2, ("Repairs will cost 4 million euros.", "Ferries run extra crossings."))
    out = shape([first, second], "full", key_points=3)
    assert out[0].key_quotes == (QUOTE,) and out[1].key_quotes == ()
    assert out[1].key_points == ("Ferries run extra crossings.",)


def test_brief_shows_one_point_and_one_short_attributed_quote() -> None:
    long_quote = Quote("x " * 200, "Someone", 0, 400)
    anonymous = Quote("It was chaos at the harbor", None, 0, 20)
    s = story(1, ("First point.", "Second point.", "Third point."),
              quotes=(long_quote, anonymous, QUOTE))
    brief = shape([s], "brief")[0]
    assert brief.key_points == ("First point.",)
    assert brief.key_quotes == (QUOTE,)  # short enough, and it names its speaker


def test_brief_cuts_an_overlong_point_at_a_word() -> None:
    point = "word " * 100
    brief = shape([story(1, (point,), quotes=())], "brief")[0]
    assert len(brief.key_points[0]) <= 280 and brief.key_points[0].endswith("word…")


def test_brief_drops_quotes_from_the_bottom_up_to_fit_its_budget() -> None:
    def words(tag: str, n: int) -> str:
        return " ".join(f"{tag}{j}" for j in range(n))

    stories = [story(i, (words(f"p{i}w", 45),), quotes=(Quote(words(f"q{i}w", 25), "A", 0, 1),))
               for i in range(10)]
    out = shape(stories, "brief", budget=4000)
    with_quotes = [bool(s.key_quotes) for s in out]
    assert with_quotes[0] and not with_quotes[-1]
    assert with_quotes == sorted(with_quotes, reverse=True)


def test_headlines_show_no_points_or_quotes_and_quotes_off_means_none() -> None:
    s = story(1, ("First point.",))
    assert shape([s], "headlines")[0].key_points == ()
    assert shape([s], "brief", show_quotes=False)[0].key_quotes == ()
    assert shape([s], "full", show_quotes=False)[0].key_quotes == ()


def test_dated_title_is_local_to_the_chat() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert dated_title(late, "Europe/London", 7) == "Tuesday 1 December — 7 stories"
    assert dated_title(late, "Asia/Tokyo", 1) == "Wednesday 2 December — 1 story"
    assert dated_title(late, None, 2) == "Tuesday 1 December — 2 stories"


def test_times_are_shown_in_the_chat_zone() -> None:
    at = datetime(2026, 7, 1, 6, 5, tzinfo=UTC)
    assert local_time(at, "Europe/Berlin", today=at) == "08:05"
    assert local_time(at, "America/New_York") == "Wed 1 Jul, 02:05"
    assert local_time(at, None, today=at) == "06:05 UTC"
    assert local_time(at, "Not/AZone", today=at) == "06:05 UTC"
