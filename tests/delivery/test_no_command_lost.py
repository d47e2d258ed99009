"""No command lost: a Telegram update that Telegram already counts as delivered
(confirmed by the next getUpdates offset) is in the inbox before it is handled;
when the process is SIGKILLed mid-command, the next one handles it.

Real processes (``python -m bot run``), the real Telegram adapter, the fake Bot
API and a loopback news site in this process; the feed answers slowly while
the first process handles ``/subscribe``, so the kill lands mid-command.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.domain import ChatRef
from bot.store import Store
from tests.e2e_support import news_site
from tests.support.fake_telegram import FakeTelegram, running_fake_telegram
from tests.support.http_server import http_server as http_server

REPO = Path(__file__).resolve().parents[2]
USER = 5151


async def _start(store: Store, tg: FakeTelegram, log: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSBOT_DATABASE_URL": store.url,
           "NEWSBOT_TELEGRAM_TOKEN": tg.token, "NEWSBOT_TELEGRAM_API_URL": tg.api_url,
           "NEWSBOT_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "NEWSBOT_LOG_LEVEL": "INFO"}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env,
        stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT)


async def _until(condition: Any, what: str, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log.read_text()[-3000:]}"
        await asyncio.sleep(0.1)


@pytest.mark.slow  # two full newsbot processes
async def test_a_command_in_flight_at_a_kill_is_answered_after_the_restart(
        http_server: Any, store: Store, tmp_path: Path) -> None:
    site = news_site(http_server())
    feed = site.routes["/rss.xml"]
    site.set("/rss.xml", replace(feed, delay=60.0))  # the first process never gets an answer
    log = tmp_path / "run.log"
    async with running_fake_telegram() as tg:
        first = await _start(store, tg, log)
        try:
            async def polling() -> bool:
                return bool(tg.calls_to("getUpdates"))

            await _until(polling, "the first process to poll", log)
            update_id = tg.push_message(USER, f"/subscribe {site.url('/rss.xml')}")["update_id"]

            async def in_flight() -> bool:
                confirmed = any(int(c.params.get("offset") or 0) > update_id
                                for c in tg.calls_to("getUpdates"))
                return confirmed and bool(site.requests_to("/rss.xml"))

            await _until(in_flight, "the update to be confirmed and the feed fetched", log)
            assert await store.inbox.counts("telegram") == (1, 0)
            first.kill()
            await first.wait()
        finally:
            if first.returncode is None:
                first.kill()
                await first.wait()
        assert tg.sent_messages(USER) == []  # the command was not answered

        site.set("/rss.xml", feed)
        second = await _start(store, tg, log)
        try:
            async def answered() -> bool:
                return bool(tg.sent_messages(USER))

            await _until(answered, "the restarted process to answer", log)
            started = time.monotonic()
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 30) == 0
            stop_s = time.monotonic() - started
        finally:
            if second.returncode is None:
                second.kill()
                await second.wait()
    texts = [str(m["text"]) for m in tg.sent_messages(USER)]
    assert len(texts) == 1 and "Subscribed to Loopback Herald" in texts[0], texts
    assert await store.inbox.counts("telegram") == (0, 1)
    assert len(await store.chats.subscriptions(ChatRef("telegram", str(USER)))) == 1
    assert stop_s < 8.0
    assert "Traceback" not in log.read_text()
