"""Bridge to the quote extractor (bot/summarize/quotes.py, owned separately).

Every engine takes its quotes from here, never from generated text. The
extractor is imported lazily so the engines work (with no quotes) before it
exists; once it lands, nothing here changes.
"""

from __future__ import annotations

import logging

from bot.domain import Quote

logger = logging.getLogger(__name__)

_warned = False


def find_quotes(text: str, max_quotes: int) -> tuple[tuple[Quote, ...], tuple[Quote, ...]]:
    """``(all direct quotes in text order, the key ones)``; empty when unavailable."""
    global _warned
    if not text or not text.strip():
        return (), ()
    try:
        from bot.summarize.quotes import choose_key_quotes, extract_quotes
    except ImportError:
        if not _warned:
            logger.warning("quote extractor not available (bot.summarize.quotes); summaries have no quotes")
            _warned = True
        return (), ()
    quotes = tuple(extract_quotes(text))
    key = tuple(choose_key_quotes(list(quotes), max_quotes)) if max_quotes > 0 else ()
    return quotes, key
