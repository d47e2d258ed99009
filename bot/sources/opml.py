"""OPML import and export (the subscription-list format every feed reader speaks).

``parse_opml`` collects every ``<outline xmlUrl=...>`` at any depth (folders
are flattened) and lists, rather than silently drops, the outlines it could
not use. ``write_opml`` writes OPML 2.0 that those readers import.
The XML parser never loads DTDs, resolves entities or touches the network.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from lxml import etree

from bot.errors import FeedError
from bot.sources.urls import has_userinfo, redact_userinfo, try_canonicalize

logger = logging.getLogger(__name__)

# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class OpmlResult:
    """Feeds found (``(url, title or None)``, in document order, deduplicated) and
    one line per outline that could not be used."""

    feeds: list[tuple[str, str | None]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    title: str | None = None


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


def _label(outline: etree._Element) -> str:
    name = (outline.get("title") or outline.get("text") or "").strip()
    return f"outline {name!r}" if name else f"outline on line {outline.sourceline}"


def parse_opml(data: str | bytes) -> OpmlResult:
    """Read an OPML subscription list. Raises :class:`FeedError` if it is not OPML."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    raw = raw.lstrip()
    if isinstance(data, str) and raw.startswith(b"<?xml"):
        # A str has already been decoded: drop the declaration's encoding claim.
        raw = re.sub(rb"^<\?xml[^>]*\?>", b"", raw, count=1)
    if not raw:
        raise FeedError("not an OPML file: it is empty")
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not an OPML file: malformed XML ({exc})") from None
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag.lower() != "opml":
        raise FeedError(f"not an OPML file: the root element is <{tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise FeedError("not an OPML file: it has no <body>")
    title_el = root.find("head/title")
    title = (title_el.text or "").strip() or None if title_el is not None else None

    feeds: list[tuple[str, str | None]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for outline in body.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url:
            if len(outline):  # a folder
                continue
            hint = " (it only has an htmlUrl)" if attrs.get("htmlurl") else ""
            errors.append(f"{_label(outline)}: no xmlUrl{hint}")
            continue
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            scheme = ""
        if scheme == "feed":  # feed://example.com/rss is an old alias of http://
            url = "http" + url[len("feed") :]
            scheme = "http"
        if has_userinfo(url):
            errors.append(
                f"{_label(outline)}: {redact_userinfo(url)!r} has a user name or password in it "
                "(refused: credentials are never sent or stored)"
            )
            continue
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if scheme not in ("http", "https") or not host:
            errors.append(f"{_label(outline)}: {url!r} is not an http(s) URL")
            continue
        key = try_canonicalize(url)
        if key in seen:
            logger.debug("OPML: duplicate feed %s skipped", url)
            continue
        seen.add(key)
        name = (attrs.get("title") or attrs.get("text") or "").strip() or None
        feeds.append((url, name))
    return OpmlResult(feeds=feeds, errors=errors, title=title)


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("", text)


def write_opml(
    feeds: Iterable[tuple[str, str | None]],
    title: str = "newsbot subscriptions",
    *,
    now: datetime | None = None,
) -> str:
    """OPML 2.0 text for ``feeds`` (``(url, title or None)``), all values escaped."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _xml_safe(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = ET.SubElement(root, "body")
    for url, name in feeds:
        label = _xml_safe(name or url)
        ET.SubElement(body, "outline", type="rss", text=label, title=label, xmlUrl=_xml_safe(url))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
