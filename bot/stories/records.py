"""The records story assignment reads and writes, and its settings.

Plain frozen dataclasses (plus numpy vectors): the store persists them, the
clusterer decides on them, nothing here knows SQL or a model.

Vectors are stored compactly as float16 (768 bytes for MiniLM's 384
dimensions; the cosine error against float32 is about 1e-4, far below any
threshold used here), see :func:`pack_vector` / :func:`unpack_vector`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

DIMENSIONS = 384


def pack_vector(vector: np.ndarray) -> bytes:
    """Unit vector -> little-endian float16 bytes (what the store keeps)."""
    array = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(array))
    if norm > 0:
        array = array / norm
    return array.astype("<f2").tobytes()


def unpack_vector(data: bytes) -> np.ndarray:
    """float16 bytes -> float32 unit vector; a corrupt blob raises ValueError."""
    if not data or len(data) % 2:
        raise ValueError(f"not a float16 vector: {len(data)} bytes")
    array = np.frombuffer(data, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """Settings of story assignment. Defaults and their stability are reported
    in ``docs/stories.md``; ``bench/story_sets.py`` rebuilds the hard set they
    were chosen on.

    * ``window``: an article joins a story only if it is within ``window`` of
      every article already in it (so a story spans at most ``window``, and a
      follow-up a week later starts a new story).
    * ``join``: story score needed to join: ``(1 - sparse_weight)`` times the
      cosine of the article's embedding with the story's centroid plus
      ``sparse_weight`` times the tf-idf cosine of their title-and-lead words.
    * ``sparse_weight``: the share of the tf-idf cosine in the story score.
    * ``floor``: centroid cosine below which a story is not even scored.
    * ``link``: cosine needed with *every* member kept for the check
      (complete link): stops a story drifting, one near neighbour at a time,
      into another event.
    * ``lexical_join``: share of the smaller word set needed in the lexical
      rule used for languages the embedding model does not cover.
    * ``young_documents`` / ``young_dense``: while fewer than
      ``young_documents`` articles of the language have been seen (a fresh
      install), word rarity is not known yet ("the" and "Lisbon" weigh alike),
      so a join also needs the embedding cosine with the story's centroid to
      reach ``young_dense`` on its own (the plain-cosine rule, precision 1.00
      on BASIL).
    """

    window: timedelta = timedelta(days=3)
    join: float = 0.425
    sparse_weight: float = 0.5
    floor: float = 0.25
    link: float = 0.40
    lexical_join: float = 0.5
    lexical_min_shared: int = 4
    embedding_languages: frozenset[str] = frozenset({"en", "und"})
    candidates: int = 5
    members_kept: int = 16
    young_documents: int = 20
    young_dense: float = 0.6

    def __post_init__(self) -> None:
        if self.window <= timedelta(0):
            raise ValueError("story window must be positive")
        if not 0.0 <= self.sparse_weight <= 1.0:
            raise ValueError(f"sparse_weight must be within [0, 1], got {self.sparse_weight}")
        for name in ("join", "link", "lexical_join", "floor", "young_dense"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [-1, 1], got {value}")
        if self.candidates < 1 or self.members_kept < 1 or self.young_documents < 0:
            raise ValueError("candidates and members_kept must be >= 1, young_documents >= 0")


@dataclass(frozen=True, slots=True)
class ArticleSignature:
    """What story assignment knows of one article.

    ``vector`` is the unit MiniLM embedding of :func:`bot.stories.text.embedding_text`
    (``None`` for languages outside ``StoryConfig.embedding_languages``);
    ``words`` feed the lexical rule; ``published`` is timezone-aware.
    """

    article_id: str
    language: str
    published: datetime
    outlet: str
    title: str
    words: frozenset[str]
    vector: np.ndarray | None = field(default=None, compare=False)
    terms: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(slots=True)
class StoryState:
    """A story as the clusterer needs it: its time span, centroid, summed term
    counts, (up to ``members_kept``) members, and outlets.

    Mutable on purpose: the in-memory index updates it in place as articles
    join. The store keeps ``centroid_sum`` (float16 of the unnormalised sum)
    and ``size`` so the centroid updates without reading every member.
    """

    story_id: str
    language: str
    first_seen: datetime
    last_seen: datetime
    size: int
    centroid_sum: np.ndarray | None
    members: list[ArticleSignature]
    outlets: set[str]
    words: set[str]
    term_sum: dict[str, int] = field(default_factory=dict)
    version: int = 0  # bumped on every change (caches of derived weights key on it)

    @classmethod
    def start(cls, story_id: str, article: ArticleSignature) -> StoryState:
        return cls(
            story_id=story_id, language=article.language, first_seen=article.published,
            last_seen=article.published, size=1,
            centroid_sum=None if article.vector is None else article.vector.astype(np.float32).copy(),
            members=[article], outlets={article.outlet}, words=set(article.words),
            term_sum=dict(article.terms),
        )

    @property
    def centroid(self) -> np.ndarray | None:
        if self.centroid_sum is None:
            return None
        norm = float(np.linalg.norm(self.centroid_sum))
        return self.centroid_sum / norm if norm > 0 else self.centroid_sum

    def add(self, article: ArticleSignature, members_kept: int) -> None:
        self.size += 1
        self.first_seen = min(self.first_seen, article.published)
        self.last_seen = max(self.last_seen, article.published)
        if article.vector is not None:
            vector = article.vector.astype(np.float32)
            self.centroid_sum = vector.copy() if self.centroid_sum is None else self.centroid_sum + vector
        # Keep the first article (the story's seed) and the most recent ones.
        self.members.append(article)
        if len(self.members) > members_kept:
            del self.members[1]
        self.outlets.add(article.outlet)
        self.words |= article.words
        for term, count in article.terms.items():
            self.term_sum[term] = self.term_sum.get(term, 0) + count
        self.version += 1


@dataclass(frozen=True, slots=True)
class Decision:
    """The clusterer's answer for one article.

    ``story_id`` is ``None`` for a new story; ``score`` is the centroid cosine
    (or lexical overlap) of the story joined or of the best candidate refused;
    ``reason`` names the rule that decided (traceable in logs and in eval).
    """

    story_id: str | None
    score: float
    reason: str
    candidates: int = 0
