"""Speaker rules added in the fourth round (one test per rule)."""

from __future__ import annotations

from bot.summarize.quotes import extract_quotes


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_event_run_is_not_a_person_name() -> None:
    text = ("Crowds gathered for the Obama Speech in Washington on Saturday.\n\n"
            "\"It is about me,\" Mr. Obama said.")
    assert _speakers(text) == ["Obama"]


def test_place_is_not_a_pronoun_referent() -> None:
    text = ("Barack Obama condemned the nuclear test on Friday. North Korea said the test "
            "was a success.\n\n\"This is a grave provocation,\" he said.")
    assert _speakers(text) == ["Barack Obama"]


def test_party_adjective_before_a_noun_is_not_a_subject() -> None:
    text = ("With Democratic leaders increasingly worried about turnout, President Obama "
            "is rolling out a new message: \"It is about me.\"")
    assert _speakers(text) != ["Democratic"]


def test_party_adjective_description_refers_to_a_person() -> None:
    text = ("Donald Trump spoke in Virginia Beach on Monday.\n\n"
            "The Republican nominee also vowed to punish \"criminal hackers\" at home.")
    assert _speakers(text) == ["Donald Trump"]


def test_male_title_never_takes_a_female_full_name() -> None:
    text = ("Michelle Obama spoke first at the dinner.\n\n"
            "\"We must vote,\" Mr. Obama said.")
    assert _speakers(text) == ["Obama"]


def test_pronoun_tie_prefers_the_most_mentioned_person() -> None:
    story = ("Hillary Clinton campaigned in Ohio. Clinton attacked Donald Trump. Later, "
             "Clinton spoke in Florida.\n\n")
    tail = ("Jane Palmer said Clinton would return to Florida on Friday.\n\n"
            "\"We will win this state,\" she said.")
    assert _speakers(story + tail) == ["Hillary Clinton"]
    # Without the earlier mentions there is no salience edge: recency decides.
    assert _speakers(tail) == ["Jane Palmer"]
