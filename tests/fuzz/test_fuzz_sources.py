"""Property tests: no exception escapes the feed, JSON Feed and OPML parsers, in bounded time.

Inputs are real feeds (the eval corpus) mutated by hypothesis (cut, spliced,
bytes flipped, nested), plus documents generated from scratch. Every call
either returns a value that keeps its invariants or raises the module's one
clear :class:`~bot.errors.FeedError`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import FeedError
from bot.sources.feeds import ParsedFeed, parse_feed
from bot.sources.opml import parse_opml
from tests.fuzz.conftest import CALL_BUDGET_S, seed_bytes, seed_files

MAX_ENTRIES = 25
needs_seeds = pytest.mark.skipif(not seed_files(), reason="../shared/eval/feeds is not here")


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[bytes, ...]) -> bytes:
    """A seed document with a few random edits."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "insert", "delete", "dup", "flip", "tag"]))
        if kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(max_size=40))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 2000))] * draw(st.integers(1, 5))
        elif kind == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        else:
            data[at:at] = draw(st.sampled_from([
                b"<item>", b"</item>", b"<entry>", b"]]>", b"<![CDATA[", b"&amp;", b"&#0;",
                b"&nbsp;", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"&a;", b"\xff\xfe", b"\x00",
                b"<link href='javascript:alert(1)'/>", b"<link>http://u:p@h/</link>",
            ]))
    return bytes(data)


def check_feed(content: bytes, headers: dict[str, str] | None = None) -> ParsedFeed | None:
    started = time.monotonic()
    try:
        parsed = parse_feed(content, "http://fuzz.example/feed", headers, max_entries=MAX_ENTRIES)
    except FeedError as exc:
        assert "\n" not in str(exc)
        parsed = None
    assert time.monotonic() - started < CALL_BUDGET_S
    if parsed is not None:
        assert len(parsed.entries) <= MAX_ENTRIES
        assert parsed.total_entries >= len(parsed.entries)
        for entry in parsed.entries:
            assert entry.guid
            assert entry.url == "" or entry.url.lower().startswith(("http://", "https://"))
            assert "@" not in entry.url.split("/")[2] if entry.url else True
    return parsed


def _seeds() -> tuple[bytes, ...]:
    return tuple(seed_bytes(p) for p in seed_files())


@needs_seeds
def test_every_seed_parses_or_fails_cleanly() -> None:
    for path in seed_files():
        check_feed(seed_bytes(path))


@needs_seeds
@given(st.data())
def test_mutated_feeds(data: st.DataObject) -> None:
    check_feed(data.draw(mutated(_seeds())))


@needs_seeds
@given(st.data(), st.sampled_from(["text/html", "application/json", "application/xml; charset=koi8-r",
                                   "text/xml; charset=bogus", "application/rss+xml"]))
def test_mutated_feeds_with_odd_content_types(data: st.DataObject, content_type: str) -> None:
    check_feed(data.draw(mutated(_seeds())), {"Content-Type": content_type})


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "id": _JSON, "url": st.sampled_from(["http://j.example/1", "/rel", "u:p@x", "http://a:b@c/"]) | _JSON,
        "title": _JSON, "content_html": st.text(max_size=200) | _JSON, "content_text": _JSON,
        "summary": _JSON, "date_published": st.sampled_from(["2024-05-20T10:00:00Z", "bad", ""]) | _JSON,
        "authors": _JSON, "author": _JSON, "external_url": _JSON,
    },
)


@given(
    items=st.lists(_ITEM | _JSON, max_size=60),
    title=_JSON,
    version=st.sampled_from(["https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1", "2"]),
    depth=st.integers(0, 5000),
)
def test_generated_json_feeds(items: list[Any], title: Any, version: str, depth: int) -> None:
    doc = json.dumps({"version": version, "title": title, "items": items, "home_page_url": title})
    if depth:
        doc = doc[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    check_feed(doc.encode())


@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_random_bytes(content: bytes) -> None:
    check_feed(content)


_ATTR = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(
    outlines=st.lists(
        st.tuples(_ATTR, st.sampled_from(["http://a.example/f", "feed://b.example/r", "ftp://x",
                                          "http://u:p@h/f", "", "javascript:x"]) | _ATTR,
                  st.integers(0, 3)),
        max_size=30,
    ),
    noise=st.binary(max_size=50),
)
def test_opml(outlines: list[tuple[str, str, int]], noise: bytes) -> None:
    from xml.sax.saxutils import quoteattr

    body = "".join(
        "<outline>" * depth + f"<outline text={quoteattr(t)} xmlUrl={quoteattr(u)}/>" + "</outline>" * depth
        for t, u, depth in outlines
    )
    doc = f'<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>{body}</body></opml>'
    for data in (doc.encode(), doc.encode()[: len(doc) // 2] + noise, noise + doc.encode()):
        started = time.monotonic()
        try:
            result = parse_opml(data)
        except FeedError as exc:
            assert "\n" not in str(exc)
        else:
            for url, _title in result.feeds:
                assert url.startswith(("http://", "https://"))
                assert "u:p@" not in url
            assert all("\n" not in e for e in result.errors)
        assert time.monotonic() - started < CALL_BUDGET_S
