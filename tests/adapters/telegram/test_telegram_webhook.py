"""Webhook mode: registration with a secret, and the route's authentication."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.adapters.telegram import TelegramAdapter
from tests.adapters.telegram.helpers import FAST_LIMITS, FakeCore
from tests.support.fake_telegram import FakeTelegram, telegram_settings
from tests.support.inbound import inbound_for

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
async def hooked(fake_telegram: FakeTelegram, core: FakeCore) -> AsyncIterator[TelegramAdapter]:
    settings = telegram_settings(fake_telegram, telegram_webhook_url="https://bot.example.org")
    tg = TelegramAdapter(settings, limits=FAST_LIMITS)
    await tg.start(inbound_for(core, tg))
    try:
        yield tg
    finally:
        await tg.close()


async def test_webhook_registered_and_authenticated(
    hooked: TelegramAdapter, fake_telegram: FakeTelegram, core: FakeCore
) -> None:
    [set_call] = fake_telegram.calls_to("setWebhook")
    assert set_call.params["url"] == "https://bot.example.org/telegram/webhook"
    secret = set_call.params["secret_token"]
    assert secret == hooked.webhook_secret and len(secret) >= 32
    assert fake_telegram.calls_to("getUpdates") == []  # no polling in webhook mode

    [route] = hooked.routes()
    assert route.path == "/telegram/webhook"
    app = Starlette(routes=hooked.routes())
    update = {"update_id": 10, "message": fake_telegram.message_object(42, "/help")}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        missing = await client.post("/telegram/webhook", json=update)
        wrong = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: "nope"})
        assert (missing.status_code, wrong.status_code) == (401, 403)
        assert core.commands == [] and fake_telegram.sent_messages(42) == []

        bad = await client.post(
            "/telegram/webhook", content=b"{not json", headers={SECRET_HEADER: secret}
        )
        assert bad.status_code == 400
        ok = await client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: secret})
        assert ok.status_code == 200
    await fake_telegram.wait_for("sendMessage", chat_id=42)
    assert core.names() == ["help"]


async def test_configured_secret_is_used(fake_telegram: FakeTelegram, core: FakeCore) -> None:
    settings = telegram_settings(
        fake_telegram,
        telegram_webhook_url="https://bot.example.org/hook/tg",
        telegram_webhook_secret="my_own-Secret_123",
    )
    tg = TelegramAdapter(settings)
    assert tg.routes()[0].path == "/hook/tg"
    await tg.start(inbound_for(core, tg))
    try:
        [set_call] = fake_telegram.calls_to("setWebhook")
        assert set_call.params["url"] == "https://bot.example.org/hook/tg"
        assert set_call.params["secret_token"] == "my_own-Secret_123"
    finally:
        await tg.close()


async def test_polling_mode_has_no_routes(adapter: TelegramAdapter) -> None:
    assert adapter.routes() == []
