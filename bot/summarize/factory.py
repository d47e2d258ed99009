"""Build the configured summarizer (called by the composition root)."""

from __future__ import annotations

import logging

from bot.errors import ConfigError
from bot.settings import Settings
from bot.summarize.base import Summarizer

logger = logging.getLogger(__name__)


def build_summarizer(settings: Settings) -> Summarizer:
    """``settings.summarizer``: "extractive" (default, MiniLM) or "abstractive".

    Nothing is loaded here; engines load their model on first use or when the
    caller invokes their ``load()``.
    """
    if settings.summarizer == "abstractive":
        if not settings.summarizer_model:
            raise ConfigError(
                "NEWSBOT_SUMMARIZER=abstractive needs NEWSBOT_SUMMARIZER_MODEL "
                "(a hub id such as sshleifer/distilbart-cnn-12-6, or a local folder)"
            )
        from bot.summarize.abstractive import AbstractiveSummarizer

        return AbstractiveSummarizer(settings.summarizer_model)
    from bot.summarize.extractive import ExtractiveSummarizer

    return ExtractiveSummarizer()
