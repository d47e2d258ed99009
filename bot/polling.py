"""When to poll a feed next: pure functions, so the pipeline and tests agree.

Three rules, in this order:

1. A feed is polled every ``interval_s`` unless it says otherwise: a
   ``Cache-Control: max-age``, an RSS ``<ttl>`` or a ``Retry-After`` longer
   than the interval pushes the next poll out (a hint shorter than the
   interval never makes us poll *more* often). Hints are capped at
   :data:`MAX_HINT_S` so a feed announcing ``ttl=100000`` is still read daily.
2. Never sooner than ``min_interval_s`` (and never before a Retry-After).
3. Jitter (±``jitter_fraction``) spreads thousands of feeds added together
   over time instead of firing them in the same second forever.

After a failure, :func:`backoff_time` doubles the wait per consecutive
failure up to ``cap_s`` (24 h), also with jitter; :func:`should_deactivate`
says when to give up on a feed.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

logger = logging.getLogger(__name__)

MAX_HINT_S = 86400.0
"""Longest wait a feed's own hints (max-age, ttl, Retry-After) may impose."""

_MAX_EXPONENT = 40  # 2**40 s is far past any cap; keeps the float finite


def _jittered(delay: float, fraction: float, rng: random.Random | None) -> float:
    if fraction <= 0 or delay <= 0:
        return delay
    r = rng if rng is not None else random
    return delay * (1.0 + r.uniform(-fraction, fraction))


def next_poll_time(
    *,
    now: datetime,
    interval_s: float,
    min_interval_s: float,
    ttl_minutes: float | None = None,
    cache_max_age_s: float | None = None,
    retry_after_s: float | None = None,
    jitter_fraction: float = 0.1,
    rng: random.Random | None = None,
) -> datetime:
    """The next time to poll a feed that was just fetched successfully."""
    if interval_s <= 0 or min_interval_s < 0:
        raise ValueError("interval_s must be > 0 and min_interval_s >= 0")
    delay = float(interval_s)
    for hint in (
        ttl_minutes * 60.0 if ttl_minutes is not None else None,
        cache_max_age_s,
        retry_after_s,
    ):
        if hint is not None and hint > 0:
            delay = max(delay, min(float(hint), MAX_HINT_S))
    floor = float(min_interval_s)
    if retry_after_s is not None and retry_after_s > 0:
        floor = max(floor, min(float(retry_after_s), MAX_HINT_S))
    delay = max(_jittered(delay, jitter_fraction, rng), floor)
    return now + timedelta(seconds=delay)


def backoff_time(
    *,
    now: datetime,
    failures: int,
    base_s: float,
    retry_after_s: float | None = None,
    cap_s: float = 86400.0,
    rng: random.Random | None = None,
    jitter_fraction: float = 0.1,
) -> datetime:
    """The next attempt after ``failures`` consecutive failures (1 = first).

    ``base_s * 2**(failures-1)``, capped at ``cap_s``, ±``jitter_fraction``
    (never above the cap), and never before a server's Retry-After (itself
    capped at ``cap_s``: a server cannot silence a feed for a month).
    """
    if base_s <= 0 or cap_s <= 0:
        raise ValueError("base_s and cap_s must be > 0")
    exponent = min(max(failures, 1) - 1, _MAX_EXPONENT)
    delay = min(base_s * (2.0**exponent), cap_s)
    delay = min(_jittered(delay, jitter_fraction, rng), cap_s)
    if retry_after_s is not None and retry_after_s > 0:
        delay = max(delay, min(float(retry_after_s), cap_s))
    return now + timedelta(seconds=delay)


def should_deactivate(failures: int, max_failures: int) -> bool:
    """True once a feed has failed ``max_failures`` times in a row."""
    return max_failures > 0 and failures >= max_failures


__all__ = ["MAX_HINT_S", "backoff_time", "next_poll_time", "should_deactivate"]
