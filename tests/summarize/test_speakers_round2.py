"""Speaker attribution, second round: one test per rule added in that round."""

from __future__ import annotations

from bot.summarize.quotes import extract_quotes


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text)]


def test_capitalised_role_words_before_a_known_first_name_are_titles() -> None:
    text = '"We are ready," First Selectman David Okafor said.'
    assert _speakers(text) == ["David Okafor"]


def test_unlisted_title_then_pronoun() -> None:
    text = 'Harbormaster Sam Pike said the docks were closed.\n\n"The surge was high," he said.'
    assert _speakers(text) == ["Sam Pike"]


def test_appositive_chain_with_age_and_home_town() -> None:
    text = ('Donna Rawlings, 59, of Ashton, Md., who watched the ceremony, said the event '
            'brought back "memories of my father."')
    assert _speakers(text) == ["Donna Rawlings"]


def test_relative_that_before_a_titled_name() -> None:
    text = 'It was an explosion that Mayor Bill de Blasio described as "an intentional act."'
    assert _speakers(text) == ["Bill de Blasio"]


def test_document_speaker_and_it_continues_it() -> None:
    text = '"We support charter schools," the letter reads. "Our children deserve better," it added.'
    assert _speakers(text) == ["the letter", "the letter"]


def test_as_x_put_it_after_a_quote() -> None:
    assert _speakers('"This is a scandal," as a Homeland Security memo put it.') == [
        "a Homeland Security memo"]


def test_possessive_role_noun_speaker() -> None:
    assert _speakers('"It was a choice," the mayor\'s former campaign strategist said.') == [
        "the mayor's former campaign strategist"]
    assert _speakers('"It was a choice," Obama\'s former campaign strategist said.') == [
        "Obama's former campaign strategist"]


def test_gendered_role_noun_sets_gender() -> None:
    text = ('Mark Moss met Jo Strada on Monday.\n\n"They are wrong," said widow Jo Strada.\n\n'
            'Moss nodded, and Strada went on. "For us, this is justice," she said.')
    assert _speakers(text)[-1] == "Jo Strada"


def test_inverted_said_at_sentence_start() -> None:
    assert _speakers('The panel met on Monday. Said Ellis: "The code is too complicated."') == [
        "Ellis"]


def test_pronoun_follows_subject_of_indirect_speech() -> None:
    text = ('Johnnie Wilson, of Springfield, Va., said he had fought in Vietnam.\n\n'
            '"We made major contributions," he said.')
    assert _speakers(text) == ["Johnnie Wilson"]


def test_the_plus_capitalised_publication() -> None:
    assert _speakers('As The New Yorker put it, "a long road."') == ["New Yorker"]


def test_anonymous_role_with_the_is_not_resolved_to_a_person() -> None:
    text = ('Barack Obama was prepared. As a phone rang, the announcer said, '
            '"It is 3 a.m. and your children are asleep."')
    assert _speakers(text) == ["the announcer"]
