"""Speaker rules added in the third round (one test per rule)."""

from __future__ import annotations

from bot.summarize.quotes import extract_quotes


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_appositive_opening_with_the_is_skipped() -> None:
    text = ("Jean-Marc Ayrault, the foreign minister of France, a permanent member of the "
            "Security Council, said the test was a \"grave provocation.\"")
    assert _speakers(text) == ["Jean-Marc Ayrault"]


def test_of_capitalised_plural_noun_is_not_a_cue() -> None:
    text = ("PolitiFact rated 32% of Republican claims as \"false\" in its checks.")
    assert _speakers(text) != ["Republican"]


def test_pronoun_in_embedded_clause_refers_to_sentence_subject() -> None:
    text = ("Jean-Marc Ayrault said the test was a \"grave provocation.\"\n\n"
            "Secretary General Ban Ki-moon condemned what he called a \"brazen breach\" "
            "of resolutions.")
    assert _speakers(text)[1] == "Ban Ki-moon"


def test_quote_after_sentence_ending_in_cue_continues_that_speech() -> None:
    text = ("Kerry negotiates with Russia over Syria, Schiff said. \"That is wrong.\"")
    assert _speakers(text) == ["Schiff"]


def test_sentence_adverb_is_not_a_subject() -> None:
    text = "Conversely, Melissa Jones rated the plan as \"hopeless\" in her review."
    assert _speakers(text) != ["Conversely"]


def test_possessor_of_speech_noun_owns_scare_quote() -> None:
    text = ("Politifact did a fact-check on Donald Trump’s claim that there have been "
            "“3,000 shootings” in Chicago this year.")
    assert _speakers(text) == ["Donald Trump"]


def test_possessive_speech_noun_is_not_a_cue_for_the_next_sentence() -> None:
    text = ("Josh Earnest said at a briefing before Bill Clinton’s comments. “We disagree.”")
    assert _speakers(text) != ["Bill Clinton"]
