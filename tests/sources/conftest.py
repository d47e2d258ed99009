"""Fixtures for the sources tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.sources.http import Fetcher
from tests.support.http_server import http_server as http_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "fetch_allow_private_networks": True,
        "fetch_timeout_s": 2.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    """A Fetcher that may reach the loopback test server."""
    async with Fetcher(make_settings()) as f:
        yield f
