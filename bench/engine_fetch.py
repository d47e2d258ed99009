"""What a worker's job fetch costs behind a backlog of another queue's jobs.

procrastinate's fetch walks the waiting jobs of every queue in (priority, id)
order and skips those of queues the worker does not serve. This bench fills a
fresh database with ``--backlog`` waiting article jobs (``process``) and a few
hundred jobs of each other queue, then times ``procrastinate_fetch_job_v2`` for a
worker of each queue (median of ``--runs``, each rolled back), in the same run:
stock (procrastinate's own indexes, every job at priority 0, newsbot before),
with newsbot's index on waiting and running jobs' locks (migration 0010), and
with that index and newsbot's queue priorities (``bot.engine.tasks.PRIORITIES``).

    .venv/bin/python bench/engine_fetch.py [--backlog 24000] [--runs 25]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402

from bot.engine.tasks import PRIORITIES, PROCESS_QUEUE  # noqa: E402
from bot.store import Store  # noqa: E402

LOCK_INDEX = "newsbot_procrastinate_jobs_lock_idx"  # migration 0010
ADMIN_URL = os.environ.get("NEWSBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def fill(conn: psycopg.Connection, backlog: int, others: int, priorities: dict[str, int]) -> None:
    conn.execute("DELETE FROM procrastinate_jobs")
    conn.execute(
        "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock, args)"
        " SELECT %s, 't', %s, 'article:' || g, 'article:' || g, '{}' FROM generate_series(1, %s) g",
        (PROCESS_QUEUE, priorities.get(PROCESS_QUEUE, 0), backlog))
    for queue in sorted(q for q in PRIORITIES if q != PROCESS_QUEUE):
        conn.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock,"
            " args) SELECT %s, 't', %s, %s || g, %s || g, '{}' FROM generate_series(1, %s) g",
            (queue, priorities.get(queue, 0), f"{queue}:", f"{queue}:", others))
    conn.execute("ANALYZE procrastinate_jobs")


def fetch_ms(conn: psycopg.Connection, queue: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            start = time.perf_counter()
            conn.execute("SELECT id FROM procrastinate_fetch_job_v2(%s::varchar[], NULL)",
                         ([queue],))
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


async def migrate(url: str) -> None:
    store = await Store.open(url)
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backlog", type=int, default=24_000, help="waiting article jobs")
    parser.add_argument("--others", type=int, default=2000,
                        help="waiting jobs of each other queue (default 2000: a poll tick of 2,000 feeds)")
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    name = f"newsbot_fetch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    try:
        asyncio.run(migrate(url))
        print(f"fetch of one job, median of {args.runs} ms; {args.backlog} article jobs "
              f"waiting, {args.others} of each other queue")
        print(f"{'worker of queue':16} {'stock':>9} {'+ lock index':>13} {'+ priorities':>13}")
        with psycopg.connect(url, autocommit=True) as conn:
            figures: dict[str, list[float]] = {q: [] for q in PRIORITIES}
            for index, priorities in ((False, {}), (True, {}), (True, PRIORITIES)):
                conn.execute(f"DROP INDEX IF EXISTS {LOCK_INDEX}")
                if index:
                    conn.execute(f"CREATE INDEX {LOCK_INDEX} ON procrastinate_jobs (lock) "
                                 "WHERE status IN ('todo', 'doing')")
                fill(conn, args.backlog, args.others, priorities)
                for queue in PRIORITIES:
                    figures[queue].append(fetch_ms(conn, queue, args.runs))
            for queue, (stock, indexed, ordered) in figures.items():
                print(f"{queue:16} {stock:9.2f} {indexed:13.2f} {ordered:13.2f}")
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
