"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed 1.0/1.1 via json.

``parse_feed(content, url, headers)`` never touches the network: feedparser is
handed a byte stream (a ``str`` argument could make it fetch a URL or open a
file), with HTML sanitizing and relative-URI rewriting off, which are the slow
parts of feedparser and unneeded here: entry HTML is turned into plain text by
:func:`bot.extract.html.html_to_text`, and links are made absolute below.

``FeedEntry.content_html`` is therefore the feed's raw, untrusted HTML: turn it
into text before showing it anywhere.
"""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import io
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.errors import FeedError
from bot.extract.html import html_to_text
from bot.sources.trim import trim_entries
from bot.sources.urls import has_userinfo, redact_userinfo, try_canonicalize

logger = logging.getLogger(__name__)

JSON_FEED_VERSION_PREFIX = "https://jsonfeed.org/version/"
SUMMARY_MAX_CHARS = 2000
UTF8_BOM = b"\xef\xbb\xbf"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed.

    ``guid`` is the entry's id, else its link, else a hash of title and date.
    ``url`` is absolute; ``summary`` is plain text; ``content_html`` is the
    full content as the feed gave it (raw HTML) or None; ``published`` is
    tz-aware UTC (the updated date when there is no published one).
    """

    guid: str
    url: str
    canonical_url: str
    title: str
    summary: str = ""
    content_html: str | None = None
    published: datetime | None = None
    author: str | None = None
    text: str | None = None  # content_html as plain text, when computed off the event loop


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed. ``warning`` is set when the feed was malformed but usable.

    ``total_entries`` counts the entries the document had; when it is larger
    than ``len(entries)`` the rest were left out (see ``max_entries``).
    """

    title: str | None
    site_url: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    ttl_minutes: int | None = None
    warning: str | None = None
    kind: str | None = None  # feedparser's version ("rss20", "atom10", ...) or "json1.1"
    total_entries: int = 0


def parse_feed(
    content: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    max_entries: int | None = None,
) -> ParsedFeed:
    """Parse a feed document fetched from ``url``.

    ``headers`` are the HTTP response headers (content-type carries the
    charset). With ``max_entries``, only the newest that many entries are
    kept (by date, document order breaking ties; a huge XML feed is cut while
    streaming, before the full parse, see :mod:`bot.sources.trim`), the rest
    counted in ``total_entries`` and logged. Raises :class:`FeedError` (one
    line) when ``content`` is not a feed: an HTML page, another document,
    garbage or nothing, or nested too deeply to read.

    This is CPU-heavy: from async code, call
    :func:`bot.sources.parsing.parse_feed_async`.
    """
    stripped = content.removeprefix(UTF8_BOM).lstrip(b" \t\r\n")
    if not stripped:
        raise FeedError(f"not a feed: {url} returned an empty document")
    content_type = _header(headers, "content-type").lower()
    total: int | None = None
    try:
        if stripped[:1] in (b"{", b"[") or "json" in content_type:
            parsed = _parse_json_feed(stripped, url, max_entries)
        else:
            if max_entries is not None:
                trimmed = trim_entries(stripped, max_entries, encoding=_charset(content_type))
                if trimmed is not None:
                    stripped, total = trimmed.content, trimmed.total
                    if trimmed.rewritten:
                        headers = {"content-type": "application/xml"}  # re-written as UTF-8
            # Leading blank lines before <?xml ...?> are common and make expat choke.
            parsed = _parse_xml_feed(stripped, url, headers)
    except RecursionError:
        raise FeedError(f"not a feed: {url} is nested too deeply to read") from None
    return _newest(parsed, url, max_entries, total)


def _charset(content_type: str) -> str | None:
    if "charset=" not in content_type:
        return None
    return content_type.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None


def _newest(
    parsed: ParsedFeed, url: str, max_entries: int | None, total: int | None
) -> ParsedFeed:
    """``parsed`` with at most ``max_entries`` entries, newest first; ``total_entries`` set."""
    entries = parsed.entries
    total = max(total or 0, parsed.total_entries, len(entries))
    if max_entries is not None and len(entries) > max_entries:
        order = sorted(
            range(len(entries)),
            key=lambda i: (entries[i].published is not None, entries[i].published or _EPOCH, -i),
            reverse=True,
        )
        entries = [entries[i] for i in sorted(order[:max_entries])]
    warning = parsed.warning
    if total > len(entries):
        cut = f"{total} entries: took the newest {len(entries)}, left {total - len(entries)} out"
        warning = f"{warning}; {cut}" if warning else cut
    return replace(parsed, entries=entries, total_entries=total, warning=warning)


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    if not headers:
        return ""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


# --- XML feeds (feedparser) --------------------------------------------------


def _parse_xml_feed(content: bytes, url: str, headers: Mapping[str, str] | None) -> ParsedFeed:
    from bot.sources.fastfeed import parse_wellformed

    fast = parse_wellformed(content, url, headers)
    return fast if fast is not None else parse_with_feedparser(content, url, headers)


def parse_with_feedparser(
    content: bytes, url: str, headers: Mapping[str, str] | None
) -> ParsedFeed:
    """The thorough path: any RSS/Atom, malformed ("bozo") feeds included."""
    # Without a content type feedparser flags every document as bozo; XML
    # encoding rules (declaration, BOM) then decide the charset.
    response_headers = {
        "content-location": url,
        "content-type": _header(headers, "content-type") or "application/xml",
    }
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    bozo_reason = _bozo_reason(parsed)
    if not version and not entries:
        raise FeedError(_not_a_feed(content, url, bozo_reason))
    feed = parsed.get("feed") or {}
    base = url
    site_url = _absolute(feed.get("link"), base)
    out: list[FeedEntry] = []
    for raw in entries:
        entry = _xml_entry(raw, base)
        if entry is not None:
            out.append(entry)
    warning = None
    if parsed.get("bozo") and bozo_reason:
        warning = f"malformed feed, parsed anyway: {bozo_reason}"
        logger.debug("feed %s: %s", url, warning)
    return ParsedFeed(
        title=_clean_title(feed.get("title")),
        site_url=site_url,
        entries=out,
        ttl_minutes=_positive_int(feed.get("ttl")),
        warning=warning,
        kind=version or None,
        total_entries=len(out),
    )


def _bozo_reason(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return None
    text = str(exc).strip().splitlines()
    return text[0] if text and text[0] else type(exc).__name__


def _not_a_feed(content: bytes, url: str, reason: str | None) -> str:
    head = content[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return f"not a feed: {url} is an HTML page"
    if head.startswith(b"%pdf"):
        return f"not a feed: {url} is a PDF document"
    if head.startswith(b"<"):
        detail = f" ({reason})" if reason else ""
        return f"not a feed: {url} is XML but not RSS or Atom{detail}"
    return f"not a feed: {url} is neither RSS, Atom nor JSON Feed"


def make_entry(
    *,
    guid: str | None,
    url: str,
    title: str,
    summary: str,
    content_html: str | None,
    published: datetime | None,
    author: str | None,
) -> FeedEntry | None:
    """The common tail of every feed format: skip empty items, fall back to
    the URL (then a content hash) for the GUID and to the summary for a title."""
    if url and not url.lower().startswith(("http://", "https://")):
        url = ""  # "javascript:", "tag:", "mailto:"... are not article pages
    if url and has_userinfo(url):
        logger.info("feed entry link with a user name or password left out")
        url = ""
    if not url and not title and not summary:
        return None
    if guid and has_userinfo(guid):
        guid = redact_userinfo(guid)
    return FeedEntry(
        guid=guid or url or _hash_guid(title, published, summary),
        url=url,
        canonical_url=try_canonicalize(url) if url else "",
        title=title or _title_from(summary),
        summary=summary,
        content_html=content_html,
        published=published,
        author=author,
    )


def _xml_entry(raw: Any, base: str) -> FeedEntry | None:
    link = _entry_link(raw, base)
    title = _clean_title(raw.get("title")) or ""
    content_html = _entry_content(raw)
    summary_html = raw.get("summary") or ""
    if summary_html and content_html and summary_html == content_html:
        # feedparser copies <content> into summary when there is no description
        summary_html = ""
    summary = _summary_text(summary_html or content_html or "")
    published = _struct_to_datetime(raw.get("published_parsed")) or _struct_to_datetime(
        raw.get("updated_parsed")
    )
    return make_entry(
        guid=(raw.get("id") or "").strip() or None,
        url=link or "",
        title=title,
        summary=summary,
        content_html=content_html,
        published=published,
        author=(raw.get("author") or "").strip() or None,
    )


def _entry_link(raw: Any, base: str) -> str | None:
    link = raw.get("link")
    if not link:
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    if not link:
        guid = raw.get("id") or ""
        if raw.get("guidislink") or guid.startswith(("http://", "https://")):
            link = guid
    absolute = _absolute(link, base)
    # feedparser may hand back an id such as "tag:..." or "urn:..." as the link
    if absolute and not absolute.lower().startswith(("http://", "https://")):
        return None
    return absolute


def _entry_content(raw: Any) -> str | None:
    contents = raw.get("content") or []
    best = None
    for item in contents:
        value = item.get("value") or ""
        if not value.strip():
            continue
        if "html" in (item.get("type") or ""):
            return value
        best = best or value
    return best


# --- JSON Feed -----------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str, max_entries: int | None = None) -> ParsedFeed:
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"not a feed: {url} is not valid JSON ({exc})") from None
    except RecursionError:
        raise FeedError(f"not a feed: {url} is JSON nested too deeply to read") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        JSON_FEED_VERSION_PREFIX
    ):
        raise FeedError(f"not a feed: {url} is JSON but not a JSON Feed (no jsonfeed.org version)")
    version = str(data["version"]).removeprefix(JSON_FEED_VERSION_PREFIX)
    base = _str(data.get("feed_url")) or url
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError(f"not a feed: {url} is a JSON Feed without an items list")
    total = len(items)
    if max_entries is not None and total > max_entries:
        every: list[Any] = items

        # Cut before building entries: newest by date_published, document order breaking ties.
        def key(i: int) -> tuple[bool, datetime, int]:
            item = every[i]
            stamp = _iso_datetime(_str(item.get("date_published"))) if isinstance(item, dict) else None
            return (stamp is not None, stamp or _EPOCH, -i)

        order = sorted(range(total), key=key, reverse=True)
        items = [every[i] for i in sorted(order[:max_entries])]
    entries = []
    skipped = 0
    for item in items:
        entry = _json_entry(item, base) if isinstance(item, dict) else None
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    return ParsedFeed(
        title=_clean_title(_str(data.get("title"))),
        site_url=_absolute(_str(data.get("home_page_url")), base),
        entries=entries,
        warning=f"{skipped} malformed item(s) skipped" if skipped else None,
        kind=f"json{version}",
        total_entries=total - skipped,
    )


def _json_entry(item: dict[str, Any], base: str) -> FeedEntry | None:
    url = _absolute(_str(item.get("url")) or _str(item.get("external_url")), base) or ""
    title = _clean_title(_str(item.get("title"))) or ""
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    summary = _summary_text(
        _str(item.get("summary")) or content_html or "", fallback=content_text or ""
    )
    published = _iso_datetime(_str(item.get("date_published"))) or _iso_datetime(
        _str(item.get("date_modified"))
    )
    if content_html is None and content_text:
        content_html = "".join(f"<p>{_escape(p)}</p>" for p in content_text.split("\n\n"))
    return make_entry(
        guid=_str(item.get("id")),
        url=url,
        title=title,
        summary=summary,
        content_html=content_html,
        published=published,
        author=_json_author(item),
    )


def _json_author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if isinstance(authors, list):
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        if names:
            return ", ".join(str(n) for n in names)
    author = item.get("author")
    if isinstance(author, dict) and author.get("name"):
        return str(author["name"])
    return None


# --- helpers --------------------------------------------------------------------


def _str(value: Any) -> str | None:
    """A scalar as text; None for nothing, lists and objects (never str() of a nested value)."""
    if value is None or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _absolute(link: str | None, base: str) -> str | None:
    if not link:
        return None
    link = link.strip()
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _clean_title(value: str | None) -> str | None:
    if not value:
        return None
    text = html_to_text(value) if "<" in value or "&" in value else value
    text = " ".join(text.split())
    return text or None


def _summary_text(html: str, *, fallback: str = "") -> str:
    text = html_to_text(html) if html else fallback.strip()
    if len(text) > SUMMARY_MAX_CHARS:
        cut = text.rfind(" ", 0, SUMMARY_MAX_CHARS)
        text = text[: cut if cut > 0 else SUMMARY_MAX_CHARS].rstrip() + "…"
    return text


def _title_from(summary: str) -> str:
    first = summary.split("\n", 1)[0]
    return first if len(first) <= 120 else first[:117].rstrip() + "…"


def _hash_guid(title: str, published: datetime | None, summary: str) -> str:
    stamp = published.isoformat() if published else ""
    digest = hashlib.sha256(f"{title}\x1f{stamp}\x1f{summary[:200]}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def _struct_to_datetime(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` fields are struct_time in UTC."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _iso_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:  # RFC 822, as some JSON feeds write it
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _positive_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
