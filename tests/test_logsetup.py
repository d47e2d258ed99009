"""Log output: JSON lines that parse and carry no secret; text lines; a handler
that survives its captured stream being closed (bot/logsetup.py)."""

from __future__ import annotations

import io
import json
import logging
import sys
import warnings

import pytest
from pydantic import SecretStr

from bot import logredact
from bot.logsetup import JsonFormatter, StderrHandler, configure
from bot.settings import Settings

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"  # shape only; not a real token
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"  # no token shape: redacted only as a setting


def test_json_lines_parse_and_contain_no_secret(
        root_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    logredact.install(Settings(telegram_token=SecretStr(TELEGRAM_TOKEN),
                               slack_signing_secret=SecretStr(SIGNING_SECRET)))
    configure("DEBUG", "json")
    log = logging.getLogger("bot.test")
    log.info("polled %d feeds with %s", 3, f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/getMe")
    log.warning("secret %s in the message", SIGNING_SECRET)
    try:
        raise RuntimeError(f"send failed for bot{TELEGRAM_TOKEN} ({SIGNING_SECRET})")
    except RuntimeError:
        log.exception("delivery failed")
    log.error("a broken format %d", "not a number")  # still one parseable line
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        logging.captureWarnings(False)  # an earlier test may have left a stale capture
        logging.captureWarnings(True)
        warnings.warn(f"library warning mentioning {SIGNING_SECRET}", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 5, err
    records = [json.loads(line) for line in lines]
    for r in records:
        assert {"time", "level", "logger", "message"} <= set(r)
        assert r["time"].endswith("Z")
    assert records[0] == {**records[0], "level": "INFO", "logger": "bot.test"}
    assert records[0]["message"].startswith("polled 3 feeds with https://api.telegram.org/bot")
    assert "Traceback" in records[2]["exc"] and "RuntimeError" in records[2]["exc"]
    assert records[3]["level"] == "ERROR" and "broken format" in records[3]["message"]
    assert records[4]["logger"] == "py.warnings"
    assert TELEGRAM_TOKEN not in err and SIGNING_SECRET not in err
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0" not in err
    assert err.count(logredact.REDACTED) >= 5


def test_json_formatter_redacts_a_record_made_before_install() -> None:
    """Token shapes are scrubbed by the formatter too, whatever made the record."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TELEGRAM_TOKEN,), None)
    line = json.loads(JsonFormatter().format(record))
    assert TELEGRAM_TOKEN not in line["message"]
    assert "exc" not in line


def test_text_format(root_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    configure("INFO", "text")
    logging.getLogger("bot.test").debug("hidden")
    logging.getLogger("bot.test").info("shown")
    logging.getLogger("httpx").info("GET https://example.com")  # noisy library: hidden
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(" INFO bot.test: shown")


def test_a_closed_captured_stream_is_never_written_to(root_logging: None) -> None:
    """The old handler kept the stream current at configuration; once a test
    runner closed it, every record printed '--- Logging error ---'."""
    captured, real = io.StringIO(), sys.stderr
    sys.stderr = captured
    try:
        configure("INFO", "text")
        logging.getLogger("bot.test").info("while captured")
    finally:
        sys.stderr = real
    captured.close()
    replacement = io.StringIO()
    sys.stderr = replacement
    try:
        logging.getLogger("bot.test").info("after the capture ended")
    finally:
        sys.stderr = real
    assert "after the capture ended" in replacement.getvalue()
    assert "Logging error" not in replacement.getvalue()


def test_stderr_handler_follows_sys_stderr() -> None:
    handler = StderrHandler()
    assert handler.stream is sys.stderr
    handler.setStream(io.StringIO())  # ignored: always the current stderr
    assert handler.stream is sys.stderr
