"""Delivery throughput: N chats, one digest message each, through the real
outbox and the real Telegram adapter, to the fake Bot API server on loopback.

The fake server (tests/support/fake_telegram.py, in its own process so it does
not share the GIL with the bot) enforces a global send rate and answers 429
when it is exceeded (more than ``rate / 0.9`` sends within one second, its
tolerance model); the bot's RateLimits are set to the same rate. Reported per
run and as the median of ``--runs``: achieved messages per second as a fraction
of the rate (goal >= 0.95) and 429s received (goal 0).

    python bench/delivery.py                     # 10,000 chats at 300 msg/s, 3 runs
    python bench/delivery.py --chats 2000 --rate 100 --runs 5
    python bench/delivery.py --db postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import delete, insert, update  # noqa: E402

from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.clock import utcnow  # noqa: E402
from bot.delivery.outbox import Outbox  # noqa: E402
from bot.ports import RateLimits  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.models import ChatRow, DeliveryRow, DigestRow  # noqa: E402


def serve(conn: Connection, rate: float) -> None:
    """Child process: run the fake Bot API; answer "stats" and "reset" requests."""
    from tests.support.fake_telegram import FakeTelegram

    server = FakeTelegram().start_in_thread()
    server.enforce_limits(global_per_second=rate, per_chat_per_second=1.0, reject=True)
    conn.send((server.api_url, server.token))
    while True:
        cmd = conn.recv()
        if cmd == "stats":
            calls = server.calls_to("sendMessage")
            conn.send({"ok": sum(c.ok for c in calls), "429": sum(c.status == 429 for c in calls),
                       "other_errors": sum(not c.ok and c.status != 429 for c in calls),
                       "violations": dict(server.violations)})
        elif cmd == "reset":
            with server._lock:
                server.calls.clear()
                server.violations = {"chat": 0, "global": 0}
                server._recent_sends.clear()
                server._last_send.clear()
            conn.send("ok")
        else:
            server.stop_thread()
            return



async def seed(store: Store, chats: int) -> None:
    now = utcnow()
    async with store.session() as s:
        await s.execute(delete(DeliveryRow))
        await s.execute(delete(DigestRow))
        await s.execute(delete(ChatRow))
        await s.execute(insert(ChatRow), [
            {"id": i + 1, "platform": "telegram", "external_id": str(10_000_000 + i), "kind": "private",
             "settings": {}, "active": True, "schedule_mode": "off", "schedule_hour": 8,
             "schedule_minute": 0, "created_at": now} for i in range(chats)])
        await s.execute(insert(DigestRow), [
            {"id": i + 1, "chat_id": i + 1, "slot": None, "story_count": 1, "created_at": now}
            for i in range(chats)])
        await s.execute(insert(DeliveryRow), [
            {"digest_id": i + 1, "chat_id": i + 1, "part": 0,
             "idempotency_key": f"telegram:{10_000_000 + i}:{i + 1}:0",
             "payload": {"text": f"Your news digest #{i}: one story", "parse_mode": None},
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for i in range(chats)])


async def reset(store: Store) -> None:
    async with store.session() as s:
        await s.execute(update(DeliveryRow).values(status="pending", attempts=0, sent_at=None,
                                                   next_attempt_at=utcnow(), last_error=None))


async def one_run(store: Store, api_url: str, token: str, rate: float, pool: int,
                  unconfirmed: int) -> float:
    settings = Settings(telegram_token=token, telegram_api_url=api_url)
    limits = RateLimits(global_per_second=rate, per_chat_per_second=1.0, per_group_per_minute=20)
    adapter = TelegramAdapter(settings, limits=limits, connection_pool_size=pool)
    await adapter.connect()
    outbox = Outbox(store, {"telegram": adapter}, max_unconfirmed=unconfirmed)
    try:
        start = time.perf_counter()
        sent = await outbox.run_once()
        elapsed = time.perf_counter() - start
    finally:
        await adapter.close()
    status = await store.outbox.outbox_status()
    if status.pending or status.failed:
        print(f"  warning: {status.pending} pending, {status.failed} failed after the run")
    return sent / elapsed


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(child, args.rate), daemon=True)
    proc.start()
    api_url, token = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = await Store.open(url)
        try:
            await seed(store, args.chats)
            fractions: list[float] = []
            rejected: list[int] = []
            for run in range(args.runs):
                parent.send("reset")
                parent.recv()
                if run:
                    await reset(store)
                rate = await one_run(store, api_url, token, args.rate, args.pool, args.unconfirmed)
                parent.send("stats")
                stats: dict[str, Any] = parent.recv()
                fractions.append(rate / args.rate)
                rejected.append(stats["429"])
                print(f"run {run + 1}: {rate:7.1f} msg/s = {rate / args.rate:.3f} of {args.rate:g}/s; "
                      f"accepted {stats['ok']}, 429s {stats['429']}, other errors {stats['other_errors']}")
        finally:
            await store.close()
    parent.send("stop")
    proc.join(10)
    print(f"median of {args.runs}: {statistics.median(fractions):.3f} of the limit "
          f"({statistics.median(fractions) * args.rate:.1f} msg/s), "
          f"429s per run: median {statistics.median(rejected):g}, max {max(rejected)} "
          f"[{args.chats} chats, {'sqlite' if not args.db else args.db.split(':')[0]}]")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=300.0, help="global messages per second")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pool", type=int, default=8, help="the adapter's HTTP connection pool")
    parser.add_argument("--unconfirmed", type=int, default=32, help="the outbox's max_unconfirmed")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    asyncio.run(main(parser.parse_args()))
