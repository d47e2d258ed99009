"""HTML -> clean article text and metadata.

``extract_article`` runs trafilatura tuned for precision (no comments, no
tables, no images or links) and returns an :class:`Extracted`, or ``None``
when the page has no main text worth summarizing.

**Paragraphs are separated by a blank line (``"\\n\\n"``)** in every text this
module returns (``Extracted.text`` and ``html_to_text``); a line break inside a
paragraph (``<br>``) is a single ``"\\n"``; list items and subheadings are
paragraphs of their own. Downstream sentence splitting can therefore rely on
``"\\n\\n"`` as a hard boundary.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.utils import load_html

logger = logging.getLogger(__name__)

#: Shorter extractions are treated as "no main text" (navigation, error pages).
MIN_TEXT_CHARS = 100

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tr", "ul", "caption", "tbody", "thead", "tfoot",
    }
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MANY_BREAKS = re.compile(r"\n{3,}")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_APOSTROPHES = re.compile(r"['\u2019\u02bc\u2018`]")


@dataclass(frozen=True, slots=True)
class Extracted:
    """The main text of a page and what could be learnt about it.

    ``text`` paragraphs are separated by ``"\\n\\n"``. ``date`` is tz-aware
    (UTC when the page gave no offset); ``language`` is a lower-case ISO 639-1
    code when known.
    """

    title: str | None
    text: str
    author: str | None = None
    date: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    image_url: str | None = None  # the lead image the page declares (og:image), absolute http(s)


def normalize_text(text: str) -> str:
    """Tidy whitespace: spaces collapsed per line, at most one blank line in a row."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return _MANY_BREAKS.sub("\n\n", joined).strip()


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment (feed summaries and content).

    Tags are stripped, entities decoded, scripts/styles dropped; block
    elements become paragraphs (``"\\n\\n"``), ``<br>`` a single ``"\\n"``.
    Text without any tag is returned with entities decoded and whitespace tidied.
    """
    if not html or not html.strip():
        return ""
    if "<" not in html:
        return normalize_text(unescape(html))
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalize_text(unescape(re.sub(r"<[^>]*>", " ", html)))
    for bad in list(root.iter(*_DROP_TAGS)):
        bad.drop_tree()
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            elif tag in ("td", "th"):
                parts.append(" ")
            if el.text:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    return normalize_text("".join(parts))


def content_fingerprint(text: str) -> str:
    """SHA-256 (hex) of ``text`` normalised so trivial differences do not matter.

    Normalisation: Unicode NFKC, lower-cased, every run of characters that are
    not letters or digits (apostrophes are removed first so "it's" == "its"; punctuation, quotes, dashes, whitespace, markup
    leftovers) replaced by one space, trimmed. So "It's — “great”" and
    "its great" collide on purpose, while any change of words does not.
    """
    norm = unicodedata.normalize("NFKC", text).lower()
    norm = _APOSTROPHES.sub("", norm)
    norm = _NOT_WORD.sub(" ", norm).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _element_text(el: etree._Element) -> str:
    """Text of a trafilatura XML element, ``<lb/>`` as a line break."""
    parts: list[str] = []
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            if node.tag == "lb":
                parts.append("\n")
            if node.text:
                parts.append(node.text)
        elif node.tail and node is not el:
            parts.append(node.tail)
    return normalize_text("".join(parts))


def _body_paragraphs(body: etree._Element, title: str | None) -> list[str]:
    paragraphs: list[str] = []
    for child in body:
        if child.tag == "list":
            items = [_element_text(item) for item in child.iter("item")]
            paragraphs.extend(item for item in items if item)
            continue
        text = _element_text(child)
        if not text:
            continue
        # The page's own <h1> repeats the title: keep it out of the body.
        if not paragraphs and child.tag == "head" and title and _same(text, title):
            continue
        paragraphs.append(text)
    return paragraphs


_BYLINE = re.compile(r"^(by|von|par|por|di|door|av|af)\s", re.IGNORECASE)


def _is_byline(paragraph: str, author: str) -> bool:
    """A short leading "By Jane Doe" line that trafilatura left in the body."""
    first_name = author.split(",")[0].split()[0] if author.split() else author
    return (
        len(paragraph) <= 120
        and bool(_BYLINE.match(paragraph))
        and first_name.lower() in paragraph.lower()
    )


def _same(a: str, b: str) -> bool:
    return _NOT_WORD.sub(" ", a.lower()).strip() == _NOT_WORD.sub(" ", b.lower()).strip()


_LANG_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


def _declared_language(tree: etree._Element) -> str | None:
    """``<html lang>``, else ``<meta http-equiv=content-language>`` / ``og:locale``."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        if value:
            match = _LANG_CODE.match(value.strip().split(",")[0].strip())
            if match:
                return match.group(1).lower()
    return None


_IMAGE_KEYS = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
               "twitter:image:src")
MAX_IMAGE_URL = 2048


def _declared_image(tree: etree._Element, url: str) -> str | None:
    """The lead image a page declares (``og:image``, else ``twitter:image``): an
    absolute http(s) URL of bounded length, else None."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in _IMAGE_KEYS and content and key not in found:
            found[key] = content
    for key in _IMAGE_KEYS:
        if key not in found:
            continue
        try:
            absolute = urljoin(url, found[key])
        except ValueError:
            continue
        if absolute.lower().startswith(("http://", "https://")) and len(absolute) <= MAX_IMAGE_URL \
                and not any(ch.isspace() for ch in absolute):
            return absolute
    return None


# A handful of very frequent function words per language: enough to tell the
# languages newsbot's users are likely to read apart on a whole article.
_STOPWORD_LISTS = {
    "en": "the and of to in is that for was with on said it as are by have",
    "de": "der die und das ist nicht mit den von sich auch ein eine dem zu im",
    "fr": "le la les et des est une que pour dans qui pas sur au du il a",
    "es": "el la los las que de y en un una por con para es del se",
    "it": "il di che la le per un una non sono del della con gli è",
    "pt": "o os que de e do da em um uma para com não é dos das",
    "nl": "de het een en van is dat op te in niet met voor zijn",
}
_STOPWORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORD_LISTS.items()}


def guess_language(text: str) -> str | None:
    """Cheap stop-word vote; None when the text is short or the vote unclear."""
    words = _NOT_WORD.sub(" ", text.lower()).split()[:2000]
    if len(words) < 20:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < len(words) * 0.08 or ranked[0] < ranked[1] * 1.5:
        return None
    return best


def extract_article(html: str | bytes, url: str) -> Extracted | None:
    """Main text and metadata of an article page, or None when there is none.

    Bytes are decoded by trafilatura (meta charset, then detection).
    """
    tree = load_html(html)
    if tree is None:
        return None
    declared_language = _declared_language(tree)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            with_metadata=True,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except Exception as exc:  # trafilatura/lxml can fail on pathological input
        logger.warning("extraction failed for %s: %s", url, exc)
        return None
    if doc is None or isinstance(doc, dict) or doc.body is None:
        return None
    title = (doc.title or "").strip() or None
    author = (doc.author or "").strip() or None
    paragraphs = _body_paragraphs(doc.body, title)
    if paragraphs and author and _is_byline(paragraphs[0], author):
        paragraphs = paragraphs[1:]
    text = "\n\n".join(paragraphs)
    if len(text) < MIN_TEXT_CHARS:
        return None
    return Extracted(
        title=title,
        text=text,
        author=author,
        date=_parse_date(doc.date),
        language=declared_language or guess_language(text),
        site_name=(doc.sitename or "").strip() or None,
        image_url=_declared_image(tree, url),
    )
