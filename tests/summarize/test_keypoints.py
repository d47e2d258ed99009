"""Selection logic without the model."""

from __future__ import annotations

import numpy as np

from bot.extract.sentences import Sentence
from bot.summarize.keypoints import (
    SelectionConfig,
    candidate_sentences,
    lexical_support,
    quoted_fraction,
    relevance,
    select,
)


def _sents(*texts: str) -> list[Sentence]:
    out, pos = [], 0
    for t in texts:
        out.append(Sentence(t, pos, pos + len(t)))
        pos += len(t) + 1
    return out


def test_candidates_drop_scraps_captions_and_boilerplate() -> None:
    sents = _sents("Scroll down for video", "Short one.",
                   "Flying high: the kite over Chongqing last Saturday",
                   "The kite was the largest ever flown in the country.")
    assert [s.text for s in candidate_sentences(sents, SelectionConfig())] == [
        "The kite was the largest ever flown in the country."]


def test_quoted_fraction() -> None:
    assert quoted_fraction("The mayor resigned on Friday.") == 0
    assert quoted_fraction('"I will not go back," she said.') > 0.5
    assert quoted_fraction("'It was the best day of my life,' he told reporters.") > 0.5


def test_position_prior_without_embeddings_prefers_the_lead() -> None:
    sents = _sents(*(f"This is sentence number {i} of the story with some words." for i in range(6)))
    cfg = SelectionConfig()
    scores = relevance(sents, None, None, cfg)
    assert [s.text for s in select(sents, scores, 3, None, cfg)] == [s.text for s in sents[:3]]


def test_near_duplicates_are_skipped_and_order_is_article_order() -> None:
    sents = _sents("A first sentence of the story.", "A second sentence of the story.",
                   "A third sentence of the story.")
    emb = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    cfg = SelectionConfig()
    chosen = select(sents, [3.0, 2.0, 1.0], 2, emb, cfg)
    assert [s.text for s in chosen] == ["A first sentence of the story.", "A third sentence of the story."]


def test_title_similarity_moves_a_sentence_up() -> None:
    sents = _sents(*(f"Sentence {i} says something about the topic today." for i in range(5)))
    emb = np.eye(5, dtype=np.float32)
    cfg = SelectionConfig(w_title=5.0)
    scores = relevance(sents, emb, emb[4], cfg)
    assert sents[4] in select(sents, scores, 2, emb, cfg)


ARTICLE = ("The city council approved the new budget on Monday. "
           "Residents had mixed feelings about the weather. "
           "The mayor said the new budget would cut taxes. "
           "Officials expect the new budget to pass the state review.")


def test_lexical_support_is_the_share_of_bigrams_the_rest_of_the_article_repeats() -> None:
    first, weather = _sents("The city council approved the new budget on Monday.",
                            "Residents had mixed feelings about the weather.")
    support = lexical_support([first, weather], ARTICLE)
    # "the new" and "new budget" recur later (2 of 8 bigrams); nothing about the weather does.
    assert support == [2 / 8, 0.0]


def test_a_repeated_copy_of_the_sentence_does_not_support_it() -> None:
    (caption,) = _sents("Residents had mixed feelings about the weather.")
    assert lexical_support([caption], ARTICLE + " " + caption.text) == [0.0]
    assert lexical_support(_sents("Hi."), ARTICLE) == [0.0]


def test_support_moves_a_restated_fact_above_an_aside() -> None:
    sents = _sents("The city council approved the new budget on Monday.",
                   "Residents had mixed feelings about the weather.",
                   "The mayor said the new budget would cut taxes.")
    cfg = SelectionConfig(w_len=0.0, w_support=2.0)
    chosen = select(sents, relevance(sents, None, None, cfg, ARTICLE), 2, None, cfg)
    assert [s.text for s in chosen] == [sents[0].text, sents[2].text]
    without = select(sents, relevance(sents, None, None, cfg), 2, None, cfg)
    assert [s.text for s in without] == [sents[0].text, sents[1].text]
