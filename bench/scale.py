"""Scale benchmark of the task engine on loopback: many feeds, many chats,
1, 2 and 4 ``newsbot worker`` processes on one PostgreSQL database.

    .venv/bin/python bench/scale.py [--feeds 5000 --chats 10000 --workers 1 2 4]

For each worker count, on a fresh database:

1. **polling**: a ``poll_feed`` job per feed (what the poll tick defers), the
   feeds served by a separate aiohttp process with ``--latency`` (200 ms) per
   response and realistic sizes (RSS of ``--items`` entries, ~25 KB; article
   pages ~70 KB of HTML around ~4 KB of text). Workers serve only the
   ``poll`` queue. Figure: feeds/s until every feed was polled.
2. **summarization**: workers on the ``process`` queue with the real model
   (each process loads it) fetch, extract and summarize the articles the poll
   found, for ``--window`` seconds. Figure: articles ready/s.
3. **delivery**: one outbox row per chat (written with its job, as digests
   are), workers on the ``delivery`` queue sending to the fake Bot API, for
   ``--window`` seconds. Figure: messages/s.

Per phase it prints the peak RSS (VmHWM) of each worker, the CPU the workers
and PostgreSQL's backends used (cores busy = CPU seconds / wall seconds) and
the database's load from ``pg_stat_database`` (transactions, rows read and
written per second). The baseline of each figure is the 1-worker run of the
same invocation; the ratio says how far more processes scale.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bot.clock import utcnow  # noqa: E402
from bot.engine.tasks import POLL_QUEUE, POLL_TASK, PRIORITIES  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.jobs import install_delivery_jobs  # noqa: E402
from bot.store.models import ChatRow, DeliveryRow, SubscriptionRow  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

ADMIN_URL = os.environ.get("NEWSBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORDS = ["council", "harbour", "railway", "budget", "election", "drought", "museum", "tunnel", "hospital", "reservoir", "airport", "stadium", "bridge", "market", "court", "storm", "harvest", "strike", "merger", "census", "pipeline", "canal", "school", "police", "minister", "mayor", "report", "plan", "vote", "workers", "energy", "prices", "housing", "water", "festival", "river", "forest", "coast", "farmers", "teachers", "doctors", "nurses", "engineers", "students"]


# ------------------------------------------------------------------ the site


def _article(feed: int, item: int) -> bytes:
    rng = random.Random(feed * 1000 + item)
    paras = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + ".</p>"
        for _ in range(10))
    chrome = "".join(f'<li><a href="/section/{i}">Section {i} link text</a></li>' for i in range(300))
    script = "<script>var x = " + "1234567890" * 2500 + ";</script>"
    return (f"<html><head><title>Story {feed}-{item}</title>{script}</head><body>"
            f"<nav><ul>{chrome}</ul></nav><article><h1>Story {feed}-{item}: "
            f"{' '.join(rng.sample(WORDS, 5))}</h1>{paras}</article>"
            f"<footer><ul>{chrome}</ul></footer></body></html>").encode()


def _feed(base: str, feed: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Story {feed}-{i}</title><link>{base}/a/{feed}/{i}</link>"
        f"<guid>{base}/a/{feed}/{i}</guid><pubDate>Mon, 30 Nov 2026 08:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>{' '.join(random.Random(feed * 7 + i).choice(WORDS) for _ in range(120))}"
        f"</description></item>" for i in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"<link>{base}/</link>{entries}</channel></rss>").encode()


def _serve(port: int, latency: float, items: int, ready: Any) -> None:
    from aiohttp import web

    base = f"http://127.0.0.1:{port}"

    async def feed(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        n = int(request.match_info["n"])
        return web.Response(body=_feed(base, n, items), content_type="application/rss+xml")

    async def article(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        return web.Response(body=_article(int(request.match_info["f"]), int(request.match_info["i"])),
                            content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/feed/{n}.xml", feed)
    app.router.add_get("/a/{f}/{i}", article)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


# ------------------------------------------------------------------ database


def _create_db() -> str:
    name = f"newsbot_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _drop_db(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _seed(url: str, base: str, feeds: int, chats: int) -> None:
    store = await Store.open(url)
    now = utcnow()
    try:
        for i in range(feeds):  # through the store: it derives the URL hash columns
            await store.feeds.add_feed(f"{base}/feed/{i}.xml", f"Feed {i}")
        async with store.session() as s:
            await s.execute(insert(ChatRow), [
                {"platform": "telegram", "external_id": str(10_000 + c), "kind": "private",
                 "schedule_mode": "off", "settings": {}, "active": True, "created_at": now}
                for c in range(chats)])
            rng = random.Random(1)
            await s.execute(insert(SubscriptionRow), [
                {"chat_id": c + 1, "feed_id": f + 1, "created_at": now}
                for c in range(chats) for f in rng.sample(range(feeds), min(3, feeds))])
    finally:
        await store.close()


async def _defer_polls(url: str) -> None:
    store = await Store.open(url, migrate=False)
    try:
        ids = [f.id for f in await store.feeds.list_feeds()]
        await store.jobs.defer(POLL_TASK, POLL_QUEUE, [(f"poll:{i}", f"poll:{i}", {"feed_id": i})
                                                       for i in ids],
                               priority=PRIORITIES[POLL_QUEUE])
    finally:
        await store.close()


async def _queue_messages(url: str, chats: int) -> None:
    """One message per chat, each with its delivery job (the after-flush hook)."""
    store = await Store.open(url, migrate=False)
    install_delivery_jobs(store.db)
    now = utcnow()
    try:
        for start in range(0, chats, 2000):
            async with store.session() as s:
                s.add_all(DeliveryRow(chat_id=c + 1, part=0, idempotency_key=f"bench:{c}:0",
                                      payload={"text": f"hello {c}"}, status="pending",
                                      attempts=0, next_attempt_at=now, created_at=now)
                          for c in range(start, min(chats, start + 2000)))
    finally:
        await store.close()


async def _scalar(url: str, sql: str) -> int:
    store = await Store.open(url, migrate=False)
    try:
        async with store.session() as s:
            return int(await s.scalar(text(sql)) or 0)
    finally:
        await store.close()


def _db_stats(url: str) -> dict[str, float]:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, "
            "tup_deleted FROM pg_stat_database WHERE datname = %s", (name,)).fetchone()
        pids = [r[0] for r in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)).fetchall()]
    assert row is not None
    keys = ("commits", "returned", "fetched", "inserted", "updated", "deleted")
    stats = dict(zip(keys, map(float, row), strict=True))
    stats["pg_cpu_s"] = sum(_cpu_s(p) for p in pids)
    return stats


# ------------------------------------------------------------------ processes


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Workers:
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def cpu(self) -> float:
        return sum(_cpu_s(p.pid) for p in self.procs)

    def rss(self) -> list[float]:
        return [_peak_rss_mb(p.pid) for p in self.procs]

    def stop(self) -> None:
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _start(n: int, env: dict[str, str], queues: str, log: Path) -> Workers:
    workers = Workers()
    for _ in range(n):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.engine.engine_proc", "worker"], cwd=REPO,
            stdout=subprocess.PIPE, stderr=log.open("ab"),
            env={**env, "ENGINE_QUEUES": queues})
        workers.procs.append(proc)
    for proc in workers.procs:
        assert proc.stdout is not None
        if proc.stdout.readline() != b"ready\n":
            raise SystemExit(f"a worker did not start; see {log}")
    return workers


# ------------------------------------------------------------------ phases


@dataclass
class Phase:
    name: str
    done: int
    seconds: float
    worker_cpu_s: float
    pg: dict[str, float]
    rss_mb: list[float]
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


async def _measure(name: str, url: str, workers: Workers, count_sql: str, target: int,
                   window: float, start: Any = None) -> Phase:
    db0, cpu0 = _db_stats(url), workers.cpu()
    t0 = time.monotonic()
    base = await _scalar(url, count_sql)
    if start is not None:
        await start
    done = base
    while time.monotonic() - t0 < window and done < target:
        await asyncio.sleep(1.0)
        done = await _scalar(url, count_sql)
    seconds = time.monotonic() - t0
    db1 = _db_stats(url)
    pg = {k: (db1[k] - db0[k]) / seconds for k in db0}
    return Phase(name, done - base, seconds, workers.cpu() - cpu0, pg, workers.rss())


def _report(n: int, phase: Phase, base: Phase | None) -> None:
    ratio = f"{phase.rate / base.rate:4.2f}x" if base and base.rate else "  -  "
    pg = phase.pg
    print(f"  {phase.name:<13} {n} worker(s): {phase.done:6d} in {phase.seconds:5.1f}s = "
          f"{phase.rate:7.1f}/s ({ratio} vs 1 worker); workers busy "
          f"{phase.worker_cpu_s / phase.seconds:4.2f} cores, PostgreSQL "
          f"{pg['pg_cpu_s']:4.2f} cores; db/s: {pg['commits']:6.0f} commits, "
          f"{pg['returned'] + pg['fetched']:8.0f} rows read, "
          f"{pg['inserted'] + pg['updated'] + pg['deleted']:6.0f} written; peak RSS MB "
          f"{', '.join(f'{r:.0f}' for r in phase.rss_mb)}; machine load {phase.load:.1f}",
          flush=True)


async def run(args: argparse.Namespace) -> None:
    port = args.port
    ready = mp.Event()
    site = mp.Process(target=_serve, args=(port, args.latency, args.items, ready), daemon=True)
    site.start()
    if not ready.wait(30):
        raise SystemExit("the loopback site did not start")
    base_url = f"http://127.0.0.1:{port}"
    telegram = FakeTelegram().start_in_thread()
    log = Path(args.log)
    print(f"scale bench: {args.feeds} feeds x {args.items} items, {args.latency * 1000:.0f} ms "
          f"latency, {args.chats} chats; workers {args.workers}; concurrency "
          f"{args.concurrency}/worker; window {args.window:.0f}s; {os.cpu_count()} CPUs; "
          f"log {log}", flush=True)
    baselines: dict[str, Phase] = {}
    try:
        for n in args.workers:
            url = _create_db()
            try:
                await _seed(url, base_url, args.feeds, args.chats)
                env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSBOT_DATABASE_URL": url,
                       "NEWSBOT_TELEGRAM_TOKEN": telegram.token,
                       "NEWSBOT_TELEGRAM_API_URL": telegram.api_url,
                       "NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
                       "NEWSBOT_ENGINE_CONCURRENCY": str(args.concurrency),
                       "NEWSBOT_FETCH_PER_HOST_CONCURRENCY": "64",
                       "ENGINE_REAL_SUMMARIZER": "1"}
                env.pop("NEWSBOT_CONFIG", None)
                phases: list[Phase] = []
                workers = _start(n, env, "poll", log)
                try:
                    phases.append(await _measure(
                        "polling", url, workers,
                        "SELECT count(*) FROM feeds WHERE last_fetched_at IS NOT NULL",
                        args.feeds, args.window * 4, _defer_polls(url)))
                finally:
                    workers.stop()
                workers = _start(n, env, "process", log)
                try:
                    # the model loads on each worker's first article: measure after that
                    done_sql = "SELECT count(*) FROM articles WHERE status <> 'pending'"
                    first = await _scalar(url, done_sql)
                    deadline = time.monotonic() + args.warmup
                    while (await _scalar(url, done_sql)) < first + n and time.monotonic() < deadline:
                        await asyncio.sleep(1.0)
                    phases.append(await _measure(
                        "summarizing", url, workers,
                        "SELECT count(*) FROM articles WHERE status <> 'pending'",
                        10**9, args.window))
                finally:
                    workers.stop()
                workers = _start(n, env, "delivery", log)
                try:
                    phases.append(await _measure(
                        "delivery", url, workers,
                        "SELECT count(*) FROM deliveries WHERE status = 'sent'",
                        args.chats, args.window, _queue_messages(url, args.chats)))
                finally:
                    workers.stop()
                for phase in phases:
                    _report(n, phase, baselines.get(phase.name))
                    baselines.setdefault(phase.name, phase)
            finally:
                _drop_db(url)
    finally:
        telegram.stop_thread()
        site.terminate()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feeds", type=int, default=5000)
    p.add_argument("--items", type=int, default=20, help="entries per feed")
    p.add_argument("--chats", type=int, default=10_000)
    p.add_argument("--latency", type=float, default=0.2, help="seconds per HTTP response")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--concurrency", type=int, default=64, help="jobs per worker at once")
    p.add_argument("--window", type=float, default=45.0, help="seconds per timed phase")
    p.add_argument("--warmup", type=float, default=300.0,
                   help="at most this long for the workers' first articles (model loading)")
    p.add_argument("--port", type=int, default=18931)
    p.add_argument("--log", default="/tmp/newsbot-scale.log")
    args = p.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
