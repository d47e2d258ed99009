from __future__ import annotations

import pytest

from bot.extract.boilerplate import has_caption_label, is_boilerplate, looks_like_caption


@pytest.mark.parametrize("text", [
    "Credit: AP",
    "Photo: Getty Images",
    "Read more",
    "READ MORE: The full story here",
    "Want a quick and expert briefing on the biggest news stories? Listen to our latest podcasts",
    "CNN's Jane Doe has the latest.",
    "By . Daily Mail Reporter .",
    "PUBLISHED: 12:01 EST, 3 May 2013 | UPDATED: 13:00 EST, 3 May 2013",
    "Scroll down for video",
    "We use cookies to improve your experience.",
    "Subscribe now to continue reading.",
    "Click here to sign up.",
    "Strictly business: Julia covers the supplement, which is featured in the May issue",
    "Fowler (right) with his girlfriend at the Masters on Sunday",
])
def test_boilerplate(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize("text", [
    "By the time police arrived, the gunman had fled.",
    "More than 10,000 have not survived.",
    "The photo was taken on Monday by a tourist.",
    "He said: 'It was the best day of my life.'",
    "Police have arrested a 34-year-old man.",
    "The podcast host said the show would return in May.",
])
def test_story_sentences_survive(text: str) -> None:
    assert not is_boilerplate(text)


def test_caption_needs_missing_full_stop() -> None:
    assert looks_like_caption("Pictured: the scene in Leeds on Friday")
    assert not looks_like_caption("Pictured: the scene in Leeds on Friday.")


@pytest.mark.parametrize("text", [
    "Tragic: The man, named only as Mr Zhang, was thrown off his motorbike.",
    "Star-crossed lovers: The couple met at school in 1998.",
    "Lengthy prison sentence: He was jailed for nine years.",
])
def test_labelled_caption(text: str) -> None:
    assert has_caption_label(text)


@pytest.mark.parametrize("text", [
    "He said: 'It was the best day of my life.'",
    "The statement reads: 'We are cooperating fully.'",
    "UPDATE: Police have arrested a second man.",
    "Exclusive: The minister is to resign on Friday.",
    "The reasons were simple: money and time.",
    "There is one rule: nobody leaves.",
    "Police arrested a 34-year-old man.",
])
def test_not_a_labelled_caption(text: str) -> None:
    assert not has_caption_label(text)
