from __future__ import annotations

from bot.extract.sentences import split_sentences, strip_dateline


def _check_offsets(text: str) -> list[str]:
    sentences = split_sentences(text)
    for s in sentences:
        assert text[s.start:s.end] == s.text
    return [s.text for s in sentences]


def test_abbreviations_do_not_split() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. capital on Monday. They talked for an hour."
    assert _check_offsets(text) == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Monday.",
        "They talked for an hour.",
    ]


def test_paragraph_break_is_a_hard_boundary() -> None:
    text = "Breaking news headline without a stop\nThe council voted on Monday to close the road."
    assert _check_offsets(text) == [
        "Breaking news headline without a stop",
        "The council voted on Monday to close the road.",
    ]


def test_quote_spanning_sentences_stays_whole_and_tail_is_glued() -> None:
    text = '"We know where to look. We know how to look," she said. The agency agreed.'
    out = _check_offsets(text)
    assert out[0].startswith('"We know where') and out[0].endswith("she said.")
    assert out[-1] == "The agency agreed."


def test_datelines_are_stripped_from_the_first_sentence() -> None:
    cases = {
        "(CNN)They may not be aliens, but we are close, a NASA scientist says.":
            "They may not be aliens, but we are close, a NASA scientist says.",
        "LONDON — Prices rose sharply in March, official figures showed.":
            "Prices rose sharply in March, official figures showed.",
        "WASHINGTON (Reuters) - The Senate passed the bill on Tuesday night.":
            "The Senate passed the bill on Tuesday night.",
        "Washington (CNN) -- The Senate passed the bill on Tuesday night.":
            "The Senate passed the bill on Tuesday night.",
    }
    for text, expected in cases.items():
        assert _check_offsets(text)[0] == expected


def test_no_dateline_means_no_cut() -> None:
    assert strip_dateline("The NHS (National Health Service) said so.") == 0
    assert strip_dateline("A man was arrested.") == 0


def test_caption_glued_to_sentence_is_cut_off() -> None:
    text = ("Haul: The cherry picker collecting drugs from the roof of HMP Altcourse in Liverpool "
            "The amount of drugs being thrown over the fence is so high that warders use a crane.")
    out = _check_offsets(text)
    assert out[-1] == ("The amount of drugs being thrown over the fence is so high that "
                       "warders use a crane.")


def test_long_quoted_paragraph_is_split_at_sentence_ends() -> None:
    text = ("'I had a taste of it at Hearts and really enjoyed it. I am fortunate I was put into "
            "this position at a great club. It is a fantastic opportunity for me and my family. "
            "But I have said all along, it is not about me.'")
    assert len(_check_offsets(text)) == 4


def test_empty_and_whitespace() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n\n ") == []


def test_non_english_and_huge_input() -> None:
    german = "Die Regierung hat am Montag ein neues Gesetz beschlossen. Es tritt im Mai in Kraft."
    assert len(split_sentences(german, "de")) == 2
    huge = "word " * 50_000
    assert split_sentences(huge, max_chars=5000)


def test_single_letter_label_is_not_a_runon_start() -> None:
    text = ("David McLachlan, prosecuting, said the consultant offered to help Nurse A with her "
            "training on December 23, 2013, Liverpool Crown Court heard.")
    assert len(_check_offsets(text)) == 1
