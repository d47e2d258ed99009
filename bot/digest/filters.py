"""A chat's topics and keyword filters applied to the stories of its digest.

- ``/mute <words>`` drops stories about the topic;
- ``/follow <words>`` ranks stories about the topic first (the rest stay);
- ``/subscribe <url> only:<words> not:<words>`` filters one feed for one chat: a
  story that only this feed brought must match one of ``only`` and none of
  ``not``; a story another, unfiltered subscription also carries stays.

Whether a story is "about" a topic is a :class:`TopicMatcher`'s call. The
default, :class:`KeywordMatcher`, matches the words as whole words (any case,
a phrase as a phrase) in the title, key points and quotes; a semantic matcher
(embeddings) plugs in through the same protocol.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from bot.domain import ChatTopics, FeedFilter
from bot.records import StoryRecord


class TopicMatcher(Protocol):
    """Decides whether a story is about a topic (a word or short phrase)."""

    def matches(self, topic: str, record: StoryRecord) -> bool: ...


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=512)
def _pattern(topic: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _fold(topic).split()]
    # whole words; a final "s" is optional either way (flood ~ floods)
    body = r"\W+".join(words)
    return re.compile(rf"(?<!\w){body}s?(?!\w)")


def story_text(record: StoryRecord) -> str:
    """The text a topic is looked for in: title, key points, quotes."""
    summary = record.summary
    parts = [record.title, *summary.key_points, *(q.text for q in summary.key_quotes)]
    return _fold(" ".join(parts))


class KeywordMatcher:
    """Exact keywords: the topic's words, in order, as whole words."""

    def matches(self, topic: str, record: StoryRecord) -> bool:
        if not topic.strip():
            return False
        base = topic.strip()
        stem = base[:-1] if base.lower().endswith("s") and len(base) > 3 else base
        text = story_text(record)
        return bool(_pattern(base).search(text) or _pattern(stem).search(text))


@dataclass(frozen=True, slots=True)
class Filtered:
    """The records that stay, and the ids of those about a followed topic."""

    records: tuple[StoryRecord, ...]
    followed: frozenset[int]
    muted: int = 0
    filtered: int = 0


def apply(
    records: Sequence[StoryRecord],
    topics: ChatTopics,
    feed_filters: Mapping[int, FeedFilter],
    article_feeds: Mapping[int, set[int]],
    matcher: TopicMatcher | None = None,
) -> Filtered:
    """Apply mutes, per-feed filters and follows (see the module docstring)."""
    matcher = matcher or KeywordMatcher()
    kept: list[StoryRecord] = []
    followed: set[int] = set()
    muted = filtered = 0
    for record in records:
        if any(matcher.matches(t, record) for t in topics.mute):
            muted += 1
            continue
        if feed_filters and not _admitted(record, feed_filters, article_feeds, matcher):
            filtered += 1
            continue
        kept.append(record)
        if any(matcher.matches(t, record) for t in topics.follow):
            followed.add(record.article_id)
    return Filtered(tuple(kept), frozenset(followed), muted, filtered)


def _admitted(record: StoryRecord, feed_filters: Mapping[int, FeedFilter],
              article_feeds: Mapping[int, set[int]], matcher: TopicMatcher) -> bool:
    feeds = article_feeds.get(record.article_id)
    if not feeds:
        return True
    for feed_id in feeds:
        rule = feed_filters.get(feed_id)
        if rule is None:
            return True  # an unfiltered subscription carries it
        if rule.include and not any(matcher.matches(w, record) for w in rule.include):
            continue
        if any(matcher.matches(w, record) for w in rule.exclude):
            continue
        return True
    return False


__all__ = ["Filtered", "KeywordMatcher", "TopicMatcher", "apply", "story_text"]
