"""Bounds on every value from outside before it reaches the database.

Feeds, pages and chat platforms are not ours: a title can be a megabyte, an
``ETag`` 600 characters, a GUID full of four-byte characters, a JSON Feed
field can hold ``\\u0000`` or a lone surrogate. PostgreSQL refuses NUL in
text and over-long ``varchar`` values, and a lone surrogate cannot even be
encoded; any of these used to fail the whole poll batch's transaction. So
the store cleans each value here, by what the value is for:

- **text** (titles, authors, notes): NUL removed, lone surrogates replaced
  by U+FFFD, then cut to the column's length *in characters* (what both
  backends count) at a character boundary that does not split a combining
  sequence, with an ellipsis so a reader sees it was cut;
- **URLs**: kept whole (stored as TEXT, unique on :func:`url_hash`, since a
  cut URL is another URL) up to :data:`MAX_URL_CHARS`; NUL becomes ``%00``.
  A longer URL has no honest shorter form, so the caller skips what carries
  it (an entry) or refuses it (a feed);
- **validators** (``ETag``, ``Last-Modified``): dropped when too long, since a
  cut validator never matches and would only be sent back as garbage;
- **keys** (GUIDs): a key longer than :data:`MAX_GUID_BYTES` in UTF-8 is
  replaced by ``sha256:<hex>`` of itself, so it stays unique, bounded and
  indexable (a B-tree entry must fit in about 2.7 kB on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, overload

#: Longest URL kept (characters). Servers refuse request lines far shorter
#: (8 kB is common); past this a URL is an attack, not a link.
MAX_URL_CHARS = 16_384
MAX_TITLE_CHARS = 512  # feeds.title is varchar(512); article titles get the same bound
MAX_AUTHOR_CHARS = 512
MAX_SITE_NAME_CHARS = 512
MAX_LANGUAGE_CHARS = 16
MAX_ETAG_CHARS = 512
MAX_LAST_MODIFIED_CHARS = 128
MAX_GUID_BYTES = 1024
MAX_IMAGE_URL_CHARS = 2048  # articles.image_url: optional, so a longer one is dropped
MAX_NOTE_CHARS = 2000  # last_error, extraction_note
MAX_FEED_TEXT_CHARS = 200_000  # a feed's own copy of an entry (a fallback, not the article)
MAX_TEXT_CHARS = 2_000_000  # an extracted article (pages are capped at 10 MB before this)

_SURROGATES = re.compile("[\ud800-\udfff]")
_ELLIPSIS = "…"
# Characters that belong to the one before them: cutting just before one would
# leave half a letter or half an emoji.
_JOINERS = frozenset("\u200d\u034f\ufe0e\ufe0f")

@overload
def clean(value: str) -> str: ...
@overload
def clean(value: None) -> None: ...
@overload
def clean(value: str | None) -> str | None: ...


def clean(value: str | None) -> str | None:
    """``value`` without NUL and with lone surrogates as U+FFFD (storable everywhere)."""
    if value is None:
        return None
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATES.sub("\ufffd", value)


@overload
def clip(value: str, max_chars: int) -> str: ...
@overload
def clip(value: None, max_chars: int) -> None: ...
@overload
def clip(value: str | None, max_chars: int) -> str | None: ...


def clip(value: str | None, max_chars: int) -> str | None:
    """:func:`clean`, then at most ``max_chars`` characters, ending in "…" when cut."""
    if value is None:
        return None
    value = clean(value)
    if len(value) <= max_chars:
        return value
    cut = max_chars - len(_ELLIPSIS)
    while cut > 0 and (_belongs_to_previous(value[cut]) or value[cut - 1] == "\u200d"):
        cut -= 1
    return value[:cut] + _ELLIPSIS


def _belongs_to_previous(ch: str) -> bool:
    return bool(unicodedata.combining(ch)) or ch in _JOINERS or "\U000e0020" <= ch <= "\U000e007f"


def clip_or_none(value: str | None, max_chars: int) -> str | None:
    """``value`` cleaned, or None when it is empty or longer than ``max_chars``
    (for validators and codes that mean nothing once cut)."""
    value = clean(value)
    if not value or len(value) > max_chars:
        return None
    return value


def url(value: str) -> str:
    """A URL as stored: NUL percent-encoded, surrogates replaced (never cut)."""
    return clean(value.replace("\x00", "%00"))


def url_or_none(value: str | None, max_chars: int = MAX_URL_CHARS) -> str | None:
    """:func:`url`, or None when absent or longer than ``max_chars``."""
    if not value:
        return None
    value = url(value)
    return value if len(value) <= max_chars else None


def url_hash(value: str) -> str:
    """The unique key of a stored URL: SHA-256 hex of its UTF-8 form."""
    return hashlib.sha256(url(value).encode("utf-8")).hexdigest()


def guid(value: str) -> str:
    """A GUID as stored: itself when short, else ``sha256:<hex>`` of itself."""
    value = clean(value)
    if len(value.encode("utf-8")) <= MAX_GUID_BYTES:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def json_strings(value: Any) -> Any:
    """``value`` (JSON-like) with every string :func:`clean`-ed."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list | tuple):
        return [json_strings(v) for v in value]
    if isinstance(value, dict):
        return {clean(str(k)): json_strings(v) for k, v in value.items()}
    return value


__all__ = [
    "MAX_URL_CHARS",
    "clean",
    "clip",
    "clip_or_none",
    "guid",
    "json_strings",
    "url",
    "url_hash",
    "url_or_none",
]
