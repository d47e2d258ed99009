"""Migration 0006 (URLs as text, unique on their hash) on a database that has
data, on SQLite and PostgreSQL: hashes filled, long URLs storable, reversible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.store import Store, bounds
from bot.store.database import database_urls
from bot.store.migrate import alembic_config
from tests.conftest import _postgres_database

LONG = "https://long.example/feed?" + "k=v&" * 1000


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    databases = _postgres_database()
    url = next(databases)
    if url is None:
        pytest.skip("PostgreSQL server not reachable")
    yield url
    next(databases, None)


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    engine = sa.create_engine(database_urls(url)[1])
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
    finally:
        engine.dispose()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(database_urls(url)[1])
    try:
        with engine.begin() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


async def test_0006_keeps_data_fills_hashes_and_takes_long_urls(empty_url: str) -> None:
    _migrate(empty_url, "0005")
    engine = sa.create_engine(database_urls(empty_url)[1])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO feeds (url, active, consecutive_failures, total_failures, item_count, "
            "created_at) VALUES ('https://old.example/rss', true, 0, 0, 1, '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO articles (canonical_url, url, status, attempts, ingested_at) "
            "VALUES ('https://old.example/1', 'https://old.example/1', 'pending', 0, '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO feed_entries (feed_id, article_id, guid, seen_at) "
            "VALUES (1, 1, 'g1', '2026-01-01')")
    engine.dispose()

    _migrate(empty_url, "head")
    assert _rows(empty_url, "SELECT url_hash FROM feeds") == [
        (bounds.url_hash("https://old.example/rss"),)]
    assert _rows(empty_url, "SELECT canonical_url_hash FROM articles") == [
        (bounds.url_hash("https://old.example/1"),)]
    assert _rows(empty_url, "SELECT count(*) FROM feed_entries") == [(1,)]  # nothing cascaded

    store = await Store.open(empty_url)
    try:
        old = await store.feeds.find_feed("https://old.example/rss")
        assert old is not None and old.item_count == 1
        feed, created = await store.feeds.add_feed(LONG)
        assert created and feed.url == LONG
        _, again = await store.feeds.add_feed("https://old.example/rss")
        assert not again  # the migrated hash finds the old row
    finally:
        await store.close()

    # reversible on a database whose URLs still fit the old columns
    with sa.create_engine(database_urls(empty_url)[1]).begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM feeds WHERE id = {feed.id}")
    _migrate(empty_url, "0005", down=True)
    assert _rows(empty_url, "SELECT url FROM feeds") == [("https://old.example/rss",)]
    _migrate(empty_url, "head")
    assert _rows(empty_url, "SELECT count(*) FROM feed_entries") == [(1,)]
