"""Feed discovery: turn whatever URL a user pastes into a feed URL.

``resolve_feed`` accepts a feed URL (returned as is, after redirects) or a web
page: then the page's ``<link rel="alternate" type="application/rss+xml |
atom+xml | feed+json">`` links are tried in document order, and, failing
those, a few conventional paths on the same site (``/feed``, ``/rss``,
``/atom.xml``, ``/index.xml``, ...). The first candidate that fetches and
parses wins.

The whole search has one deadline (``discovery_deadline_s``): each fetch
gets at most what is left of it, so a page whose advertised feeds all drip
one byte a second still gets its answer in time. Parsing runs off the event
loop (:mod:`bot.sources.parsing`) and keeps at most ``feed_max_entries``
entries. Advertised links with credentials in them are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from bot.errors import FeedError, FetchError
from bot.sources.feeds import ParsedFeed
from bot.sources.http import Fetcher, FetchResult
from bot.sources.parsing import find_feed_links_async, parse_feed_async
from bot.sources.urls import has_userinfo

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
        try:
            href = urljoin(base, link.get("href", "").strip())
            scheme = urlsplit(href).scheme
        except ValueError:
            continue
        if has_userinfo(href):
            logger.info("feed link with a user name or password skipped")
            continue
        if scheme in ("http", "https") and href not in links:
            links.append(href)
    return links


def _fallback_urls(page_url: str) -> list[str]:
    parts = urlsplit(page_url)
    return [urlunsplit((parts.scheme, parts.netloc, path, "", "")) for path in FALLBACK_PATHS]


class _Search:
    """One discovery: its deadline, limits and what was tried (for the error line)."""

    def __init__(self, fetcher: Fetcher, deadline_s: float, max_entries: int | None) -> None:
        self.fetcher = fetcher
        self.deadline_s = deadline_s
        self.max_entries = max_entries
        self.end = asyncio.get_running_loop().time() + deadline_s
        self.tried = 0

    def left(self) -> float:
        return max(0.0, self.end - asyncio.get_running_loop().time())

    async def fetch(self, url: str) -> FetchResult:
        return await self.fetcher.fetch(url, accept=ACCEPT, deadline_s=self.left())

    async def parse(self, result: FetchResult) -> ParsedFeed:
        return await parse_feed_async(
            result.content, result.url, result.headers, max_entries=self.max_entries
        )

    async def candidate(self, url: str) -> tuple[str, ParsedFeed] | None:
        self.tried += 1
        try:
            result = await self.fetch(url)
            if looks_like_html(result):
                return None
            return result.url, await self.parse(result)
        except (FetchError, FeedError) as exc:
            logger.debug("feed candidate %s rejected: %s", url, exc)
            return None


async def resolve_feed(
    fetcher: Fetcher,
    url: str,
    *,
    deadline_s: float | None = None,
    max_entries: int | None = None,
) -> tuple[str, ParsedFeed]:
    """The feed at ``url``, or the feed the page at ``url`` links to.

    Returns ``(final feed URL, parsed feed)``. ``deadline_s`` and
    ``max_entries`` default to the settings' ``discovery_deadline_s`` and
    ``feed_max_entries``. Raises the :class:`~bot.errors.FetchError` of
    ``url`` itself (404, refused, timed out...) or
    :class:`~bot.errors.FeedError` when no feed can be found in time.
    """
    settings = fetcher.settings
    search = _Search(
        fetcher,
        deadline_s if deadline_s is not None else settings.discovery_deadline_s,
        max_entries if max_entries is not None else settings.feed_max_entries,
    )
    try:
        async with asyncio.timeout(search.deadline_s):
            return await _resolve(search, url)
    except TimeoutError:
        tried = f" (tried {search.tried} candidate feed URL(s))" if search.tried else ""
        raise FeedError(
            f"no feed found at {url} within {search.deadline_s:g}s: the site answered too "
            f"slowly{tried}"
        ) from None


async def _resolve(search: _Search, url: str) -> tuple[str, ParsedFeed]:
    result = await search.fetch(url)
    if not looks_like_html(result):
        try:
            return result.url, await search.parse(result)
        except FeedError:
            if not result.content.lstrip()[:1] == b"<":
                raise
            # Malformed page served as something else: try it as HTML below.
    try:
        links = await find_feed_links_async(result.content, result.url)
    except FeedError:
        links = []
    for candidate in links[:MAX_LINK_CANDIDATES]:
        found = await search.candidate(candidate)
        if found is not None:
            return found
    tried = set(links)
    for candidate in _fallback_urls(result.url):
        if candidate in tried or candidate == result.url:
            continue
        found = await search.candidate(candidate)
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
