"""The one clock: timezone-aware UTC ``now`` for every stage and the store.

Naive datetimes are refused by the store (``UTCDateTime``), so everything
that stamps a time takes it from here, or from a :data:`Clock` injected by a
test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A zero-argument callable returning an aware UTC datetime (tests inject fake ones)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = ["Clock", "utcnow"]
