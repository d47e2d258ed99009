"""Does a story match a chat's topic? ``/follow`` and ``/mute`` in one place.

A topic is what a reader typed ("formula one", "climate, energy"): one or more
comma-separated phrases. A story matches when

* any phrase occurs in its title or lead as whole words (case-insensitive;
  the exact-keyword path, which also serves languages the model does not
  know), or
* the MiniLM embedding of the phrase is close enough to the story's signature
  embedding (title and lead, the vector story assignment already computed):
  cosine >= ``FOLLOW_THRESHOLD`` for a follow, ``MUTE_THRESHOLD`` for a mute.

The two thresholds differ on purpose. A false follow only moves a story up;
a false mute hides news the reader never sees, so muting asks for more.

Pure functions over vectors the caller brings: this module never loads the
model (``bot/summarize`` does), so the digest can filter without torch.

The thresholds were read off a labelled set built from CNN/DM's own section
labels, not from judgement of the articles: ``bench/topics.py`` prints the
precision/recall curve and the split-half choices (best F1 chosen on one half of
the topics: 0.20 and 0.25). MiniLM is a weak judge of a one-word topic against
a lead (F1 about 0.45 at the follow threshold, precision about 0.67 at the mute
threshold on that set): the exact-keyword path stays the dependable one, and
the semantic path is a recall aid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Cosine between a topic phrase and a title+lead embedding at or above which
#: the story counts as about the topic (module docstring, bench/topics.py).
FOLLOW_THRESHOLD = 0.20
MUTE_THRESHOLD = 0.30
#: Longest topic a reader may set (characters) and most phrases per topic.
MAX_TOPIC_CHARS = 100
MAX_PHRASES = 5

_SPLIT = re.compile(r"\s*[,;]\s*")


def phrases(topic: str) -> tuple[str, ...]:
    """The phrases of a topic as typed: comma- or semicolon-separated, whitespace
    collapsed, empty ones dropped, at most ``MAX_PHRASES``."""
    parts = (" ".join(p.split()) for p in _SPLIT.split(topic[:MAX_TOPIC_CHARS]))
    seen: dict[str, None] = {}
    for part in parts:
        if part and part.casefold() not in (k.casefold() for k in seen):
            seen[part] = None
    return tuple(seen)[:MAX_PHRASES]


def _word_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Topic:
    """A reader's topic with the embeddings of its phrases (``vectors`` rows are
    unit length, one per phrase; ``None`` when the model is not available)."""

    text: str
    vectors: np.ndarray | None = None
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(_word_pattern(p) for p in phrases(self.text)))

    @property
    def phrases(self) -> tuple[str, ...]:
        return phrases(self.text)

    def keyword_hit(self, text: str) -> bool:
        """Any phrase as whole words in ``text``."""
        return any(p.search(text) for p in self._patterns)

    def similarity(self, story_vector: np.ndarray | None) -> float:
        """Best cosine between a phrase and the story's unit-length vector (0.0 without vectors)."""
        if self.vectors is None or story_vector is None or not len(self.vectors):
            return 0.0
        norm = float(np.linalg.norm(story_vector))
        if norm == 0.0:
            return 0.0
        return float(np.max(self.vectors @ (story_vector / norm)))

    def matches(self, text: str, story_vector: np.ndarray | None,
                threshold: float = FOLLOW_THRESHOLD) -> bool:
        """True when the story (its title and lead as ``text``, and its vector) is about the topic."""
        return self.keyword_hit(text) or self.similarity(story_vector) >= threshold


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a chat's topics say about one story."""

    muted: bool
    followed: bool


def judge(text: str, story_vector: np.ndarray | None, follows: Sequence[Topic],
          mutes: Sequence[Topic]) -> Verdict:
    """``muted``: drop the story; ``followed``: rank it up. Mute wins over follow
    (a reader who mutes "football" does not want it because they follow "sport")."""
    muted = any(t.matches(text, story_vector, MUTE_THRESHOLD) for t in mutes)
    followed = not muted and any(t.matches(text, story_vector, FOLLOW_THRESHOLD) for t in follows)
    return Verdict(muted=muted, followed=followed)
