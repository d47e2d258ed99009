"""Two full ``newsbot run`` processes on one database (a restart that overlaps
the old process, two replicas of a container): every queued message is sent
exactly once, on SQLite and on PostgreSQL, and both stop on SIGTERM in time.

Real processes (``python -m bot run``), the real Telegram adapter, the fake
Bot API on loopback in this process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.domain import ChatRef
from bot.store import Store
from tests.support.fake_telegram import running_fake_telegram

REPO = Path(__file__).resolve().parents[2]
CHATS, PARTS = 100, 3
STOP_LIMIT_S = 8.0


async def _start(store: Store, api_url: str, token: str, log: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSBOT_DATABASE_URL": store.url,
           "NEWSBOT_TELEGRAM_TOKEN": token, "NEWSBOT_TELEGRAM_API_URL": api_url,
           "NEWSBOT_LOG_LEVEL": "INFO"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env,
        stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT)


async def _stop(proc: asyncio.subprocess.Process) -> float:
    """SIGTERM; seconds until the process exited (it must exit 0)."""
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(proc.wait(), 30)
    assert code == 0
    return time.monotonic() - start


@pytest.mark.slow  # two full newsbot processes
async def test_two_overlapping_runs_send_every_message_once(store: Store, tmp_path: Path) -> None:
    for c in range(CHATS):
        ref = ChatRef("telegram", str(3000 + c))
        await store.chats.upsert_chat(ref)
        await store.digests.create_digest(ref, [], [{"text": f"{3000 + c}/{p}"} for p in range(PARTS)])
    log = tmp_path / "runs.log"
    async with running_fake_telegram() as tg:
        procs = [await _start(store, tg.api_url, tg.token, log) for _ in range(2)]
        try:
            deadline = time.monotonic() + 120
            while len(tg.sent_messages()) < CHATS * PARTS:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                assert all(p.returncode is None for p in procs), log.read_text()[-3000:]
                await asyncio.sleep(0.2)
            await asyncio.sleep(2.0)  # a duplicate would arrive now
            stops = [await _stop(p) for p in procs]
        finally:
            for p in procs:
                if p.returncode is None:
                    p.kill()
                    await p.wait()
        counts = Counter(str(m["text"]) for m in tg.sent_messages())
    duplicates = sum(n - 1 for n in counts.values())
    print(f"\noverlap ({store.db.dialect}): {sum(counts.values())} sent for {CHATS * PARTS} "
          f"queued, {duplicates} duplicates; SIGTERM took {', '.join(f'{s:.1f}' for s in stops)} s")
    assert len(counts) == CHATS * PARTS
    assert duplicates == 0
    assert max(stops) < STOP_LIMIT_S
    assert "Traceback" not in log.read_text()
