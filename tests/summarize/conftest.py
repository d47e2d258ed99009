"""One real MiniLM engine per test session (loading takes seconds)."""

from __future__ import annotations

import pytest

from bot.summarize.extractive import ExtractiveSummarizer


@pytest.fixture(scope="session")
def engine() -> ExtractiveSummarizer:
    summarizer = ExtractiveSummarizer()
    summarizer.load()
    return summarizer
