"""Direct-quote extraction: quote styles, apostrophes, continuation, unbalanced marks."""

from __future__ import annotations

from bot.domain import Quote
from bot.summarize.quotes import choose_key_quotes, extract_quotes


def _texts(text: str) -> list[str]:
    return [q.text for q in extract_quotes(text)]


def test_offsets_point_at_the_content() -> None:
    text = 'Intro.\n\n"We will win this race," Smith said.'
    (q,) = extract_quotes(text)
    assert text[q.start:q.end] == q.text == "We will win this race"


def test_straight_and_curly_quotes() -> None:
    text = '"Straight quote here," she said. “Curly quote there,” he said.'
    assert _texts(text) == ["Straight quote here", "Curly quote there"]


def test_nyt_doubled_apostrophes() -> None:
    text = "''We must not overreact to campaign rhetoric,'' Mr. Kall said."
    assert _texts(text) == ["We must not overreact to campaign rhetoric"]


def test_single_quote_headline_and_british_style() -> None:
    text = "Lynch: 'Be the voice that people hear.'\n\nThe minister said it was ‘a disgrace’ today."
    assert _texts(text) == ["Be the voice that people hear.", "a disgrace"]


def test_apostrophes_are_not_quotes() -> None:
    text = ("I don't think O'Brien liked the '90s or the players' union, "
            "and rock 'n' roll in the 90s' clubs wasn't his thing.")
    assert extract_quotes(text) == []


def test_nested_single_quotes_stay_inside_the_outer_quote() -> None:
    text = "\"He would say, 'uh huh,' and move on,\" Lynch said."
    assert _texts(text) == ["He would say, 'uh huh,' and move on"]


def test_multi_sentence_quote() -> None:
    text = '"It is over. We lost. We will be back," the senator said.'
    assert _texts(text) == ["It is over. We lost. We will be back"]


def test_paragraph_continuation_gives_consecutive_quotes_with_one_speaker() -> None:
    text = ('Senator Jane Doe spoke on Monday.\n\n'
            '"The first part of what I have to say goes on," Doe said. "And on.\n\n'
            '"Then it ends here."\n\nOther news.')
    quotes = extract_quotes(text)
    assert [q.text for q in quotes] == [
        "The first part of what I have to say goes on", "And on.", "Then it ends here."]
    assert {q.speaker for q in quotes} == {"Jane Doe"}


def test_unbalanced_mark_does_not_swallow_the_article() -> None:
    text = ('He said "this never closes and rambles on.\n\n'
            'Next paragraph has "a real quote" in it.\n\nThird paragraph.')
    assert _texts(text) == ["a real quote"]


def test_stray_closing_marks_and_lone_marks_never_crash() -> None:
    for text in ['”', '"', "''", "‘", 'a " b " c "', '““““', '”x“', "'" * 7, '\n"\n"\n']:
        for q in extract_quotes(text):
            assert text[q.start:q.end] == q.text


def test_empty_text() -> None:
    assert extract_quotes("") == []
    assert extract_quotes("   \n\n ") == []


def test_fifty_thousand_words_finish() -> None:
    # Pathological input for backtracking regexes: many marks, apostrophes and capitals.
    chunk = ('"Alpha Beta said," O\'Brien\'s \'90s "quote \'nested\' here," Mr. Gamma '
             'Delta Epsilon, who said, said: "unclosed ')
    text = (chunk * 3200).strip()
    assert len(text.split()) >= 50_000
    quotes = extract_quotes(text)
    assert quotes
    assert all(text[q.start:q.end] == q.text for q in quotes)


def _q(text: str, speaker: str | None, start: int, confidence: float = 0.99) -> Quote:
    return Quote(text, speaker, start, start + len(text), confidence if speaker else 0.0)


def test_choose_key_quotes_prefers_attributed_sentences_and_distinct_speakers() -> None:
    quotes = [
        _q("a disaster", "Jane Doe", 0),
        _q("We will keep fighting for every family in this state until the end", "Jane Doe", 20),
        _q("This bill will raise taxes on every working family in America today", "John Roe",
           120),
        _q("I think the committee should look again at all of the evidence here", "Jane Doe",
           220),
        _q("Someone said something long enough to be a sentence in the story", None, 320),
        _q("Women in Power", None, 420),
    ]
    chosen = choose_key_quotes(quotes, 2)
    assert [q.start for q in chosen] == [20, 120]  # text order, two distinct speakers
    assert all(len(q.text.split()) >= 8 for q in chosen)
    assert choose_key_quotes(quotes, 0) == []
    assert choose_key_quotes([], 3) == []
    assert _q("Women in Power", None, 0) not in choose_key_quotes(quotes, 6)
    assert _q("a disaster", "Jane Doe", 0) not in choose_key_quotes(quotes, 6)


def test_choose_key_quotes_fills_up_with_same_speaker_when_needed() -> None:
    quotes = [
        _q("We will keep fighting for every family in this state until the end", "Jane Doe", 0),
        _q("I think the committee should look again at all of the evidence here", "Jane Doe",
           100),
    ]
    assert [q.start for q in choose_key_quotes(quotes, 2)] == [0, 100]


def test_key_quotes_come_only_from_confident_attributions() -> None:
    quotes = [
        _q("We will keep fighting for every family in this state until the end", "Jane Doe", 0,
           confidence=0.55),
        _q("This bill will raise taxes on every working family in America today", "John Roe",
           100),
        _q("Someone said something long enough to be a sentence in the story", None, 200),
    ]
    assert [q.speaker for q in choose_key_quotes(quotes, 3)] == ["John Roe"]
