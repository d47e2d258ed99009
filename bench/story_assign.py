"""Incremental cost of story assignment with 20,000 stories in the window.

Synthetic stream: ``--stories`` stories (default 20,000) first seen over the
last three days, with ~50 words each drawn from a Zipf vocabulary. Their
vectors are shaped like news embeddings rather than isotropic noise: a
direction every article shares, one of 300 topics, and noise (cosine about
0.2 between topics, 0.45 within a topic). Then ``--articles`` new articles
(default 2,000): half rewrites of an existing story (its vector plus noise,
cosine about 0.75, and half its words), half new events.
Each article is decided *and* committed (centroid, index and document
frequencies updated), as ingestion does; the embedding itself is not included
(the summarizer's MiniLM call costs ~20-40 ms and is measured by
``newsbot eval stories`` as signatures per second).

Baselines measured in the same run on the same articles:

* ``brute-vectorised``: one matrix of every story's centroid, no time buckets,
  then the same scoring of the best candidates (what the index saves).
* ``exact index``: the same clusterer with the sketch turned off (every
  centroid scored exactly); its decisions are the reference for the sketch's
  agreement figure.
* ``brute-loop``: the obvious code, a Python loop computing the cosine with
  every story in the window (on a sample of the articles; it is slow).

Usage: ``OPENBLAS_NUM_THREADS=1 python bench/story_assign.py [--stories 20000] [--articles 2000]``
(one BLAS thread: the cost on one core, as one ingestion worker pays it).
Prints medians and p95 per article in milliseconds. Timings on a shared
2-core machine are noisy: read the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

import bot.stories.index as story_index
from bot.stories import ArticleSignature, StoryClusterer, StoryConfig

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _words(rng: np.random.Generator, vocabulary: int, n: int) -> dict[str, int]:
    ranks = rng.zipf(1.3, size=n) % vocabulary
    out: dict[str, int] = {}
    for r in ranks:
        key = f"w{int(r)}"
        out[key] = out.get(key, 0) + 1
    return out


def _article(i: int, vector: np.ndarray, when: datetime, terms: dict[str, int]) -> ArticleSignature:
    return ArticleSignature(
        article_id=f"a{i}", language="en", published=when, outlet=f"outlet{i % 40}",
        title="", words=frozenset(terms), vector=vector.astype(np.float32), terms=terms,
    )


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _news_like(rng: np.random.Generator, n: int, common: np.ndarray, topics: np.ndarray) -> np.ndarray:
    v = (0.45 * common + 0.5 * topics[rng.integers(len(topics), size=n)]
         + 0.75 * _unit(rng, n))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _stream(clusterer: StoryClusterer, queries: list[tuple[ArticleSignature, int]]
            ) -> tuple[list[float], list[float], list[str]]:
    """Decide and commit each article; wall and CPU milliseconds, story ids."""
    wall: list[float] = []
    cpu: list[float] = []
    ids: list[str] = []
    for n, (article, _) in enumerate(queries):
        started, started_cpu = time.perf_counter(), time.thread_time()
        decision = clusterer.decide(article)
        story_id = decision.story_id or f"new{n}"
        clusterer.commit(article, story_id)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        ids.append(story_id)
    return wall, cpu, ids


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--loop-sample", type=int, default=100,
                        help="articles timed with the Python-loop baseline")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    config = StoryConfig()
    span = timedelta(days=3)

    common, topics = _unit(rng, 1)[0], _unit(rng, 300)
    # Fill the window (the same stories in the sketched and the exact index).
    seeds = _news_like(rng, args.stories, common, topics)
    clusterer = StoryClusterer(config)
    exact = StoryClusterer(config)
    started = time.perf_counter()
    seed_articles = []
    for i in range(args.stories):
        when = T0 + span * (i / args.stories)
        article = _article(i, seeds[i], when, _words(rng, 50_000, 50))
        seed_articles.append(article)
        clusterer.commit(article, f"s{i}")
    fill = time.perf_counter() - started
    sketch_limit = story_index.EXACT_UP_TO
    story_index.EXACT_UP_TO = 10**9
    for article in seed_articles:
        exact.commit(article, article.article_id.replace("a", "s", 1))
    story_index.EXACT_UP_TO = sketch_limit
    print(f"filled {len(clusterer.index)} stories in {fill:.1f} s")

    # The stream to measure: half rewrites of a story, half new events.
    now = T0 + span
    queries = []
    for j in range(args.articles):
        if j % 2 == 0:
            k = int(rng.integers(args.stories))
            noisy = seeds[k] + 0.9 * _unit(rng, 1)[0]
            terms = dict(list(seed_articles[k].terms.items())[:25]) | _words(rng, 50_000, 25)
            queries.append((_article(args.stories + j, noisy / np.linalg.norm(noisy), now, terms), k))
        else:
            queries.append((_article(args.stories + j, _news_like(rng, 1, common, topics)[0], now,
                                     _words(rng, 50_000, 50)), -1))

    timings, cpu, sketched_ids = _stream(clusterer, queries)
    joined = sum(1 for (_, source), sid in zip(queries, sketched_ids, strict=True)
                 if source >= 0 and not sid.startswith("new"))
    correct = sum(1 for (_, source), sid in zip(queries, sketched_ids, strict=True)
                  if source >= 0 and sid == f"s{source}")

    story_index.EXACT_UP_TO = 10**9
    exact_timings, exact_cpu, exact_ids = _stream(exact, queries)
    story_index.EXACT_UP_TO = sketch_limit
    agree = sum(a == b for a, b in zip(sketched_ids, exact_ids, strict=True))

    # Baseline 1: every centroid in one matrix, no buckets, same scoring after.
    matrix = np.stack([s.centroid for s in clusterer.index.stories() if s.centroid is not None])
    ids = [s.story_id for s in clusterer.index.stories() if s.centroid is not None]
    stats = clusterer.stats("en")
    brute: list[float] = []
    brute_cpu: list[float] = []
    for article, _ in queries:
        started, started_cpu = time.perf_counter(), time.thread_time()
        scores = matrix @ article.vector
        top = np.argpartition(-scores, config.candidates)[: config.candidates]
        for i in top:
            story = clusterer.index.get(ids[i])
            if story is not None:
                stats.cosine(article.terms, story.story_id, story.version, story.term_sum)
        brute.append((time.perf_counter() - started) * 1000)
        brute_cpu.append((time.thread_time() - started_cpu) * 1000)

    # Baseline 2: a Python loop over the stories in the window.
    loop: list[float] = []
    loop_cpu: list[float] = []
    stories = list(clusterer.index.stories())
    for article, _ in queries[: args.loop_sample]:
        started, started_cpu = time.perf_counter(), time.thread_time()
        best = -2.0
        for story in stories:
            if story.centroid_sum is not None and story.last_seen - config.window <= article.published:
                best = max(best, float(story.centroid_sum @ article.vector)
                           / float(np.linalg.norm(story.centroid_sum)))
        loop.append((time.perf_counter() - started) * 1000)
        loop_cpu.append((time.thread_time() - started_cpu) * 1000)

    in_window = sum(1 for s in clusterer.index.stories() if clusterer.in_window(s, now))
    print(f"stories in the window at the end: {in_window}")
    print(f"rewrites joined: {joined}/{args.articles // 2}, to the right story: {correct}")
    print(f"sketched decisions equal to the exact index's: {agree}/{len(queries)}")
    print("per article, wall clock and CPU time of this thread (CPU time leaves out the")
    print("time other processes held the cores: the cost, not the queueing)")
    print(f"{'method':<26} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu p95':>8}")
    for name, values, spent in (
            ("newsbot (decide+commit)", timings, cpu),
            ("exact index (same code)", exact_timings, exact_cpu),
            ("brute-vectorised", brute, brute_cpu),
            (f"brute-loop (n={len(loop)})", loop, loop_cpu)):
        print(f"{name:<26} {statistics.median(values):9.3f} {_pct(values, 95):9.3f} "
              f"{statistics.median(spent):8.3f} {_pct(spent, 95):8.3f}")
    newsbot = statistics.median(timings)
    print(f"median ratios: exact index / newsbot {statistics.median(exact_timings) / newsbot:.1f}x, "
          f"brute-vectorised / newsbot {statistics.median(brute) / newsbot:.1f}x, "
          f"brute-loop / newsbot {statistics.median(loop) / newsbot:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
