"""The summarizer seam: the pipeline depends on this protocol only."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.domain import Summary


@runtime_checkable
class Summarizer(Protocol):
    """Turns an article's text into key points and attributed quotes.

    Implementations load their model lazily (first call) or when the
    composition root asks, never at import time, and are reused for every
    article in the process.
    """

    name: str

    def summarize(self, text: str, title: str | None = None, language: str | None = None,
                  max_points: int = 3, max_quotes: int = 2) -> Summary:
        ...
