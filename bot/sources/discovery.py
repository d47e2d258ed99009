"""Feed discovery: turn whatever URL a user pastes into a feed URL.

``resolve_feed`` accepts a feed URL (returned as is, after redirects) or a web
page: then the page's ``<link rel="alternate" type="application/rss+xml |
atom+xml | feed+json">`` links are tried in document order, and, failing
those, a few conventional paths on the same site (``/feed``, ``/rss``,
``/atom.xml``, ``/index.xml``, ...). The first candidate that fetches and
parses wins.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from bot.errors import FeedError, FetchError
from bot.sources.feeds import ParsedFeed, parse_feed
from bot.sources.http import Fetcher, FetchResult

logger = logging.getLogger(__name__)

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",  # older JSON Feed advertisements
    "application/rdf+xml",
)
FALLBACK_PATHS = ("/feed", "/rss", "/atom.xml", "/index.xml", "/feed.xml", "/rss.xml")
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
MAX_LINK_CANDIDATES = 5


def looks_like_html(result: FetchResult) -> bool:
    """True when a response is an HTML page rather than a feed."""
    head = result.content[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    if result.content_type in ("text/html", "application/xhtml+xml"):
        # Some servers send feeds as text/html: trust the bytes over the header.
        return not head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf", b"{"))
    return False


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page advertises, in document order, deduplicated."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for base_el in doc.iterfind(".//base[@href]"):
        base = urljoin(base_url, base_el.get("href", "").strip())
        break
    links: list[str] = []
    for link in doc.iterfind(".//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rels or kind not in FEED_TYPES:
            continue
        href = urljoin(base, link.get("href", "").strip())
        if urlsplit(href).scheme in ("http", "https") and href not in links:
            links.append(href)
    return links


def _fallback_urls(page_url: str) -> list[str]:
    parts = urlsplit(page_url)
    return [urlunsplit((parts.scheme, parts.netloc, path, "", "")) for path in FALLBACK_PATHS]


async def _try_candidate(fetcher: Fetcher, url: str) -> tuple[str, ParsedFeed] | None:
    try:
        result = await fetcher.fetch(url, accept=ACCEPT)
        if looks_like_html(result):
            return None
        return result.url, parse_feed(result.content, result.url, result.headers)
    except (FetchError, FeedError) as exc:
        logger.debug("feed candidate %s rejected: %s", url, exc)
        return None


async def resolve_feed(fetcher: Fetcher, url: str) -> tuple[str, ParsedFeed]:
    """The feed at ``url``, or the feed the page at ``url`` links to.

    Returns ``(final feed URL, parsed feed)``. Raises the
    :class:`~bot.errors.FetchError` of ``url`` itself (404, refused, ...) or
    :class:`~bot.errors.FeedError` when no feed can be found.
    """
    result = await fetcher.fetch(url, accept=ACCEPT)
    if not looks_like_html(result):
        try:
            return result.url, parse_feed(result.content, result.url, result.headers)
        except FeedError:
            if not result.content.lstrip()[:1] == b"<":
                raise
            # Malformed page served as something else: try it as HTML below.
    links = find_feed_links(result.content, result.url)
    for candidate in links[:MAX_LINK_CANDIDATES]:
        found = await _try_candidate(fetcher, candidate)
        if found is not None:
            return found
    tried = set(links)
    for candidate in _fallback_urls(result.url):
        if candidate in tried or candidate == result.url:
            continue
        found = await _try_candidate(fetcher, candidate)
        if found is not None:
            return found
    if links:
        raise FeedError(
            f"no feed found at {url}: the {len(links)} feed link(s) it advertises "
            f"(first {links[0]}) could not be fetched or parsed"
        )
    raise FeedError(
        f'no feed found at {url}: it is not a feed and has no <link rel="alternate"> to one'
    )
