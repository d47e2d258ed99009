"""The bot token never reaches a log record, even with every logger at DEBUG."""

from __future__ import annotations

import logging

import pytest

from bot import errors, logredact
from bot.adapters.telegram import TelegramAdapter
from bot.domain import ChatRef
from tests.adapters.telegram.helpers import FAST_LIMITS, FakeCore
from tests.support.fake_telegram import FakeTelegram, telegram_settings
from tests.support.inbound import inbound_for

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*`retry_after`.*:telegram.warnings.PTBDeprecationWarning"
)


async def test_token_never_logged(
    fake_telegram: FakeTelegram, core: FakeCore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    settings = telegram_settings(fake_telegram)
    logredact.install(settings)  # what the composition root does at start-up
    tg = TelegramAdapter(settings, limits=FAST_LIMITS, poll_timeout=1)
    # install() raised httpx to WARNING; lower it again to prove the redaction itself works.
    httpx_logger = logging.getLogger("httpx")
    assert httpx_logger.level == logging.WARNING
    httpx_logger.setLevel(logging.DEBUG)
    try:
        await tg.start(inbound_for(core, tg))
        fake_telegram.push_message(42, "/help")
        await fake_telegram.wait_for("sendMessage", chat_id=42)
        fake_telegram.inject("server_error")
        with pytest.raises(errors.DeliveryError):
            await tg.send_payload(ChatRef("telegram", "42"), {"text": "x"})
        fake_telegram.inject("server_error", method="getUpdates")
        await fake_telegram.wait_for("getUpdates", ok=False)
        polls = len(fake_telegram.calls_to("getUpdates"))
        await fake_telegram.wait_for("getUpdates", polls + 1)  # polling recovered (after ~1 s)
        await tg.close()
        logging.getLogger("test").error(
            "failure", exc_info=RuntimeError(f"url /bot{fake_telegram.token}/x")
        )
    finally:
        httpx_logger.setLevel(logging.WARNING)
        await tg.close()

    assert len(caplog.records) > 20
    texts = [formatter.format(record) for record in caplog.records]
    leaked = [t for t in texts if fake_telegram.token in t]
    assert leaked == []
    # httpx did log request URLs (with the token redacted), so the check above was not vacuous
    assert any("httpx" in t and "/bot[redacted]/sendMessage" in t for t in texts)
    assert any("[redacted]" in t and "RuntimeError" in t for t in texts)
    assert any("telegram polling error" in t for t in texts)
