"""The engine across processes: a full ``newsbot run`` and three ``newsbot
worker`` processes on one PostgreSQL database, the real Telegram adapter
against the fake Bot API, feeds on a loopback site, and a random one of the
four SIGKILLed (and restarted) several times while feeds are polled, articles
summarized, digests built and sent. Every chat must get every story, each
chat's messages in the order they were queued, and duplicates only from the
documented window (docs/delivery.md: accepted by the platform, process killed
before the sent mark committed), which the test counts and reports.

The issue's crash test as asked: 20 kills (``ENGINE_KILLS`` to change it),
about 80 s on two cores since the fetch fixes of migration 0010 and the queue
priorities (it was cut to 6 kills when a stalled fetch made 20 take a quarter
of an hour).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.domain import ChatRef, Schedule
from bot.store import Store
from tests.support.fake_telegram import FakeTelegram
from tests.support.http_server import LoopbackServer, Response

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
FEEDS, ARTICLES, CHATS, KILLS = 4, 6, 30, int(os.environ.get("ENGINE_KILLS", 20))
WORKERS = 3


SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "pa", "de", "fu", "go", "hi", "ja"]


def article_html(title: str, n: int) -> str:
    """A page about its own subject: words made up per article, so the story
    clusterer keeps articles apart (alike pages would rightly be one story)."""
    rng = random.Random(n)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(12)]
    paras = "".join(
        f"<p>Officials said the {' '.join(rng.sample(words, 3))} plan moves on. "
        f"{' '.join(rng.choice(words) for _ in range(25))}.</p>"
        for _ in range(5))
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{paras}</article></body></html>")


def site() -> tuple[LoopbackServer, dict[str, list[str]]]:
    server = LoopbackServer().start()
    base = server.base_url
    titles: dict[str, list[str]] = {}
    for f in range(FEEDS):
        items = []
        titles[f"/feed{f}.xml"] = []
        for a in range(ARTICLES):
            title = f"Story {f}-{a}"
            path = f"/f{f}/a{a}"
            server.set(path, Response(article_html(title, f * 100 + a), delay=0.2,
                                      content_type="text/html; charset=utf-8"))
            items.append(f"<item><title>{title}</title><link>{base}{path}</link>"
                         f"<guid>{base}{path}</guid><description>About {title}.</description>"
                         f"<pubDate>Mon, 30 Nov 2026 08:0{a}:00 GMT</pubDate></item>")
            titles[f"/feed{f}.xml"].append(title)
        feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>'
                f"<link>{base}/</link>{''.join(items)}</channel></rss>")
        server.set(f"/feed{f}.xml", Response(feed, content_type="application/rss+xml"))
    return server, titles


async def seed(url: str, base: str) -> list[ChatRef]:
    store = await Store.open(url)
    try:
        feed_ids = [(await store.feeds.add_feed(f"{base}/feed{f}.xml"))[0].id for f in range(FEEDS)]
        chats = [ChatRef("telegram", str(5000 + c)) for c in range(CHATS)]
        for ref in chats:
            await store.chats.upsert_chat(ref)
            await store.chats.set_schedule(ref, Schedule(mode="realtime"))
            for fid in feed_ids:
                await store.chats.subscribe(ref, fid)
        return chats
    finally:
        await store.close()


async def outbox_rows(url: str) -> list[tuple[str, str, str]]:
    """(chat external id, text, status) of every outbox row, in id order."""
    store = await Store.open(url, migrate=False)
    try:
        async with store.session() as s:
            rows = await s.execute(text(
                "SELECT c.external_id, d.payload, d.status FROM deliveries d "
                "JOIN chats c ON c.id = d.chat_id ORDER BY d.id"))
            return [(ext, str(payload.get("text", "")), st) for ext, payload, st in rows]
    finally:
        await store.close()


async def progress(url: str) -> tuple[int, int, int]:
    """(articles ready, stories given to chats, outbox rows pending)."""
    store = await Store.open(url, migrate=False)
    try:
        async with store.session() as s:
            ready = await s.scalar(text("SELECT count(*) FROM articles WHERE status = 'ready'"))
            given = await s.scalar(text("SELECT count(*) FROM chat_articles"))
            pending = await s.scalar(text("SELECT count(*) FROM deliveries "
                                          "WHERE status = 'pending'"))
            return int(ready or 0), int(given or 0), int(pending or 0)
    finally:
        await store.close()


def spawn(mode: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.engine.engine_proc", mode], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=log.open("ab"), env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == b"ready\n", log.read_text()[-3000:]
    return proc


@pytest.mark.timeout(900)
def test_processes_killed_at_random_lose_no_story_and_keep_order(
        engine_db_url: str, tmp_path: Path) -> None:
    server, titles = site()
    telegram = FakeTelegram().start_in_thread()
    log = Path(os.environ.get("ENGINE_LOG", tmp_path / "engine.log"))
    env = {**os.environ, "PYTHONPATH": str(REPO),
           "NEWSBOT_DATABASE_URL": engine_db_url,
           "NEWSBOT_TELEGRAM_TOKEN": telegram.token,
           "NEWSBOT_TELEGRAM_API_URL": telegram.api_url,
           "NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS": "true",
           "NEWSBOT_ENGINE_CONCURRENCY": "8",
           "NEWSBOT_DIGEST_MAX_STORIES": "50"}  # every story listed (none behind "more")
    env.pop("NEWSBOT_CONFIG", None)
    rng = random.Random(16)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    kills: list[str] = []
    try:
        chats = asyncio.run(seed(engine_db_url, server.base_url))
        procs = [("run", spawn("run", env, log))] + [
            ("worker", spawn("worker", env, log)) for _ in range(WORKERS)]
        every = {t for ts in titles.values() for t in ts}

        def received() -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for m in telegram.sent_messages():
                out.setdefault(str(m["chat_id"]), []).append(str(m["text"]))
            return out

        def done() -> bool:
            ready, given, pending = asyncio.run(progress(engine_db_url))
            return ready == len(every) and given == len(every) * CHATS and pending == 0

        # wait for the work to start (the first poll tick comes within 30 s), then kill
        deadline = time.monotonic() + 90
        while not telegram.sent_messages():
            assert time.monotonic() < deadline, log.read_text()[-5000:]
            time.sleep(0.2)
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.5, 3.0))
            i = rng.randrange(len(procs))
            mode, proc = procs[i]
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills.append(mode)
            procs[i] = (mode, spawn(mode, env, log))
        deadline = time.monotonic() + 300
        while not done():
            assert time.monotonic() < deadline, (
                f"not every chat got every story: {asyncio.run(progress(engine_db_url))}; "
                f"log tail:\n{log.read_text()[-5000:]}")
            time.sleep(1.0)
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        telegram.stop_thread()
        server.stop()

    rows = asyncio.run(outbox_rows(engine_db_url))
    got = received()
    duplicates = 0
    for ref in chats:
        queued = [t for ext, t, _ in rows if ext == ref.external_id]
        seq = got[ref.external_id]
        duplicates += len(seq) - len(set(seq))
        # nothing lost, nothing invented, in queue order (a duplicate repeats the one before)
        collapsed = [t for i, t in enumerate(seq) if i == 0 or seq[i - 1] != t]
        assert collapsed == queued, ref
    print(f"\nengine crash test: {len(kills)} kills ({Counter(kills)}), {len(rows)} messages "
          f"queued for {CHATS} chats, {duplicates} duplicates (window: sends in flight at a kill)")
    assert duplicates <= 32 * len(kills)
