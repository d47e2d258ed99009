"""Fixtures for the Telegram adapter tests: the fake Bot API server and a canned core."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram import TelegramAdapter
from tests.adapters.telegram.helpers import FAST_LIMITS, FakeCore
from tests.support.fake_telegram import FakeTelegram, telegram_settings
from tests.support.fake_telegram import fake_telegram as fake_telegram
from tests.support.inbound import inbound_for


@pytest.fixture
def core() -> FakeCore:
    return FakeCore()


@pytest.fixture
async def adapter(fake_telegram: FakeTelegram, core: FakeCore) -> AsyncIterator[TelegramAdapter]:
    """A started, long-polling adapter in front of the real access rules and reply policy
    and a canned command layer. Updates are handled one at a time, so a test can send a
    sentinel message after one that must be ignored and know the first was processed."""
    tg = TelegramAdapter(
        telegram_settings(fake_telegram),
        limits=FAST_LIMITS,
        poll_timeout=1,
        concurrent_updates=1,
    )
    await tg.start(inbound_for(core, tg))
    try:
        yield tg
    finally:
        await tg.close()
