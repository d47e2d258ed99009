"""Shared fixtures: real databases (SQLite files and the PostgreSQL server)."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.store import Store

if TYPE_CHECKING:
    from bot.summarize.extractive import ExtractiveSummarizer

# Tests never read or write the user's real data and config folders: every lookup
# (NEWSBOT_DATA_DIR, platformdirs' XDG folders) points into a throwaway folder,
# set before any test builds Settings. Child processes inherit it.
_SANDBOX = Path(tempfile.mkdtemp(prefix="newsbot-tests-"))
atexit.register(shutil.rmtree, _SANDBOX, ignore_errors=True)
os.environ["NEWSBOT_DATA_DIR"] = str(_SANDBOX / "data")
os.environ["XDG_DATA_HOME"] = str(_SANDBOX / "xdg-data")
os.environ["XDG_CONFIG_HOME"] = str(_SANDBOX / "xdg-config")
os.environ.pop("NEWSBOT_CONFIG", None)

REPO_ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO_ROOT.parent / "shared" / "eval"
POSTGRES_ADMIN_URL = os.environ.get(
    "NEWSBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> Iterator[str | None]:
    """Create a throwaway database on the PostgreSQL server; None when unreachable."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN_URL.replace("postgresql+psycopg", "postgresql"),
                                autocommit=True, connect_timeout=3)
    except Exception as exc:  # the server is down: say so, skip the postgres half
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL is required in CI: {exc}") from exc
        yield None
        return
    name = f"newsbot_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    yield from _postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newsbot.db'}"
        st = await Store.open(url)
    else:
        pg = request.getfixturevalue("postgres_url")
        if pg is None:
            pytest.skip("PostgreSQL server not reachable")
        st = await Store.open(pg)
        await _truncate(st)
    try:
        yield st
    finally:
        await st.close()


async def _truncate(st: Store) -> None:
    from sqlalchemy import text

    from bot.store.models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with st.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def engine() -> ExtractiveSummarizer:
    """The default engine with the real embedded MiniLM model, loaded once per session
    and shared by every test that needs it (tests using it are marked ``slow``)."""
    from bot.settings import Settings
    from bot.summarize.extractive import ExtractiveSummarizer
    from bot.summarize.factory import build_summarizer

    summarizer = build_summarizer(Settings())
    assert isinstance(summarizer, ExtractiveSummarizer)
    summarizer.load()
    return summarizer


@pytest.fixture(scope="session")
def real_summarizer(engine: ExtractiveSummarizer) -> ExtractiveSummarizer:
    """The same engine, for tests that hand it to the pipeline as a Summarizer."""
    return engine


MODEL_FIXTURES = frozenset({"engine", "real_summarizer"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the real model is ``slow`` (loading it takes seconds), so
    ``pytest -m "not slow"`` is the quick loop."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    st = await Store.open(f"sqlite:///{tmp_path / 'newsbot.db'}")
    try:
        yield st
    finally:
        await st.close()


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as pytest had it: an in-process ``cli.main``
    configures logging (root handlers, level, warnings captured)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # an earlier in-process cli.main may have left warnings captured (with a stale
    # saved showwarning): start from logging's default so captureWarnings(True) takes
    logging.captureWarnings(False)
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    logging.captureWarnings(False)
