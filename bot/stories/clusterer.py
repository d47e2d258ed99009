"""Incremental story clustering: an article joins the best story or starts one.

The decision for an English (embedded) article, in order:

1. **Candidates**: up to ``candidates`` stories of the same language first
   seen within ``window``, whose centroid cosine with the article's MiniLM
   embedding (title + first 60 words) is at least ``floor``.
2. **Score**: ``(1 - sparse_weight) * centroid cosine + sparse_weight *
   tf-idf cosine`` of title-and-lead words, with document frequencies learned
   from the stream (:mod:`bot.stories.weights`). The embedding says "same
   topic"; the rare words it shares with the story (names, places, figures)
   say "same event": "Clinton wins South Dakota" and "Clinton wins Puerto
   Rico" embed close, but share no rare word. The best story scoring at least
   ``join`` is joined, if it passes 3 and 4.
3. **Time**: every article of the story is within ``window`` of this one
   (complete link in time: a story spans at most the window, so a follow-up a
   week later starts a new story).
4. **Complete link**: the embedding cosine with every kept member is at least
   ``link``, so a near neighbour cannot pull an article into a story that has
   drifted elsewhere one article at a time (single-link chaining).
5. **Young stream**: while the language has fewer than ``young_documents``
   articles, word rarity is unknown, so the centroid cosine alone must reach
   ``young_dense`` (a fresh install merged two Lisbon stories on "Lisbon",
   "Tuesday" and "said").

Languages outside ``embedding_languages`` (MiniLM is English-only) use a
conservative lexical rule: the article shares at least ``lexical_join`` of its
(or the member's, whichever is smaller) title-and-lead words with a member,
and at least ``lexical_min_shared`` words, and half that with every kept
member. Nothing is ever merged across languages.

The clusterer is pure and synchronous: :meth:`StoryClusterer.decide` reads the
in-memory index, :meth:`StoryClusterer.commit` records the outcome once the
store has saved it (see :mod:`bot.stories.service`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from bot.stories.index import StoryIndex
from bot.stories.records import ArticleSignature, Decision, StoryConfig, StoryState
from bot.stories.weights import TermStats


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, int]:
    if not a or not b:
        return 0.0, 0
    shared = len(a & b)
    return shared / min(len(a), len(b)), shared


class StoryClusterer:
    """Decides story membership against a :class:`StoryIndex` of the window."""

    def __init__(self, config: StoryConfig | None = None, index: StoryIndex | None = None) -> None:
        self.config = config or StoryConfig()
        self.index = index or StoryIndex()
        self._latest: datetime | None = None
        self._stats: dict[str, TermStats] = {}

    def stats(self, language: str) -> TermStats:
        stats = self._stats.get(language)
        if stats is None:
            stats = self._stats[language] = TermStats()
        return stats

    def in_window(self, story: StoryState, when: datetime) -> bool:
        window = self.config.window
        return story.last_seen - window <= when <= story.first_seen + window

    def decide(self, article: ArticleSignature) -> Decision:
        """Which story ``article`` joins (``story_id=None``: a new one)."""
        if article.vector is not None and article.language in self.config.embedding_languages:
            return self._decide_embedded(article, article.vector)
        return self._decide_lexical(article)

    def _decide_embedded(self, article: ArticleSignature, vector: np.ndarray) -> Decision:
        config = self.config
        when = article.published
        nearest = self.index.nearest(article.language, vector, when - config.window,
                                     when + config.window, config.candidates, config.floor)
        stats = self.stats(article.language)
        weight = config.sparse_weight
        candidates = sorted(
            (((1 - weight) * dense + weight * stats.cosine(article.terms, story.story_id,
                                                           story.version, story.term_sum),
              dense, story)
             for dense, story in nearest),
            key=lambda item: -item[0])
        refused = Decision(None, candidates[0][0] if candidates else 0.0, "below-join",
                           len(candidates))
        young = stats.documents < config.young_documents
        for score, dense, story in candidates:
            if score < config.join:
                break
            if young and dense < config.young_dense:
                refused = _first_refusal(refused, score, "young", len(candidates))
                continue
            if not self.in_window(story, when):
                refused = _first_refusal(refused, score, "window", len(candidates))
                continue
            vectors = [m.vector for m in story.members if m.vector is not None]
            if vectors and float(np.min(np.stack(vectors) @ vector)) < config.link:
                refused = _first_refusal(refused, score, "link", len(candidates))
                continue
            return Decision(story.story_id, score, "joined", len(candidates))
        return refused

    def _decide_lexical(self, article: ArticleSignature) -> Decision:
        config = self.config
        when = article.published
        if len(article.words) < config.lexical_min_shared:
            return Decision(None, 0.0, "too-few-words")
        candidates = self.index.sharing_words(article.language, article.words, when - config.window,
                                              when + config.window, config.candidates)
        best = Decision(None, 0.0, "below-join", len(candidates))
        for shared_count, story in candidates:
            if shared_count < config.lexical_min_shared or not self.in_window(story, when):
                continue
            overlaps = [_overlap(article.words, m.words) for m in story.members]
            top, shared = max(overlaps)
            low = min(o for o, _ in overlaps)
            if top >= config.lexical_join and shared >= config.lexical_min_shared \
                    and low >= config.lexical_join / 2:
                return Decision(story.story_id, top, "lexical", len(candidates))
            if top > best.score:
                best = Decision(None, top, "lexical-refused", len(candidates))
        return best

    def commit(self, article: ArticleSignature, story_id: str) -> StoryState:
        """Record that ``article`` is now in ``story_id`` (new or existing)."""
        story = self.index.get(story_id)
        if story is None:
            story = StoryState.start(story_id, article)
        else:
            story.add(article, self.config.members_kept)
        self.index.put(story)
        self.stats(article.language).add(article.terms)
        self._evict(article.published)
        return story

    def load(self, story: StoryState) -> bool:
        """Put a story read back from the store into the index (warm start);
        its kept members count towards the document frequencies. A story the
        index already holds is left as it is (False)."""
        if story.story_id in self.index:
            return False
        self.index.put(story)
        stats = self.stats(story.language)
        for member in story.members:
            stats.add(member.terms)
        return True

    @property
    def horizon(self) -> datetime | None:
        """Stories first seen before this are evicted (or never loaded): no
        article can reach them any more."""
        if self._latest is None:
            return None
        cutoff = self._latest - 2 * self.config.window - timedelta(days=1)
        return cutoff.replace(hour=0, minute=0, second=0, microsecond=0)

    def refresh(self, story: StoryState) -> bool:
        """Catch up with a story as the store has it now (another process may
        have added articles or started it); True when the index changed.
        Members the index did not know count towards the document frequencies.
        A story behind the horizon stays out (it was evicted on purpose)."""
        horizon = self.horizon
        if horizon is not None and story.first_seen < horizon:
            return False
        known = self.index.get(story.story_id)
        if known is None:
            return self.load(story)
        if story.size <= known.size:
            return False
        seen = {m.article_id for m in known.members}
        stats = self.stats(story.language)
        for member in story.members:
            if member.article_id not in seen:
                stats.add(member.terms)
        story.version = known.version + 1
        self.index.put(story)
        return True

    def _evict(self, when: datetime) -> None:
        """Drop buckets no article can reach any more (two windows behind the
        latest article: late arrivals still find their story)."""
        if self._latest is None or when > self._latest:
            self._latest = when
            horizon = self.horizon
            assert horizon is not None
            for story_id in self.index.evict_before(horizon):
                for stats in self._stats.values():
                    stats.forget(story_id)


def _first_refusal(current: Decision, score: float, reason: str, candidates: int) -> Decision:
    """The best candidate's refusal reason is the one worth reporting."""
    if current.reason == "below-join":
        return Decision(None, score, reason, candidates)
    return current
