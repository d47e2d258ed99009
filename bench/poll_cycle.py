"""Benchmark: one full poll cycle over N synthetic feeds served on loopback.

Measures fetch + parse + dedupe + store for N feeds of 20 entries each
(article pages excluded), then a second cycle where every feed answers 304.
The feed server runs in a separate process so it does not share our GIL.
Prints figures; asserts nothing.

    python bench/poll_cycle.py --feeds 1000 [--database sqlite:///...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.pipeline import Pipeline
from bot.settings import Settings
from bot.sources.http import Fetcher
from bot.store import Store


def feed_body(n: int, entries: int) -> str:
    items = "".join(
        f"<item><title>Feed {n} story {i}: something happened today</title>"
        f"<link>http://news{n % 50}.example/feed{n}/story{i}?utm_source=rss</link>"
        f"<guid>feed{n}-story{i}</guid><pubDate>Mon, 23 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Summary of story {i} of feed {n}, with a few sentences of text "
        f"to parse. More words follow here.&lt;/p&gt;</description></item>"
        for i in range(entries)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Synthetic feed {n}</title><link>http://news{n}.example/</link>{items}"
            f"</channel></rss>")


def serve(feeds: int, entries: int, hosts: int, port_q: mp.Queue) -> None:  # type: ignore[type-arg]
    """Serve the feeds from ``hosts`` loopback addresses (127.0.0.1, .2, ...): real
    feeds live on many hosts, and the fetcher's per-host limit applies per host."""
    from tests.support.http_server import LoopbackServer, Response

    routes = {f"/feed/{n}.xml": Response(feed_body(n, entries), content_type="application/rss+xml",
                                        etag=f'"f{n}"') for n in range(feeds)}
    servers = [LoopbackServer(routes, host=f"127.0.0.{h + 1}").start() for h in range(hosts)]
    port_q.put([(s.host, s.port) for s in servers])
    while True:
        time.sleep(3600)


@contextlib.contextmanager
def throwaway_database(url: str | None, tmp: str) -> Iterator[str]:
    """The database to measure: a temporary SQLite file by default; for a PostgreSQL
    URL, a fresh database created beside the one named and dropped afterwards, so
    a benchmark never leaves 20,000 rows in someone's database."""
    if not url:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    if not url.startswith("postgresql"):
        yield url
        return
    import psycopg

    admin = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    name = f"newsbot_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{url.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


async def cycle(pipe: Pipeline, store: Store) -> tuple[float, int, int]:
    feeds = await store.feeds.list_feeds()
    t0 = time.perf_counter()
    outcomes = await pipe.poll_feeds(feeds)
    dt = time.perf_counter() - t0
    new = sum(len(o.new_articles) for o in outcomes)
    errors = sum(1 for o in outcomes if o.error)
    return dt, new, errors


async def main_async(args: argparse.Namespace) -> None:
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=serve, args=(args.feeds, args.entries, args.hosts, q), daemon=True)
    proc.start()
    addresses = q.get(timeout=60)
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database, tmp) as url:
        overrides = {"fetch_concurrency": args.concurrency} if args.concurrency else {}
        settings = Settings(database_url=url, fetch_allow_private_networks=True, **overrides)
        store = await Store.open(url)
        for n in range(args.feeds):
            host, port = addresses[n % len(addresses)]
            await store.feeds.add_feed(f"http://{host}:{port}/feed/{n}.xml")
        async with Fetcher(settings) as fetcher:
            pipe = Pipeline(settings, store, fetcher, lambda: None)  # type: ignore[arg-type,return-value]
            first, new, err1 = await cycle(pipe, store)
            second, new2, err2 = await cycle(pipe, store)
        counts = await store.articles.article_counts()
        await store.close()
    proc.terminate()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"feeds: {args.feeds} x {args.entries} entries on {args.hosts} hosts, database: "
          f"{url.split(':')[0]}, concurrency {settings.fetch_concurrency} (per host "
          f"{settings.fetch_per_host_concurrency})")
    print(f"first cycle (fetch+parse+dedupe+store): {first:.2f} s, new articles {new}, errors {err1}"
          f"  [goal <= 10 s]")
    print(f"second cycle (all 304):                 {second:.2f} s, new articles {new2}, errors {err2}"
          f"  [goal <= 2 s]")
    print(f"articles stored: {sum(counts.values())}; peak RSS of the poller: {peak_mb:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=None,
                    help="feeds fetched at once (default: the fetch_concurrency setting)")
    ap.add_argument("--hosts", type=int, default=16, help="loopback addresses serving the feeds")
    ap.add_argument("--database", default=None,
                    help="default: a temporary SQLite file; for a PostgreSQL URL such as "
                    "postgresql://postgres@127.0.0.1/test a throwaway database is created on "
                    "that server and dropped afterwards")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
