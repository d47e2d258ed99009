"""The process the crash test SIGKILLs: the real outbox and the real Telegram
adapter, sending an existing store's outbox to a (fake) Bot API server.

    python -m tests.delivery.crash_worker --db sqlite:///x.db --api http://127.0.0.1:PORT/bot \
        --token TOKEN --rate 40

Exits 0 once nothing is pending. Writes nothing but the database. With
``--wait-go`` it starts up (imports, getMe) and then waits for a line on stdin
before sending (after printing "ready"), so start-up is not part of a run.

Every worker uses the same outbox ``worker_id`` (one runs at a time): like a
restarted service with a configured id, it takes back at once the chat leases
its killed predecessor held, instead of waiting for them to expire.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.adapters.telegram import TelegramAdapter
from bot.delivery.outbox import Outbox
from bot.ports import RateLimits
from bot.settings import Settings
from bot.store import Store

WORKER_ID = "crash-worker"


async def main(db: str, api: str, token: str, rate: float, wait_go: bool,
               unconfirmed: int = 32) -> int:
    settings = Settings(telegram_token=token, telegram_api_url=api, database_url=db)
    limits = RateLimits(global_per_second=rate, per_chat_per_second=rate, per_group_per_minute=None)
    adapter = TelegramAdapter(settings, limits=limits, request_timeout=5.0)
    await adapter.connect()
    store = Store(db)
    outbox = Outbox(store, {"telegram": adapter}, base_backoff_s=0.05, max_attempts=50,
                    max_unconfirmed=unconfirmed, worker_id=WORKER_ID)
    await store.outbox.outbox_status()  # connect before the first send
    if wait_go:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    try:
        while (await store.outbox.outbox_status()).pending:
            await outbox.run_once()
            await asyncio.sleep(0.02)
    finally:
        await adapter.close()
        await store.close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--wait-go", action="store_true")
    parser.add_argument("--unconfirmed", type=int, default=32)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    raise SystemExit(asyncio.run(main(args.db, args.api, args.token, args.rate, args.wait_go,
                                args.unconfirmed)))
