"""Delivery throughput and fairness through the real outbox and the real
Telegram adapter, to the fake Bot API server on loopback.

The fake server (tests/support/fake_telegram.py, in its own process so it does
not share the GIL with the bot) enforces a global send rate and 1 message/s per
chat and answers 429 when they are exceeded (its tolerance model); the bot's
RateLimits are set to the same rates.

Scenarios (``--scenario``):

* ``throughput``: N chats, one message each. Per run and as the median of
  ``--runs``: achieved messages per second as a fraction of the rate (goal
  >= 0.95) and 429s received (goal 0).
* ``one-big-chat``: one chat with 50 messages queued first, then 10 chats with
  a 3-message digest each: the worst delay of a small chat's first message
  (goal: about a second) and the achieved rate against the best possible
  (the big chat's 50 messages take 49 s at 1/s).
* ``many-per-chat``: 30 chats x 10 messages: achieved rate against what the
  limits allow (min(global rate, chats x 1/s)), how many chats were sending
  in the first 2 s, the worst first-message delay.
* ``fairness``: both of the above; with ``--baseline TREE`` each is also run
  on another checkout (say main's: ``git worktree add /tmp/newsbot-main main``)
  in the same invocation, and the two are printed side by side.

    python bench/delivery.py                     # 10,000 chats at 300 msg/s, 3 runs
    python bench/delivery.py --chats 2000 --rate 100 --runs 5
    python bench/delivery.py --db postgresql://postgres@127.0.0.1:5432/bench
    python bench/delivery.py --scenario fairness --baseline /tmp/newsbot-main
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# ``--code TREE`` (set by the fairness comparison): import newsbot from that checkout
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(CODE))

from sqlalchemy import delete, insert, update  # noqa: E402

from bot.adapters.telegram import TelegramAdapter  # noqa: E402
from bot.clock import utcnow  # noqa: E402
from bot.delivery.outbox import Outbox  # noqa: E402
from bot.ports import RateLimits  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.models import ChatRow, DeliveryRow, DigestRow  # noqa: E402


def serve(conn: Connection, rate: float) -> None:
    """Child process: run the fake Bot API; answer "stats", "firsts" and "reset" requests."""
    sys.path.insert(0, str(REPO))
    from tests.support.fake_telegram import FakeTelegram

    server = FakeTelegram().start_in_thread()
    server.enforce_limits(global_per_second=rate, per_chat_per_second=1.0, reject=True)
    conn.send((server.api_url, server.token))
    while True:
        cmd = conn.recv()
        if cmd == "firsts":
            # per chat: when its first and last messages were accepted (time.monotonic)
            times: dict[str, list[float]] = {}
            for c in server.calls_to("sendMessage", ok=True):
                times.setdefault(str(c.chat_id), []).append(c.at)
            conn.send({chat: (min(ts), max(ts), len(ts)) for chat, ts in times.items()})
        elif cmd == "stats":
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


async def seed_queues(store: Store, sizes: list[int]) -> None:
    """One chat per entry of ``sizes`` with that many messages, queued in this
    order (the first chat's messages all come before the second's)."""
    now = utcnow()
    async with store.session() as s:
        await s.execute(insert(ChatRow), [
            {"id": i + 1, "platform": "telegram", "external_id": str(20_000_000 + i),
             "kind": "private", "settings": {}, "active": True, "schedule_mode": "off",
             "schedule_hour": 8, "schedule_minute": 0, "created_at": now}
            for i in range(len(sizes))])
        await s.execute(insert(DeliveryRow), [
            {"digest_id": None, "chat_id": i + 1, "part": p,
             "idempotency_key": f"telegram:{20_000_000 + i}:msg:bench:{p}",
             "payload": {"text": f"chat {i} message {p}", "parse_mode": None},
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
            for i, n in enumerate(sizes) for p in range(n)])


def start_fake_api(rate: float) -> tuple[Any, Connection, str, str]:
    """The fake Bot API in a process of its own (so its CPU is not the sender's):
    the process, the pipe to ask it for figures, its URL and the bot token."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(child, rate), daemon=True)
    proc.start()
    api_url, token = parent.recv()
    return proc, parent, api_url, token


SCENARIOS = {"one-big-chat": [50] + [3] * 10, "many-per-chat": [10] * 30}


async def fairness_run(args: argparse.Namespace) -> dict[str, Any]:
    """One fairness scenario on the code under ``--code``; returns its figures."""
    sizes = SCENARIOS[args.scenario]
    proc, parent, api_url, token = start_fake_api(args.rate)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            await seed_queues(store, sizes)
            settings = Settings(telegram_token=token, telegram_api_url=api_url)
            limits = RateLimits(global_per_second=args.rate, per_chat_per_second=1.0,
                                per_group_per_minute=20)
            adapter = TelegramAdapter(settings, limits=limits, connection_pool_size=args.pool)
            await adapter.connect()
            outbox = Outbox(store, {"telegram": adapter}, max_unconfirmed=args.unconfirmed)
            try:
                start = time.monotonic()
                sent = 0
                # a 429 puts a row off for its retry_after: run until nothing is pending
                while (await store.outbox.outbox_status()).pending and time.monotonic() - start < 300:
                    sent += await outbox.run_once()
                    await asyncio.sleep(0.05)
                elapsed = time.monotonic() - start
            finally:
                await adapter.close()
        finally:
            await store.close()
    parent.send("firsts")
    firsts: dict[str, tuple[float, float, int]] = parent.recv()
    parent.send("stats")
    stats = parent.recv()
    parent.send("stop")
    proc.join(10)
    delays = {int(chat) - 20_000_000: first - start for chat, (first, _, _) in firsts.items()}
    small = [d for i, d in delays.items() if sizes[i] < max(sizes)] or list(delays.values())
    # the best any sender could do: the longest queue goes at 1 msg/s, the
    # whole lot at the global rate
    allowed = sum(sizes) / max(max(sizes) - 1.0, sum(sizes) / args.rate)
    return {
        "sent": sent, "expected": sum(sizes), "elapsed_s": elapsed, "rate": sent / elapsed,
        "allowed": allowed, "limit": args.rate,
        "worst_first_s": max(small), "median_first_s": statistics.median(small),
        "sending_in_first_2s": sum(1 for d in delays.values() if d <= 2.0),
        "429": stats["429"],
    }


def fairness(args: argparse.Namespace) -> None:
    """Run each fairness scenario on this tree (and ``--baseline``), print a table."""
    trees = [("this tree", REPO)] + ([("baseline", Path(args.baseline))] if args.baseline else [])
    for scenario in SCENARIOS:
        sizes = SCENARIOS[scenario]
        print(f"{scenario}: {sizes[0]} messages in the first chat, {sizes[-1]} in each other "
              f"({len(sizes)} chats, {sum(sizes)} messages), "
              f"limit {args.rate:g}/s global, 1/s per chat, {args.runs} runs (median)")
        for label, tree in trees:
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--scenario", scenario,
                     "--code", str(tree), "--json", "--rate", str(args.rate),
                     "--pool", str(args.pool), "--unconfirmed", str(args.unconfirmed)]
                    + (["--db", args.db] if args.db else []),
                    capture_output=True, text=True, check=True, cwd=REPO)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))

            def med(key: str, rs: list[dict[str, Any]] = runs) -> float:
                return float(statistics.median(r[key] for r in rs))

            print(f"  {label:9s}: {med('rate'):5.1f} msg/s achieved of {runs[0]['allowed']:g} "
                  f"allowed ({med('rate') / runs[0]['allowed']:.2f}); worst first message "
                  f"{med('worst_first_s'):5.2f} s (median {med('median_first_s'):.2f} s); "
                  f"chats sending within 2 s: {med('sending_in_first_2s'):g}/"
                  f"{len(SCENARIOS[scenario])}; total {med('elapsed_s'):.1f} s; "
                  f"429s {med('429'):g}")


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    proc, parent, api_url, token = start_fake_api(args.rate)
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
    parser.add_argument("--scenario", default="throughput",
                        choices=["throughput", "fairness", *SCENARIOS])
    parser.add_argument("--baseline", default=None,
                        help="another checkout to run the fairness scenarios on too (main's)")
    parser.add_argument("--code", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=None,
                        help="global messages per second (300; 30 for the fairness scenarios)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pool", type=int, default=8, help="the adapter's HTTP connection pool")
    parser.add_argument("--unconfirmed", type=int, default=32, help="the outbox's max_unconfirmed")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    arguments = parser.parse_args()
    if arguments.scenario == "throughput":
        arguments.rate = arguments.rate or 300.0
        asyncio.run(main(arguments))
    else:
        arguments.rate = arguments.rate or 30.0
        if arguments.scenario == "fairness":
            fairness(arguments)
        else:
            figures = asyncio.run(fairness_run(arguments))
            print(json.dumps(figures) if arguments.json else figures)
