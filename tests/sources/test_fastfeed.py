"""The RSS fast path must agree with feedparser on every feed it accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sources.fastfeed import parse_wellformed
from bot.sources.feeds import UTF8_BOM, parse_feed, parse_with_feedparser

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [
    p
    for d in (ROOT / "tests" / "fixtures" / "feeds", ROOT.parent / "shared" / "eval" / "feeds")
    if d.is_dir()
    for p in sorted(d.rglob("*"))
    if p.is_file()
]
FIELDS = ("guid", "url", "canonical_url", "title", "summary", "content_html", "published", "author")


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_fast_path_agrees_with_feedparser(path: Path) -> None:
    content = path.read_bytes().removeprefix(UTF8_BOM).lstrip()
    fast = parse_wellformed(content, "http://feeds.example/feed.xml")
    if fast is None:
        return
    slow = parse_with_feedparser(content, "http://feeds.example/feed.xml", None)
    assert (fast.title, fast.site_url, fast.ttl_minutes) == (
        slow.title,
        slow.site_url,
        slow.ttl_minutes,
    )
    assert len(fast.entries) == len(slow.entries)
    for a, b in zip(fast.entries, slow.entries, strict=True):
        assert {f: getattr(a, f) for f in FIELDS} == {f: getattr(b, f) for f in FIELDS}


def test_fast_path_takes_plain_rss_and_defers_the_rest() -> None:
    plain = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://s.example/</link>'
        b"<item><title>A</title><link>/a</link><guid>g1</guid>"
        b"<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate><description>&lt;p&gt;Hi&lt;/p&gt;</description>"
        b"</item></channel></rss>"
    )
    parsed = parse_wellformed(plain, "http://s.example/rss")
    assert parsed is not None and parsed.entries[0].url == "http://s.example/a"
    assert parsed.entries[0].published is not None and parsed.entries[0].summary == "Hi"
    itunes = plain.replace(
        b"<guid>g1</guid>",
        b'<guid>g1</guid><itunes:author xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">x</itunes:author>',
    )
    assert parse_wellformed(itunes, "http://s.example/rss") is None
    assert parse_wellformed(b"<!DOCTYPE rss><rss/>", "u") is None
    assert (
        parse_wellformed(
            b"<rss><channel><item><pubDate>someday</pubDate></item></channel></rss>", "u"
        )
        is None
    )
    assert parse_wellformed(b"<rss><channel>", "u") is None  # not well-formed
    # whichever path, parse_feed gives the same answer
    assert parse_feed(plain, "http://s.example/rss") == parsed
