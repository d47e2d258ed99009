"""In-memory candidate index of the stories in the time window, bucketed by day.

Each (language, day of the story's first article) bucket keeps its stories'
centroids as rows of one float32 matrix, so the candidates for an article are
a few matrix-vector products over the buckets its window touches, not a loop
over stories: about 1-2 ms for 20,000 stories on one core (``bench/story_assign.py``).
Stories of languages without embeddings are found through an inverted index of
their words instead.

With many stories in the window the scan has two stages: a sketch of each
centroid on the top ``SKETCH_DIMS`` principal directions of the index's own
centroids (refitted as the index grows; no shipped weights) shortlists
``SHORTLIST`` stories, and only those are scored exactly. The sketch matrix
of 20,000 stories is 5 MB and stays in cache, where the full one (30 MB) is
read from memory for every article. Up to ``EXACT_UP_TO`` stories the scan
is exact.

Old buckets are dropped by :meth:`StoryIndex.evict_before`; a story whose
first article moves to an earlier day (an article published before it joined)
is moved to that day's bucket.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from bot.stories.records import DIMENSIONS, StoryState

#: Stories (with vectors) in the scanned buckets up to which the scan is exact.
EXACT_UP_TO = 4_000
#: Principal directions kept in the sketch, and stories the sketch shortlists.
SKETCH_DIMS = 64
SHORTLIST = 128
#: Centroids sampled to fit the sketch's directions.
_FIT_SAMPLE = 4_000


@dataclass(slots=True)
class _Bucket:
    rows: np.ndarray = field(default_factory=lambda: np.zeros((16, DIMENSIONS), dtype=np.float32))
    small: np.ndarray | None = None  # rows projected on the sketch basis
    ids: list[str] = field(default_factory=list)
    slot: dict[str, int] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def put_vector(self, story_id: str, centroid: np.ndarray, basis: np.ndarray | None) -> bool:
        """Store a centroid; True when the story is new to this bucket."""
        row = self.slot.get(story_id)
        new = row is None
        if row is None:
            row = len(self.ids)
            if row == len(self.rows):
                grown = np.zeros((2 * len(self.rows), DIMENSIONS), dtype=np.float32)
                grown[:row] = self.rows[:row]
                self.rows = grown
                if self.small is not None:
                    small = np.zeros((len(grown), self.small.shape[1]), dtype=np.float32)
                    small[:row] = self.small[:row]
                    self.small = small
            self.ids.append(story_id)
            self.slot[story_id] = row
        self.rows[row] = centroid
        if basis is not None:
            if self.small is None or self.small.shape[1] != basis.shape[1]:
                self.project(basis)
            else:
                self.small[row] = centroid @ basis
        return new

    def project(self, basis: np.ndarray) -> None:
        self.small = np.zeros((len(self.rows), basis.shape[1]), dtype=np.float32)
        n = len(self.ids)
        if n:
            self.small[:n] = self.rows[:n] @ basis

    def drop(self, story_id: str) -> None:
        row = self.slot.pop(story_id, None)
        if row is None:
            return
        last = len(self.ids) - 1
        if row != last:  # move the last row into the hole
            moved = self.ids[last]
            self.rows[row] = self.rows[last]
            if self.small is not None:
                self.small[row] = self.small[last]
            self.ids[row] = moved
            self.slot[moved] = row
        self.ids.pop()
        for ids in self.postings.values():
            ids.discard(story_id)


def _day(when: datetime) -> date:
    return when.date()


class StoryIndex:
    """Stories by (language, first day); nearest centroids or shared words."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, date], _Bucket] = {}
        self._stories: dict[str, StoryState] = {}
        self._home: dict[str, tuple[str, date]] = {}
        self._vectors: dict[str, int] = defaultdict(int)  # stories with a centroid, by language
        self._basis: dict[str, np.ndarray] = {}
        self._fitted_at: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._stories)

    def __contains__(self, story_id: object) -> bool:
        return story_id in self._stories

    def get(self, story_id: str) -> StoryState | None:
        return self._stories.get(story_id)

    def stories(self) -> Iterator[StoryState]:
        return iter(self._stories.values())

    def put(self, story: StoryState) -> None:
        """Add a story or refresh it after an article joined."""
        home = (story.language, _day(story.first_seen))
        old = self._home.get(story.story_id)
        if old is not None and old != home:
            if story.story_id in self._buckets[old].slot:
                self._vectors[story.language] -= 1
            self._buckets[old].drop(story.story_id)
        bucket = self._buckets.setdefault(home, _Bucket())
        self._stories[story.story_id] = story
        self._home[story.story_id] = home
        centroid = story.centroid
        if centroid is not None:
            if bucket.put_vector(story.story_id, centroid, self._basis.get(story.language)):
                self._vectors[story.language] += 1
                self._maybe_fit(story.language)
        else:
            for word in story.words:
                bucket.postings[word].add(story.story_id)

    def _maybe_fit(self, language: str) -> None:
        """(Re)fit the sketch directions when the language's stories first pass
        ``EXACT_UP_TO``, then each time their number doubles."""
        count = self._vectors[language]
        if count < EXACT_UP_TO or count < 2 * self._fitted_at.get(language, 0):
            return
        buckets = [b for (lang, _), b in self._buckets.items() if lang == language and b.ids]
        sample = np.concatenate([b.rows[:len(b.ids)] for b in buckets])
        if len(sample) > _FIT_SAMPLE:
            step = len(sample) / _FIT_SAMPLE
            sample = sample[(np.arange(_FIT_SAMPLE) * step).astype(int)]
        # Uncentred second moments: the directions that carry the dot products.
        _, vectors = np.linalg.eigh(sample.T @ sample)
        basis = np.ascontiguousarray(vectors[:, ::-1][:, :SKETCH_DIMS], dtype=np.float32)
        self._basis[language] = basis
        self._fitted_at[language] = count
        for bucket in buckets:
            bucket.project(basis)

    def _buckets_between(self, language: str, start: datetime, end: datetime) -> Iterator[_Bucket]:
        day, last = _day(start), _day(end)
        while day <= last:
            bucket = self._buckets.get((language, day))
            if bucket is not None:
                yield bucket
            day = date.fromordinal(day.toordinal() + 1)

    def nearest(self, language: str, vector: np.ndarray, start: datetime, end: datetime,
                k: int, floor: float) -> list[tuple[float, StoryState]]:
        """Up to ``k`` stories first seen in ``[start, end]`` whose centroid
        cosine with ``vector`` is at least ``floor``, best first."""
        query = np.asarray(vector, dtype=np.float32)
        buckets = [b for b in self._buckets_between(language, start, end) if b.ids]
        basis = self._basis.get(language)
        if basis is not None and sum(len(b.ids) for b in buckets) > EXACT_UP_TO:
            return self._nearest_sketched(buckets, basis, query, k, floor)
        found: list[tuple[float, str]] = []
        for bucket in buckets:
            n = len(bucket.ids)
            if not n:
                continue
            scores = bucket.rows[:n] @ query
            hits = np.flatnonzero(scores >= floor)
            if len(hits) > k:
                hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
            found.extend((float(scores[i]), bucket.ids[i]) for i in hits)
        found.sort(key=lambda item: -item[0])
        return [(score, self._stories[sid]) for score, sid in found[:k]]

    def _nearest_sketched(self, buckets: list[_Bucket], basis: np.ndarray, query: np.ndarray,
                          k: int, floor: float) -> list[tuple[float, StoryState]]:
        """Shortlist on the sketch, then score the shortlist exactly."""
        small_query = query @ basis
        approx: list[np.ndarray] = []
        owners: list[tuple[_Bucket, np.ndarray]] = []
        for bucket in buckets:
            n = len(bucket.ids)
            assert bucket.small is not None
            scores = bucket.small[:n] @ small_query
            rows = np.arange(n) if n <= SHORTLIST else np.argpartition(-scores, SHORTLIST - 1)[:SHORTLIST]
            approx.append(scores[rows])
            owners.append((bucket, rows))
        if not owners:
            return []
        flat = np.concatenate(approx)
        keep = np.argsort(-flat)[:SHORTLIST]
        cut = flat[keep[-1]] if len(keep) else np.inf
        found: list[tuple[float, str]] = []
        for (bucket, rows), scores in zip(owners, approx, strict=True):
            picked = rows[scores >= cut]
            if not len(picked):
                continue
            exact = bucket.rows[picked] @ query
            found.extend((float(s), bucket.ids[i]) for s, i in zip(exact, picked, strict=True)
                         if s >= floor)
        found.sort(key=lambda item: -item[0])
        return [(score, self._stories[sid]) for score, sid in found[:k]]

    def sharing_words(self, language: str, words: frozenset[str], start: datetime, end: datetime,
                      k: int) -> list[tuple[int, StoryState]]:
        """Up to ``k`` stories first seen in ``[start, end]`` sharing the most words."""
        counts: dict[str, int] = defaultdict(int)
        for bucket in self._buckets_between(language, start, end):
            for word in words:
                for sid in bucket.postings.get(word, ()):
                    counts[sid] += 1
        best = sorted(counts.items(), key=lambda item: -item[1])[:k]
        return [(count, self._stories[sid]) for sid, count in best]

    def evict_before(self, when: datetime) -> list[str]:
        """Forget the stories whose first article is before ``when``'s day; returns their ids."""
        cutoff = _day(when)
        gone = [key for key in self._buckets if key[1] < cutoff]
        dropped: list[str] = []
        for key in gone:
            bucket = self._buckets.pop(key)
            story_ids = set(bucket.ids)
            for ids in bucket.postings.values():
                story_ids |= ids
            self._vectors[key[0]] -= len(bucket.ids)
            for sid in story_ids:
                if self._home.get(sid) == key:
                    del self._home[sid]
                    self._stories.pop(sid, None)
                    dropped.append(sid)
        return dropped
