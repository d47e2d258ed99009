"""``newsbot run --delivery-only``: an extra worker that only sends what is queued."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import run
from bot.clock import utcnow
from bot.delivery.outbox import Outbox, is_dead_here
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
def test_every_process_gets_its_own_worker_id() -> None:
    """Two processes (an overlapping restart, two replicas) never share an outbox
    worker id, so neither can take the other's live chat leases for its own."""
    from bot.delivery.outbox import default_worker_id

    script = "from bot.delivery.outbox import default_worker_id; print(default_worker_id())"
    ids = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=True).stdout.strip() for _ in range(2)]
    assert len({*ids, default_worker_id()}) == 3
    host = socket.gethostname()
    assert all(i.startswith(f"{host}:") for i in ids)


async def test_a_restart_takes_back_a_dead_predecessors_leases_at_once(tmp_path: Path) -> None:
    """The leases of a process that died on this host are released when the next one
    starts; those of a live process (or of another host) are left to expire."""
    store = await Store.open(f"sqlite:///{tmp_path / 'leases.db'}")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    host = socket.gethostname()
    holders = {"dead": f"{host}:{dead}:0a0b0c0d", "alive": f"{host}:{os.getppid()}:01020304",
               "elsewhere": f"other-host:{dead}:0a0b0c0d", "me-before": f"{host}:{os.getpid()}:ffff0000"}
    until = utcnow() + timedelta(seconds=60)
    ids = {}
    for name, holder in holders.items():
        ids[name] = (await store.chats.upsert_chat(ChatRef("telegram", name))).id
        assert await store.outbox.claim_chats({ids[name]}, holder, now=utcnow(), until=until)
    box = Outbox(store, {})
    try:
        assert await box.reclaim_orphans() == 2
        assert await store.outbox.lease_holders(utcnow()) == {holders["alive"], holders["elsewhere"]}
        assert is_dead_here(holders["dead"], box.worker_id)
        assert not is_dead_here(box.worker_id, box.worker_id)
    finally:
        await store.close()
