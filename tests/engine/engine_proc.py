"""A child process for the engine's process tests: the real ``newsbot run`` or
``newsbot worker`` code path (bot.engine.process) with a deterministic
summarizer, so a test can start and SIGKILL several of them cheaply.

    python -m tests.engine.engine_proc run|worker   (settings from NEWSBOT_* env;
        ENGINE_QUEUES="poll process" limits a worker's queues, ENGINE_REAL_SUMMARIZER=1
        loads the configured model instead of the stand-in: bench/scale.py uses both)

Prints "ready" on stdout once its procrastinate worker runs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from bot.domain import Quote, Summary


class FirstSentences:
    """Deterministic stand-in for the model: first sentences as key points."""

    name = "first-sentences"

    def summarize(self, text: str, title: str | None = None, language: str | None = None,
                  max_points: int = 3, max_quotes: int = 2) -> Summary:
        points = tuple(s.strip() + "." for s in text.split(".") if len(s.split()) > 3)[:max_points]
        q = Quote("a quote", "Someone", 0, 7)
        return Summary(points or ("(no text)",), (q,), (q,), self.name, language)


async def main(mode: str) -> None:
    from bot.engine.process import run_full, run_worker
    from bot.settings import load_settings

    settings = load_settings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal

    loop.add_signal_handler(signal.SIGTERM, stop.set)
    def ready() -> None:
        print("ready", flush=True)

    # bench/scale.py measures the real model: ENGINE_REAL_SUMMARIZER=1
    summarizer = None if os.environ.get("ENGINE_REAL_SUMMARIZER") else FirstSentences()
    if mode == "run":
        await run_full(settings, stop, summarizer=summarizer, on_ready=ready)  # type: ignore[arg-type]
    else:
        queues = os.environ.get("ENGINE_QUEUES", "").split() or None
        await run_worker(settings, stop, queues=queues, summarizer=summarizer,  # type: ignore[arg-type]
                         on_ready=ready)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "procrastinate"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(main(sys.argv[1]))
