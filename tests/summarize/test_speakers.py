"""Speaker attribution: each cue pattern, pronouns, short references, unknown -> None."""

from __future__ import annotations

import pytest

from bot.summarize.quotes import extract_quotes


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


INTRO = "Secretary of State Antony Blinken and Sen. Maria Lopez met in Kyiv on Tuesday.\n\n"


@pytest.mark.parametrize("text, expected", [
    ('"We stand with Ukraine," Antony Blinken said.', "Antony Blinken"),
    ('"We stand with Ukraine," said Antony Blinken.', "Antony Blinken"),
    ('Antony Blinken said: "We stand with Ukraine."', "Antony Blinken"),
    ('Antony Blinken told Reuters, "We stand with Ukraine."', "Antony Blinken"),
    ('"We stand with Ukraine," Antony Blinken told Reuters on Tuesday.', "Antony Blinken"),
    ('"We stand with Ukraine," according to Antony Blinken.', "Antony Blinken"),
    ('Antony Blinken, who arrived on Monday, said "we stand with Ukraine."', "Antony Blinken"),
    ('"We stand with Ukraine," Antony Blinken, the secretary of state, said.', "Antony Blinken"),
    ('Antony Blinken said in a statement: "We stand with Ukraine."', "Antony Blinken"),
    ('In a statement, Antony Blinken said "we stand with Ukraine."', "Antony Blinken"),
    ('"We stand with Ukraine," Antony Blinken added.', "Antony Blinken"),
    ('"We stand with Ukraine," Antony Blinken wrote on Twitter.', "Antony Blinken"),
    ('Antony Blinken tweeted: "We stand with Ukraine."', "Antony Blinken"),
    ('"We stand with Ukraine," Antony Blinken insisted.', "Antony Blinken"),
    ('Antony Blinken called the deal "a historic step for both countries."', "Antony Blinken"),
])
def test_cue_patterns(text: str, expected: str) -> None:
    assert _speakers(text) == [expected]


def test_short_reference_resolves_to_full_name() -> None:
    text = INTRO + '"We stand with Ukraine," Mr Blinken said. "Blinken" is a name.\n\n' \
        '"Nothing is decided," Blinken told reporters.'
    quotes = extract_quotes(text)
    assert quotes[0].speaker == "Antony Blinken"
    assert quotes[-1].speaker == "Antony Blinken"


def test_title_with_dot_and_surname_only() -> None:
    text = INTRO + '"We need more aid," said Sen. Lopez.'
    assert _speakers(text) == ["Maria Lopez"]


def test_pronouns_resolve_by_gender() -> None:
    text = INTRO + 'Lopez spoke first. "We need more aid," she said.\n\n' \
        'Blinken nodded. "We will send it," he said.'
    assert _speakers(text) == ["Maria Lopez", "Antony Blinken"]


def test_definite_description_resolves_to_titled_person() -> None:
    text = INTRO + '"We need more aid," the senator said.'
    assert _speakers(text) == ["Maria Lopez"]


def test_second_quote_in_paragraph_inherits_speaker() -> None:
    text = INTRO + '"We stand with Ukraine," Blinken said. "It is a long road."'
    assert _speakers(text) == ["Antony Blinken", "Antony Blinken"]


def test_quote_introduced_by_previous_paragraph_colon() -> None:
    text = INTRO + 'Blinken said:\n\n"It is a long road, and we will walk it together."'
    assert _speakers(text) == ["Antony Blinken"]


def test_organisation_as_speaker() -> None:
    text = '"The meeting was productive," the White House said.'
    assert _speakers(text) == ["White House"]


def test_anonymous_source_is_kept_verbatim() -> None:
    text = '"The talks are stalled," a source said.'
    assert _speakers(text) == ["a source"]


def test_unknown_speaker_is_none() -> None:
    assert _speakers('The sign read "No entry after dark" in big letters.') == [None]
    assert _speakers('"It was a long night."') == [None]
    # A pronoun with nobody to refer to stays unattributed.
    assert _speakers('"It was a long night," he said.') == [None]


def test_transcript_label() -> None:
    text = 'On the show:\n\n"PENCE: Well, look, this is serious business for the country."'
    assert _speakers(text) == ["Pence"]


def test_headline_label() -> None:
    text = "Pence: Trump Was 'Mocking' Clinton Camp.\n\nMike Pence spoke on Sunday."
    assert _speakers(text) == ["Mike Pence"]
