"""What the database adds to story assignment at ingestion, and the start-up rebuild.

``bench/story_assign.py`` measures the in-memory decision; ingestion also
saves each decision (``story_articles`` row, the story's centroid, counts and
outlets), catches up with what other processes assigned, and a restarted
process rebuilds its index from the database window. Here, on a real store
(a temporary SQLite file, or ``--database postgresql://...``):

1. ``--stories`` stories (default 5,000) are saved through the store, spread
   over the last two days (news-shaped vectors as in ``story_assign.py``);
2. a fresh :class:`StoryAssigner` warms from the database (the start-up
   rebuild): time and stories loaded;
3. ``--articles`` new articles (default 300; half rewrites of a story) are
   assigned through it, each decided, saved and committed, as the pipeline
   does (the MiniLM embedding is not included);
4. baselines in the same run: saving each article itself (``save_article``,
   the write ingestion already makes per article) on the same store, and the
   same articles through the same assigner over the in-memory repository.

Usage: ``OPENBLAS_NUM_THREADS=1 python bench/story_store.py [--stories 5000] [--articles 300]``.
Prints medians and p95 per article in milliseconds (wall; CPU of the thread
for the in-memory baseline). Timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bot.domain import Article, Summary
from bot.records import EntryRecord
from bot.store import Store
from bot.stories import ArticleSignature, MemoryStoryRepository, StoryAssigner, StoryConfig

NOW = datetime(2026, 1, 3, tzinfo=UTC)


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _signature(article_id: int, vector: np.ndarray, when: datetime,
               terms: dict[str, int]) -> ArticleSignature:
    return ArticleSignature(article_id=str(article_id), language="en", published=when,
                            outlet=f"outlet{article_id % 40}", title="",
                            words=frozenset(terms), vector=vector, terms=terms)


def _terms(rng: np.random.Generator, n: int = 40) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rng.zipf(1.3, size=n) % 50_000:
        out[f"w{int(r)}"] = out.get(f"w{int(r)}", 0) + 1
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _articles(store: Store, n: int, offset: int) -> list[int]:
    feed, _ = await store.feeds.add_feed(f"https://bench{offset}.example/rss")
    entries = [EntryRecord(guid=f"g{offset + i}", url=f"https://bench.example/{offset + i}",
                           canonical_url=f"https://bench.example/{offset + i}", title=None,
                           published=NOW) for i in range(n)]
    ids: list[int] = []
    for start in range(0, n, 2000):
        ids += await store.articles.add_entries(feed.id, entries[start:start + 2000])
    return ids


async def run(stories: int, articles: int, database: str | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    common = _unit(rng, 1)[0]
    topics = _unit(rng, 300)

    def news_like(n: int) -> np.ndarray:
        v = 0.45 * common + 0.5 * topics[rng.integers(300, size=n)] + 0.75 * _unit(rng, n)
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    config = StoryConfig()
    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = await Store.open(url)
        try:
            seeds = await _articles(store, stories, 0)
            vectors = news_like(stories)
            seed_sigs = [_signature(aid, vectors[i], NOW - timedelta(hours=48 * i / stories),
                                    _terms(rng)) for i, aid in enumerate(seeds)]
            t = time.perf_counter()
            for sig in seed_sigs:
                await store.stories.save_assignment(sig, None)
            fill_s = time.perf_counter() - t

            new_ids = await _articles(store, articles, stories)
            queries = []
            for i, aid in enumerate(new_ids):
                if i % 2 == 0:
                    base = seed_sigs[int(rng.integers(stories))]
                    assert base.vector is not None
                    v = base.vector + 0.55 * _unit(rng, 1)[0]
                    terms = dict(list(base.terms.items())[: len(base.terms) // 2]) | _terms(rng, 20)
                else:
                    v, terms = news_like(1)[0], _terms(rng)
                queries.append(_signature(aid, (v / np.linalg.norm(v)).astype(np.float32),
                                          NOW + timedelta(minutes=i), terms))

            # Baseline on the same store: what saving each article's extracted
            # text and summary (status ready) already costs ingestion.
            article_ms = []
            summary = Summary(("A point.",), (), (), "bench", "en")
            for i, aid in enumerate(new_ids):
                article = Article(url=f"https://bench.example/{stories + i}", title="Title",
                                  text="Some text. " * 300, fingerprint=f"fp{aid}",
                                  published=NOW, language="en", site_name="Bench")
                t = time.perf_counter()
                await store.articles.save_article(aid, article, summary)
                article_ms.append((time.perf_counter() - t) * 1000)

            sql = StoryAssigner(store.stories, config)
            t = time.perf_counter()
            loaded = await sql.warm(NOW)
            warm_s = time.perf_counter() - t
            sql_ms, sql_ids = [], []
            for q in queries:
                t = time.perf_counter()
                sql_ids.append((await sql.assign(q)).story_id)
                sql_ms.append((time.perf_counter() - t) * 1000)
        finally:
            await store.close()

    memory_repo = MemoryStoryRepository(config)
    remap: dict[str, str] = {}
    for sig in seed_sigs:
        remap[await memory_repo.save_assignment(sig, None)] = sig.article_id
    mem = StoryAssigner(memory_repo, config)
    await mem.warm(NOW)
    mem_ms, mem_cpu, mem_ids = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        mem_ids.append((await mem.assign(q)).story_id)
        mem_cpu.append((time.thread_time() - c) * 1000)
        mem_ms.append((time.perf_counter() - t) * 1000)

    backend = url.split(":", 1)[0]
    print(f"{stories} stories saved in {fill_s:.1f} s ({backend}); "
          f"start-up rebuild: {loaded} stories in {warm_s * 1000:.0f} ms")
    print(f"{articles} articles (half rewrites), per article, ms:")
    print(f"{'':34} {'p50':>7} {'p95':>7}")
    print(f"{'assign + save, ' + backend + ' store':34} {statistics.median(sql_ms):7.2f} "
          f"{_pct(sql_ms, 0.95):7.2f}")
    print(f"{'baseline: save_article, same store':34} {statistics.median(article_ms):7.2f} "
          f"{_pct(article_ms, 0.95):7.2f}")
    print(f"{'assign, in-memory repo (wall)':34} {statistics.median(mem_ms):7.2f} "
          f"{_pct(mem_ms, 0.95):7.2f}")
    print(f"{'assign, in-memory repo (CPU)':34} {statistics.median(mem_cpu):7.2f} "
          f"{_pct(mem_cpu, 0.95):7.2f}")
    print(f"ratio store / save_article (median wall): "
          f"{statistics.median(sql_ms) / max(statistics.median(article_ms), 1e-9):.1f}x; "
          f"store / in-memory: {statistics.median(sql_ms) / max(statistics.median(mem_ms), 1e-9):.1f}x")
    joined_sql = sum(1 for s in sql_ids if int(s) <= stories)
    joined_mem = sum(1 for s in mem_ids if s in remap)
    print(f"joined an existing story: {joined_sql} (store), {joined_mem} (in-memory) of {articles}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=5_000)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--database", help="a postgresql:// URL (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    asyncio.run(run(args.stories, args.articles, args.database, args.seed))


if __name__ == "__main__":
    main()
