"""Inverse document frequencies learned from the stream itself, and the tf-idf
cosine between an article and a story.

No background corpus and no stop list: a word's weight is
``log((N + PRIOR) / (df + 1))`` over the N articles seen so far in that
language, so words every article uses ("said", "Trump" in an election year)
fade, and the names, places and figures that tell one event from another weigh
most. ``PRIOR`` pseudo-documents keep a young stream (a fresh install, the
first articles after a restart) from weighing every shared word at zero.
Term frequency is sublinear (``1 + log count``); a story's terms are the sum of
its members' counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: Pseudo-documents that contain no word: with N articles seen, a word in all
#: of them still weighs log((N + PRIOR) / (N + 1)) > 0 while N is small.
PRIOR = 10


class TermStats:
    """Document frequencies of one language's articles."""

    __slots__ = ("_norms", "df", "documents")

    def __init__(self) -> None:
        self.df: dict[str, int] = {}
        self.documents = 0
        # story id -> (story version, documents when computed, norm)
        self._norms: dict[str, tuple[int, int, float]] = {}

    def add(self, terms: Mapping[str, int]) -> None:
        self.documents += 1
        for term in terms:
            self.df[term] = self.df.get(term, 0) + 1

    def idf(self, term: str) -> float:
        return math.log((self.documents + PRIOR) / (self.df.get(term, 0) + 1))

    def _norm(self, terms: Mapping[str, int]) -> float:
        total = 0.0
        for term, count in terms.items():
            weight = (1 + math.log(count)) * self.idf(term)
            total += weight * weight
        return math.sqrt(total)

    def story_norm(self, story_id: str, version: int, terms: Mapping[str, int]) -> float:
        """The story's tf-idf norm, recomputed when the story changed or the
        stream grew by a tenth since (idf drifts slowly)."""
        cached = self._norms.get(story_id)
        if cached is not None and cached[0] == version and self.documents <= cached[1] * 1.1 + 10:
            return cached[2]
        norm = self._norm(terms)
        self._norms[story_id] = (version, self.documents, norm)
        return norm

    def forget(self, story_id: str) -> None:
        self._norms.pop(story_id, None)

    def cosine(self, article: Mapping[str, int], story_id: str, version: int,
               story: Mapping[str, int]) -> float:
        if not article or not story:
            return 0.0
        dot = 0.0
        article_total = 0.0
        for term, count in article.items():
            idf = self.idf(term)
            weight = (1 + math.log(count)) * idf
            article_total += weight * weight
            other = story.get(term)
            if other:
                dot += weight * (1 + math.log(other)) * idf
        norm = math.sqrt(article_total) * self.story_norm(story_id, version, story)
        return dot / norm if norm > 0 else 0.0
