"""Fetch an article page and turn it into a :class:`bot.domain.Article`.

What the feed itself said about the article (a :class:`~bot.records.FeedCopy`,
stored with the entry) is the safety net: when the page cannot be fetched (403
to bots, timeouts, paywalls), is not HTML (PDF, image) or has no extractable
text, the feed's text is used and ``Article.extraction_note`` says why, so a
digest still has something true to say. Without a fallback the error is
raised, one clear line.
"""

from __future__ import annotations

import logging

from bot.domain import Article
from bot.errors import (
    ExtractionError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    UnsafeURLError,
    UnsupportedContentError,
)
from bot.extract.html import (
    Extracted,
    content_fingerprint,
    guess_language,
    html_to_text,
)
from bot.records import FeedCopy
from bot.sources.feeds import FeedEntry
from bot.sources.http import Fetcher, FetchResult
from bot.sources.parsing import article_from_feed_async, extract_page_async
from bot.sources.urls import try_canonicalize

logger = logging.getLogger(__name__)

ACCEPT_HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: When the page yields less than this and the feed carries more than twice as
#: much, the page is probably a paywall or teaser: the feed's text is used.
SHORT_PAGE_CHARS = 1000


def _require_html(result: FetchResult) -> None:
    head = result.content[:512].lstrip()
    if head.startswith(b"%PDF"):
        raise UnsupportedContentError(
            result.url, result.content_type or "application/pdf", "the page is a PDF document"
        )
    kind = result.content_type
    if kind in HTML_TYPES:
        return
    if kind is None and head.startswith(b"<"):
        return
    raise UnsupportedContentError(
        result.url,
        kind or "unknown",
        f"the page is {kind or 'of unknown type'}, not HTML",
    )


def _why(exc: Exception) -> str:
    """A short clause for ``extraction_note``."""
    if isinstance(exc, HTTPStatusError):
        return f"page answered HTTP {exc.status}"
    if isinstance(exc, FetchTimeoutError):
        return "page timed out"
    if isinstance(exc, UnsupportedContentError):
        return f"page is not HTML ({exc.content_type})"
    if isinstance(exc, TooLargeError):
        return "page is too large"
    if isinstance(exc, UnsafeURLError):
        return "page address is not allowed"
    if isinstance(exc, FetchError):
        return f"page could not be fetched ({exc.reason})"
    return "no article text could be extracted from the page"


def feed_copy(entry: FeedEntry) -> FeedCopy:
    """What a feed entry says about its article: its content as text, or its
    summary when that is longer (a feed's ``content`` is sometimes a teaser)."""
    if entry.text is not None:  # computed off the event loop with the parse
        text = entry.text
    else:
        text = html_to_text(entry.content_html) if entry.content_html else ""
    return FeedCopy(
        url=entry.canonical_url or entry.url,
        title=entry.title,
        text=text if len(text) >= len(entry.summary) else entry.summary,
        author=entry.author,
        published=entry.published,
    )


def article_from_feed(feed: FeedCopy, note: str, *, url: str | None = None) -> Article:
    """An Article built from what the feed said (``note`` says why)."""
    text = feed.text
    return Article(
        url=url or feed.url,
        title=feed.title or feed.url,
        text=text,
        fingerprint=content_fingerprint(text),
        author=feed.author,
        published=feed.published,
        language=guess_language(text),
        site_name=None,
        extraction_note=note,
    )


def _article_from_page(
    url: str, extracted: Extracted, fingerprint: str, fallback: FeedCopy | None
) -> Article:
    return Article(
        url=url,
        title=extracted.title or (fallback.title if fallback else "") or url,
        text=extracted.text,
        fingerprint=fingerprint,
        author=extracted.author or (fallback.author if fallback else None),
        # The feed's date is machine-written; a date found in a page can be any date on it.
        published=(fallback.published if fallback and fallback.published else extracted.date),
        language=extracted.language,
        site_name=extracted.site_name,
        image_url=extracted.image_url,
    )


async def fetch_article(
    fetcher: Fetcher, url: str, *, fallback: FeedCopy | None = None
) -> Article:
    """Fetch ``url`` and extract its article; see the module docstring for fallbacks.

    ``Article.url`` is the canonical form of the final URL (tracking
    parameters dropped). Extraction runs off the event loop (a thread, or a
    worker process with its own limits for big pages: :mod:`bot.sources.parsing`). Raises :class:`FetchError` (or a subclass,
    e.g. :class:`UnsupportedContentError`) or :class:`ExtractionError` when
    there is no usable fallback.
    """
    has_fallback = fallback is not None and bool(fallback.text)
    try:
        result = await fetcher.fetch(url, accept=ACCEPT_HTML)
        _require_html(result)
        found = await extract_page_async(result.content, result.url)
        if found is None:
            raise ExtractionError(f"no article text could be extracted from {result.url}")
        extracted, fingerprint = found
    except (FetchError, ExtractionError) as exc:
        if not has_fallback:
            raise
        assert fallback is not None
        note = f"{_why(exc)}; used the feed's content"
        logger.debug("article %s: %s", url, note)
        return await article_from_feed_async(fallback, note)
    final_url = try_canonicalize(result.url)
    if has_fallback:
        assert fallback is not None
        feed_text = fallback.text
        if len(extracted.text) < SHORT_PAGE_CHARS and len(feed_text) > 2 * len(extracted.text):
            note = "page text was much shorter than the feed's (paywall?); used the feed's content"
            logger.debug("article %s: %s", url, note)
            return await article_from_feed_async(fallback, note, url=final_url)
    return _article_from_page(final_url, extracted, fingerprint, fallback)
