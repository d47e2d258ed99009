"""The issue's bad-input list: each gives a sensible result in bounded time, never a crash."""

from __future__ import annotations

import pytest

from bot.summarize.quotes import extract_quotes
from bot.summarize.quoting import find_quotes


def _check(text: str) -> list[tuple[str, str | None]]:
    quotes, key = find_quotes(text, 2)
    for q in quotes:
        assert text[q.start:q.end] == q.text
        assert 0.0 <= q.speaker_confidence <= 1.0
        assert q.speaker_rule
    assert all(k in quotes for k in key)
    return [(q.text, q.speaker) for q in quotes]


def test_text_without_quotes() -> None:
    assert _check("The council met on Monday. It approved the budget.\n\nRain is due.") == []


def test_nested_marks_inside_a_quote() -> None:
    text = ('Mayor Ann Bell spoke at noon.\n\n'
            '“He would rather see you in “hell” than live next door,” Bell said.')
    got = _check(text)
    assert got and all(who in (None, "Ann Bell") for _, who in got)


def test_unbalanced_marks() -> None:
    text = ('Ann Bell said "this never closes.\n\nThen "a real quote," Bell said, and left "')
    got = _check(text)
    assert ("a real quote", "Ann Bell") in got


def test_quote_spanning_paragraphs_without_closing_mark() -> None:
    text = ('Ann Bell, the mayor, spoke on Monday.\n\n'
            '"We built this city street by street, and we will build it again,\n\n'
            '"and nobody will stop us," Bell said.')
    got = _check(text)
    # Two quotes (one per paragraph); the first may abstain (the learned weight of the
    # "cue after the continuation" rule is small), but never names someone else.
    assert len(got) == 2 and got[1][1] == "Ann Bell" and got[0][1] in (None, "Ann Bell")


def test_quote_in_a_headline() -> None:
    text = ("Bell Says Budget Is 'A Disaster'\n\n"
            "Mayor Ann Bell said on Monday the city budget was a disaster.")
    got = _check(text)
    assert got and got[0][0] == "A Disaster"


def test_non_english_text() -> None:
    texts = ['«Wir schaffen das», sagte Angela Merkel am Montag in Berlin.',
             '„Это невозможно“, — сказал министр.',
             '「これは無理だ」と大臣は述べた。',
             '"لن نتراجع"، قال الوزير.']
    for text in texts:
        _check(text)


def test_fifty_thousand_word_article_in_bounded_time() -> None:
    para = ('"We will win this race in the end," Ann Bell said. Her rival, Tom Ray, '
            'called it "nonsense." "No," he said, and Bell replied: "Yes."\n\n')
    text = para * 2000
    assert len(text.split()) >= 50_000
    # Bounded by pytest-timeout; the per-document indexes keep it linear (timed in
    # bench/quotes_long.py, not asserted here: the machine is shared).
    quotes = extract_quotes(text)
    assert len(quotes) >= 4 * 2000
    assert quotes[0].speaker == "Ann Bell"


@pytest.mark.parametrize("text", ["", " ", "\n\n", '"', "“”", "''", '" "', "‘’‘’"])
def test_degenerate_inputs(text: str) -> None:
    _check(text)
