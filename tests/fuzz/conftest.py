"""Shared pieces of the property tests: seed documents and the hypothesis profile.

Seeds are the real feeds of ``../shared/eval/feeds/`` (read by path at test
time, never copied into the repository); the tests that need them skip when
that folder is absent. ``NEWSBOT_FUZZ_EXAMPLES`` raises the example count for
a longer local run.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, settings

EVAL_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "feeds"
if not EVAL_FEEDS.is_dir():
    EVAL_FEEDS = Path("/work/shared/eval/feeds")

settings.register_profile(
    "newsbot",
    max_examples=int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "40")),
    deadline=None,  # time is bounded by an explicit per-call check instead (CI is noisy)
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("newsbot")

#: Most seconds one parser call may take on a generated input (generous: 2 shared cores).
CALL_BUDGET_S = 20.0


@lru_cache(maxsize=1)
def seed_files() -> tuple[Path, ...]:
    if not EVAL_FEEDS.is_dir():
        return ()
    return tuple(sorted(p for p in EVAL_FEEDS.rglob("*") if p.is_file() and p.stat().st_size < 2_000_000))


@lru_cache(maxsize=256)
def seed_bytes(path: Path) -> bytes:
    return path.read_bytes()
