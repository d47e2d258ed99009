"""The first key point stands on its own; headlines glued to a sentence are cut."""

from __future__ import annotations

from bot.extract.sentences import split_sentences
from bot.summarize.keypoints import is_self_contained, self_contained_first, without_title_prefix
from tests.summarize.test_keypoints import _sents


def test_pronoun_conjunction_and_fragment_openers_are_not_self_contained() -> None:
    assert is_self_contained("The jury found the former mayor guilty on all counts.")
    assert not is_self_contained("He said that the verdict would be appealed next week.")
    assert not is_self_contained("But it took the jury three days to reach that verdict.")
    assert not is_self_contained("Guilty across the board.")
    assert not is_self_contained("However, the court has not yet set a sentencing date.")


def test_a_self_contained_point_moves_to_the_front() -> None:
    chosen = _sents("He said that the verdict would be appealed next week.",
                    "The jury found the former mayor guilty on all counts.",
                    "Sentencing is expected in the spring, officials said.")
    assert [s.text for s in self_contained_first(chosen)] == [
        "The jury found the former mayor guilty on all counts.",
        "He said that the verdict would be appealed next week.",
        "Sentencing is expected in the spring, officials said."]


def test_order_is_kept_when_the_first_point_already_stands_alone_or_none_does() -> None:
    ok = _sents("The jury found the former mayor guilty on all counts.", "He will appeal.")
    assert self_contained_first(ok) == ok
    none = _sents("He will appeal.", "But not yet.")
    assert self_contained_first(none) == none


def test_a_headline_glued_to_the_first_sentence_is_cut_with_exact_offsets() -> None:
    text = "Guilty across the board The jury found the former mayor guilty on all counts on Friday."
    sents = split_sentences(text)
    out = without_title_prefix(sents, "Guilty across the board")
    assert [s.text for s in out] == ["The jury found the former mayor guilty on all counts on Friday."]
    assert text[out[0].start:out[0].end] == out[0].text


def test_a_sentence_that_is_only_the_headline_is_dropped_and_others_are_kept() -> None:
    sents = _sents("Guilty across the board.", "The jury found the former mayor guilty on Friday.")
    out = without_title_prefix(sents, "Guilty across the board")
    assert [s.text for s in out] == ["The jury found the former mayor guilty on Friday."]
    assert without_title_prefix(sents, None) == sents


def test_pieces_cut_at_an_abbreviation_are_never_key_points() -> None:
    from bot.summarize.keypoints import SelectionConfig, candidate_sentences, is_cut_piece

    assert is_cut_piece("The couple stayed at the rented villa in St.")
    assert is_cut_piece("In 2006, after the U.")
    assert is_cut_piece("The bill was signed by President John F.")
    assert is_cut_piece("tropez for a week with friends.")
    assert not is_cut_piece("He moved to the U.S.")
    assert not is_cut_piece("Growth slowed to 3.5 percent in the quarter.")
    assert not is_cut_piece("He said no.")
    sents = _sents("The couple stayed at the rented villa in St.", "Tropez for a week with friends.",
                   "Police were called to the villa on Saturday night.")
    kept = [s.text for s in candidate_sentences(sents, SelectionConfig())]
    assert "The couple stayed at the rented villa in St." not in kept
    assert "Police were called to the villa on Saturday night." in kept


def test_the_splitter_keeps_abbreviations_decimals_and_initials_inside_sentences() -> None:
    cases = {
        "The couple stayed at the rented villa in St. Tropez for a week. Police were called.": 2,
        "In 2006, after the U.S. invasion of Iraq, he moved to Jordan. He later returned.": 2,
        "The U.N. Security Council met on Monday. It voted 14-0.": 2,
        "The meeting was held on Jan. 5 in Washington. Officials declined to comment.": 2,
        "President John F. Kennedy was shot in Dallas in 1963. The nation mourned.": 2,
        "Growth slowed to 3.5 percent in the third quarter. Economists had expected 3.7.": 2,
        "The Rev. Al Sharpton and Gov. Andrew Cuomo attended. No. 10 declined to comment.": 2,
    }
    for text, n in cases.items():
        got = [s.text for s in split_sentences(text)]
        assert len(got) == n, got
        assert not any(is_cut(s) for s in got), got


def is_cut(sentence: str) -> bool:
    from bot.summarize.keypoints import is_cut_piece

    return is_cut_piece(sentence)


def test_a_clock_time_does_not_end_a_sentence_before_its_day() -> None:
    got = [s.text for s in split_sentences("Sen. Elizabeth Warren spoke at 10 a.m. Tuesday. She left at noon.")]
    assert got == ["Sen. Elizabeth Warren spoke at 10 a.m. Tuesday.", "She left at noon."]
    got = [s.text for s in split_sentences("The train left at 9 a.m. The next one was cancelled.")]
    assert got == ["The train left at 9 a.m.", "The next one was cancelled."]
