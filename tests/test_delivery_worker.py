"""``newsbot run --delivery-only``: an extra worker that only sends what is queued."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import run
from bot.domain import ChatRef
from bot.store import Store
from tests.support.fake_telegram import running_fake_telegram, telegram_settings

REPO = Path(__file__).resolve().parents[1]


async def test_delivery_worker_sends_queued_messages_and_never_polls(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    store = await Store.open(url)
    chats = ["101", "102", "103"]
    for chat in chats:
        ref = ChatRef("telegram", chat)
        await store.chats.upsert_chat(ref)
        await store.digests.create_digest(ref, [], [{"text": f"{chat} part {p}"} for p in range(2)])
    async with running_fake_telegram() as tg:
        for chat in chats:
            tg.add_chat(int(chat), "private")
        settings = telegram_settings(tg, database_url=url)
        stop = asyncio.Event()
        worker = asyncio.create_task(run(settings, stop, delivery_only=True))
        try:
            await tg.wait_for("sendMessage", 6, timeout=30)
        finally:
            stop.set()
            await asyncio.wait_for(worker, 30)
        for chat in chats:
            assert [m["text"] for m in tg.sent_messages(int(chat))] == [
                f"{chat} part 0", f"{chat} part 1"]
        called = {c.method for c in tg.calls}
        assert "getUpdates" not in called and "setWebhook" not in called
        assert "setMyCommands" not in called
    status = await store.outbox.outbox_status()
    await store.close()
    assert (status.pending, status.sent, status.failed) == (0, 6, 0)


@pytest.mark.slow  # two fresh interpreters
def test_the_main_process_keeps_its_worker_id_across_restarts() -> None:
    """Two separate processes (a crash and a restart) get the same id for the full run,
    so the restarted one takes its predecessor's chat leases back; extra workers differ."""
    from bot.app import main_worker_id
    from bot.delivery.outbox import default_worker_id

    script = ("from bot.app import main_worker_id; from bot.delivery.outbox import "
              "default_worker_id; print(main_worker_id()); print(default_worker_id())")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           cwd=REPO, timeout=120, check=True).stdout.split()
            for _ in range(2)]
    (main_1, extra_1), (main_2, extra_2) = runs
    assert main_1 == main_2 == main_worker_id()
    assert len({extra_1, extra_2, default_worker_id()}) == 3
    assert main_1 not in (extra_1, extra_2)
