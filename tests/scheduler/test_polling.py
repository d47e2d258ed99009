"""next_poll_time / backoff_time / should_deactivate."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.polling import MAX_HINT_S, backoff_time, next_poll_time, should_deactivate

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def delay(when: datetime) -> float:
    return (when - NOW).total_seconds()


def test_plain_interval_with_jitter_spreads_feeds() -> None:
    rng = random.Random(1)
    delays = [delay(next_poll_time(now=NOW, interval_s=900, min_interval_s=300, rng=rng)) for _ in range(500)]
    assert min(delays) >= 810 and max(delays) <= 990
    assert len({round(d) for d in delays}) > 100  # spread, not one instant


@pytest.mark.parametrize(("hint", "expected"), [
    ({"ttl_minutes": 60}, 3600), ({"cache_max_age_s": 7200}, 7200), ({"retry_after_s": 5000}, 5000),
    ({"ttl_minutes": 1}, 900), ({"cache_max_age_s": 10}, 900),  # a short hint never polls more often
    ({"ttl_minutes": 100000}, MAX_HINT_S),  # capped: still read daily
])
def test_hints_only_ever_lengthen_the_wait(hint: dict[str, float], expected: float) -> None:
    d = delay(next_poll_time(now=NOW, interval_s=900, min_interval_s=300, jitter_fraction=0, **hint))
    assert d == expected


def test_never_sooner_than_the_minimum_or_a_retry_after_even_with_jitter() -> None:
    rng = random.Random(2)
    for _ in range(200):
        assert delay(next_poll_time(now=NOW, interval_s=300, min_interval_s=300, rng=rng)) >= 300
        assert delay(next_poll_time(now=NOW, interval_s=60, min_interval_s=30, retry_after_s=600,
                                    rng=rng)) >= 600


def test_backoff_doubles_up_to_a_day() -> None:
    ds = [delay(backoff_time(now=NOW, failures=n, base_s=60, jitter_fraction=0)) for n in range(1, 14)]
    assert ds[:4] == [60, 120, 240, 480]
    assert ds[-1] == 86400 and all(b >= a for a, b in itertools.pairwise(ds))
    assert delay(backoff_time(now=NOW, failures=10_000, base_s=60)) <= 86400  # no overflow


def test_backoff_jitter_stays_under_the_cap_and_honours_retry_after() -> None:
    rng = random.Random(3)
    for n in range(1, 30):
        d = delay(backoff_time(now=NOW, failures=n, base_s=60, rng=rng))
        assert 0 < d <= 86400
    assert delay(backoff_time(now=NOW, failures=1, base_s=60, retry_after_s=3600)) >= 3600
    assert delay(backoff_time(now=NOW, failures=1, base_s=60, retry_after_s=10**9)) == 86400


def test_should_deactivate() -> None:
    assert not should_deactivate(19, 20)
    assert should_deactivate(20, 20) and should_deactivate(25, 20)


def test_bad_arguments_are_one_clear_error() -> None:
    with pytest.raises(ValueError):
        next_poll_time(now=NOW, interval_s=0, min_interval_s=0)
    with pytest.raises(ValueError):
        backoff_time(now=NOW, failures=1, base_s=0)
    assert NOW + timedelta(seconds=1) > NOW
