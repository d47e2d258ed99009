"""No secret reaches a log record, whatever the path: the one redactor, installed by the
composition root from every SecretStr in Settings, for both platforms' secrets."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import logredact
from bot.app import services
from bot.settings import Settings

TELEGRAM_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
SLACK = {
    "slack_bot_token": "xoxb-2222-3333-redactiontestbottoken",
    "slack_app_token": "xapp-1-A0002-4444-redactiontestapptoken",
    "slack_signing_secret": "0123456789abcdef0123456789abcdef",
}
FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def formatted(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(FORMAT.format(record) for record in caplog.records)


@pytest.mark.parametrize(
    "secrets",
    [{"telegram_token": TELEGRAM_TOKEN, "telegram_webhook_secret": "webhook-secret-0123456789"},
     SLACK],
    ids=["telegram", "slack"],
)
async def test_secrets_inside_exceptions_arguments_and_messages_never_reach_a_log(
    secrets: dict[str, str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", **secrets)
    async with services(settings):  # the composition root installs the redactor
        log = logging.getLogger("some.library")
        for name, secret in secrets.items():
            try:
                raise RuntimeError(f"request to https://api.example/{secret}/send failed")
            except RuntimeError:
                log.exception("sending failed")  # the token is inside the exception's message
            log.error("wrapped", exc_info=ValueError(f"{name}={secret}"))
            log.warning("argument %s and %r", secret, {"token": secret})
            log.info(f"f-string {secret}")
            log.debug("stack", stack_info=True, extra={"note": secret})
    text = formatted(caplog)
    assert "RuntimeError: request to https://api.example/[redacted]/send failed" in text
    assert "Traceback" in text and "[redacted]" in text
    for secret in secrets.values():
        assert secret not in text
        assert all(secret not in record.getMessage() for record in caplog.records)


def test_every_secret_setting_is_covered_and_token_shapes_without_settings() -> None:
    settings = Settings(telegram_token=TELEGRAM_TOKEN, **SLACK)
    secret_fields = {name for name, value in settings if isinstance(value, SecretStr)}
    assert set(logredact.secrets_of(settings)) == {
        getattr(settings, name).get_secret_value() for name in secret_fields
    }
    # a token newsbot was never told about is still caught by its shape
    clean = logredact.redact("GET /bot123456789:AAAnotherTokenNotInSettings_abcdefghij/getMe "
                             "xoxb-9-9-unknownslacktoken https://hooks.slack.com/actions/T1/B2/x")
    assert clean == "GET /bot[redacted]/getMe [redacted] [redacted]"
