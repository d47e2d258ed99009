"""Speaker rules added in the sixth round (one test per rule, made-up sentences)."""

from __future__ import annotations

from bot.summarize.quotes import extract_quotes


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_a_relative_with_another_first_name_does_not_share_his_gender() -> None:
    # Keith Lamont Scott is a man; Rakeyia Scott (unknown given name) is someone else,
    # so "she" may refer to her.
    text = ("Keith Lamont Scott was shot by police on Tuesday.\n\n"
            "The video shows an officer aiming a gun at Scott. Rakeyia Scott can be heard "
            "yelling that her husband was unarmed.\n\n"
            '"Don\'t shoot him," she says. "He has no weapon."')
    assert _speakers(text) == ["Rakeyia Scott", "Rakeyia Scott"]


def test_a_verdict_verb_attributes_the_rating() -> None:
    text = ('FactCheck Weekly rated the senator\'s claim "mostly false." Judge Ann Roe '
            'ruled that the search was "plainly unlawful."')
    assert _speakers(text) == ["FactCheck Weekly", "Ann Roe"]


def test_ruled_out_is_not_a_verdict() -> None:
    text = ('Minister Lars Berg said a delay was "out of the question"; an exit could no '
            'longer be ruled out.')
    assert _speakers(text) == ["Lars Berg"]


def test_an_outlet_in_the_possessive_before_a_full_name_is_an_affiliation() -> None:
    text = ('"We need change," said Sean Spicer, a party strategist.\n\n'
            "Debates are not likely to alter the race, noted NBC's Dante Chinni.\n\n"
            '"Debates happen late in the campaign," he wrote.')
    assert _speakers(text) == ["Sean Spicer", "Dante Chinni"]


def test_a_source_introduced_by_name_and_role_owns_the_next_quote() -> None:
    text = ('"It is pandering," Bryan Anderson said.\n\n'
            'Songs have not been written for Clinton, which is something that concerns '
            'Henry Crespo, president of the Florida Democratic Black Caucus.\n\n'
            '"No one is writing songs for Hillary," he said.')
    assert _speakers(text) == ["Bryan Anderson", "Henry Crespo"]


def test_a_dash_credit_may_carry_a_middle_initial() -> None:
    text = '"He is the most unqualified candidate ever." ― Julie A. Diaz Martinez.'
    assert _speakers(text) == ["Julie A. Diaz Martinez"]
