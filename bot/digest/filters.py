"""A chat's topics and keyword filters applied to the stories of its digest.

- ``/mute <words>`` drops stories about the topic;
- ``/follow <words>`` ranks stories about the topic first (the rest stay);
- ``/subscribe <url> only:<words> not:<words>`` filters one feed for one chat: a
  story that only this feed brought must match one of ``only`` and none of
  ``not``; a story another, unfiltered subscription also carries stays.

Whether a story is about a followed or muted topic is
:func:`bot.digest.topics.judge`'s call (the whole words of the topic in the
story's title, key points and quotes, or its MiniLM vector close to the
topic's, with a stricter threshold for a mute; mute wins over follow). The
vectors are optional: without them (no model in this process, a story without
a vector) the keyword path decides alone. A feed's ``only:``/``not:`` words
are exact keywords (:class:`KeywordMatcher`): a reader who writes
``only:ferry`` means that word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from bot.digest import topics as topic_rules
from bot.domain import ChatTopics, FeedFilter
from bot.records import StoryRecord

EmbedTopics = Callable[[Sequence[str]], np.ndarray]
"""Embeds topic phrases (MiniLM; rows in the order given), from the composition root."""


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


def _topics(texts: Sequence[str], embed: EmbedTopics | None) -> list[topic_rules.Topic]:
    out = []
    for text in texts:
        vectors = None
        if embed is not None:
            try:
                vectors = topic_rules.unit_rows(embed(topic_rules.phrases(text)))
            except Exception:  # no model here: the keyword path decides alone
                vectors = None
        out.append(topic_rules.Topic(text, vectors))
    return out


def apply(
    records: Sequence[StoryRecord],
    topics: ChatTopics,
    feed_filters: Mapping[int, FeedFilter],
    article_feeds: Mapping[int, set[int]],
    matcher: TopicMatcher | None = None,
    *,
    vectors: Mapping[int, np.ndarray] | None = None,
    embed: EmbedTopics | None = None,
) -> Filtered:
    """Apply mutes, per-feed filters and follows (see the module docstring).

    ``vectors``: story vectors by article id; ``embed``: embeds topic phrases.
    Both optional (keywords only without them)."""
    matcher = matcher or KeywordMatcher()
    follows, mutes = _topics(topics.follow, embed), _topics(topics.mute, embed)
    vectors = vectors or {}
    kept: list[StoryRecord] = []
    followed: set[int] = set()
    muted = filtered = 0
    for record in records:
        verdict = topic_rules.judge(story_text(record), vectors.get(record.article_id),
                                    follows, mutes)
        if verdict.muted:
            muted += 1
            continue
        if feed_filters and not _admitted(record, feed_filters, article_feeds, matcher):
            filtered += 1
            continue
        kept.append(record)
        if verdict.followed:
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
