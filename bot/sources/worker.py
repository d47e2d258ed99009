"""The parse worker: ``python -m bot.sources.worker MEMORY_MB CPU_S``.

Reads one pickled ``(job, args, url)`` from stdin, runs it under an
address-space limit of ``MEMORY_MB`` and a CPU-time limit of ``CPU_S``
seconds, and writes one pickled ``("ok", value)`` or ``("error", (kind,
message))`` to stdout. Started by :mod:`bot.sources.parsing` for inputs too
big to parse inside the bot's own process; only the bot talks to it.
"""

from __future__ import annotations

import pickle
import resource
import sys


def _limit(memory_mb: int, cpu_s: int) -> None:
    # Python, lxml and trafilatura need about 300 MB of address space before any work.
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))


def main(argv: list[str]) -> int:
    memory_mb, cpu_s = int(argv[0]), int(argv[1])
    payload = sys.stdin.buffer.read()
    from bot.errors import NewsbotError
    from bot.sources.parsing import run_job

    _limit(memory_mb, cpu_s)
    job, args, url = pickle.loads(payload)
    try:
        result: tuple[str, object] = ("ok", run_job(job, args, url))
    except NewsbotError as exc:
        result = ("error", (type(exc).__name__, str(exc)))
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
