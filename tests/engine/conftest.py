"""Engine tests: a fresh PostgreSQL database per test (procrastinate's tables,
workers and periodic-defer rows must not leak from one test into the next)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.store import Store
from tests.conftest import _postgres_database


@pytest.fixture
def engine_db_url() -> Iterator[str]:
    """A throwaway database (migrated by whoever opens it first)."""
    gen = _postgres_database()
    url = next(gen)
    if url is None:
        pytest.skip("PostgreSQL server not reachable")
    try:
        yield url
    finally:
        gen.close()


@pytest.fixture
async def pg_store(engine_db_url: str) -> AsyncIterator[Store]:
    """A migrated store on the fresh database (procrastinate's schema included)."""
    store = await Store.open(engine_db_url)
    try:
        yield store
    finally:
        await store.close()
