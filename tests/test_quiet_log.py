"""Quiet by default: a poll of the demo feeds logs a handful of INFO lines, one
of them the cycle's summary; per-article detail (the demo's deliberately
missing page) is at DEBUG."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import services
from bot.cli import refresh
from bot.demo_server import DemoServer
from bot.settings import Settings
from tests.test_pipeline import CountingSummarizer

MAX_INFO_LINES = 5


async def test_a_poll_of_the_demo_feeds_prints_a_handful_of_info_lines(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'quiet.db'}",
                        fetch_allow_private_networks=True, fetch_timeout_s=5)
    with DemoServer() as demo:
        async with services(settings, summarizer=CountingSummarizer()) as svc:
            for url in demo.feed_urls:
                await svc.store.feeds.add_feed(url, None, None)
            with caplog.at_level(logging.DEBUG):
                await refresh(svc, feeds=await svc.store.feeds.list_feeds(), show_progress=False)
    info = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert len(info) <= MAX_INFO_LINES, [r.getMessage() for r in info]
    summaries = [r.getMessage() for r in info if r.getMessage().startswith("polled ")]
    assert len(summaries) == 1
    assert summaries[0].startswith("polled 2 feeds: ")
    assert ", 1 used feed text, 0 feeds failing" in summaries[0]
    # the page missing on purpose is detail, at DEBUG only
    missing = [r for r in caplog.records if "used the feed's content" in r.getMessage()]
    assert missing and all(r.levelno == logging.DEBUG for r in missing)
    assert not any(r.levelno >= logging.WARNING for r in caplog.records), [
        r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.slow  # loads the real embedding model
def test_newsbot_demo_stderr_is_quiet(capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch,
                                      root_logging: None) -> None:
    """`newsbot demo` end to end: the digest on stdout; on stderr its own two
    kinds of status lines, a handful of log lines, no weight-loading bar and no
    line about the page that is missing on purpose."""
    import os

    from bot.cli import main

    for name in [n for n in os.environ if n.startswith("NEWSBOT_")]:
        monkeypatch.delenv(name)
    assert main(["demo"]) == 0
    out, err = capsys.readouterr()
    assert "Northfield" in out or "Gazette" in out
    log_lines = [line for line in err.splitlines()
                 if line and not line.startswith(("Serving sample news", "discovered feed"))]
    assert len(log_lines) <= MAX_INFO_LINES, log_lines
    assert "Loading weights" not in err
    assert "used the feed's content" not in err
    assert any(" INFO bot.cli: polled 2 feeds" in line or " INFO bot.cli: processed " in line
               for line in log_lines), log_lines
