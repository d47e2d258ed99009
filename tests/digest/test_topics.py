"""Topic matching for /follow and /mute, without the model."""

from __future__ import annotations

import numpy as np

from bot.digest.topics import MUTE_THRESHOLD, Topic, judge, phrases, unit_rows


def test_phrases_split_dedupe_and_bound() -> None:
    assert phrases(" formula  one , F1; formula one ,, ") == ("formula one", "F1")
    assert len(phrases(",".join(f"t{i}" for i in range(20)))) == 5
    assert phrases("x" * 500) == ("x" * 100,)


def test_keywords_match_whole_words_only_and_ignore_case() -> None:
    topic = Topic("formula one, golf")
    assert topic.keyword_hit("Hamilton wins the Formula One race in Monaco")
    assert topic.keyword_hit("GOLF: McIlroy leads")
    assert not topic.keyword_hit("Golfers and formulaic one-liners")


def test_semantic_match_uses_the_best_phrase() -> None:
    vectors = unit_rows(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    topic = Topic("space, oceans", vectors)
    story = np.array([0.1, 0.9, 0.0])
    assert topic.similarity(story) > 0.9
    assert topic.matches("no keyword here", story)
    assert not topic.matches("no keyword here", np.array([0.0, 0.0, 1.0]))
    assert not Topic("space").matches("no keyword here", story)  # no vectors: keywords only


def test_mute_wins_and_is_stricter_than_follow() -> None:
    between = MUTE_THRESHOLD - 0.05
    vec = unit_rows(np.array([[1.0, 0.0]]))
    story = np.array([between, float(np.sqrt(1 - between**2))])
    mute, follow = Topic("economy", vec), Topic("economy", vec)
    assert judge("Markets", story, follows=[follow], mutes=[mute]).followed
    assert not judge("Markets", story, follows=[follow], mutes=[mute]).muted
    verdict = judge("The economy shrank", None, follows=[follow], mutes=[mute])
    assert verdict.muted and not verdict.followed
