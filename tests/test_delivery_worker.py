"""``newsbot run --delivery-only``: an extra worker that only sends what is queued."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import run
from bot.domain import ChatRef
from bot.store import Store
from tests.support.fake_telegram import running_fake_telegram, telegram_settings


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


def test_the_main_process_keeps_its_worker_id_across_restarts() -> None:
    from bot.app import main_worker_id
    from bot.delivery.outbox import default_worker_id

    assert main_worker_id() == main_worker_id()
    assert default_worker_id() != default_worker_id()
