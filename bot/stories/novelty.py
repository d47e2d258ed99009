"""How much an article adds to what a reader already got about its story.

The digest shows a story once per chat; a later article of the same story is
shown again, once, as an update only when enough of what it says is new:
the share of its tf-idf weight (title and lead words, :func:`bot.stories.text.term_counts`)
carried by words absent from every article of the story the chat received.
Document frequencies come from the articles at hand (:class:`TermStats`), so
words every article uses ("said", the story's own names) weigh little and a
new figure or name weighs most.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from bot.stories.weights import TermStats


def term_stats(documents: Iterable[Mapping[str, int]]) -> TermStats:
    """Document frequencies over ``documents`` (each a word -> count map)."""
    stats = TermStats()
    for terms in documents:
        stats.add(terms)
    return stats


def novelty(article: Mapping[str, int], seen: Mapping[str, int], stats: TermStats) -> float:
    """Share (0..1) of ``article``'s tf-idf weight on words not in ``seen``;
    0 for an article without words (nothing to show as new)."""
    total = new = 0.0
    for term, count in article.items():
        if count <= 0:
            continue
        weight = (1 + math.log(count)) * stats.idf(term)
        total += weight
        if term not in seen:
            new += weight
    return new / total if total > 0 else 0.0


__all__ = ["novelty", "term_stats"]
