"""Merge the same story from several outlets into one item.

Two stories are the same when their titles and leads share most of their
content words (Jaccard similarity of word sets, stop words removed) — cheap,
language-agnostic for Latin scripts, and conservative: a false merge hides a
story, so the threshold leans towards keeping stories apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.records import StoryRecord

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOP = frozenset(
    ["the", "and", "for", "with", "that", "this", "from", "have", "has", "had", "was", "were", "are", "but", "not", "you", "your", "they", "their", "his", "her", "its", "our", "who", "what", "when", "where", "which", "will", "would", "could", "should", "into", "over", "after", "about", "than", "then", "them", "there", "these", "those", "been", "being", "said", "says", "also", "more", "most", "just", "like", "out", "new"]
)
SAME_STORY = 0.5


def _words(story: StoryRecord) -> frozenset[str]:
    lead = story.summary.key_points[0] if story.summary.key_points else ""
    text = f"{story.title} {lead}".lower()
    return frozenset(w for w in _WORD.findall(text) if w not in _STOP)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def cluster(stories: Sequence[StoryRecord], threshold: float = SAME_STORY) -> list[list[StoryRecord]]:
    """Group stories telling the same news; each group keeps input order and the
    first story of a group is its representative."""
    groups: list[tuple[frozenset[str], list[StoryRecord]]] = []
    for story in stories:
        words = _words(story)
        for head_words, members in groups:
            if similarity(words, head_words) >= threshold:
                members.append(story)
                break
        else:
            groups.append((words, [story]))
    return [members for _, members in groups]
