"""Bounded parsing: entry caps (newest first), nesting guards, work off the event loop."""

from __future__ import annotations

import json

import pytest

from bot.errors import ExtractionError, FeedError
from bot.sources import parsing
from bot.sources.feeds import parse_feed
from bot.sources.parsing import extract_page_async, parse_feed_async
from bot.sources.trim import count_entry_openers, entry_date, trim_entries
from tests.fixtures.hostile import big_atom, deep_html, deep_json, deep_xml


def rss(n: int, *, newest_last: bool = True) -> bytes:
    items = []
    for i in range(n):
        day = i if newest_last else n - 1 - i
        items.append(
            f"<item><title>Story {day}</title><link>http://n.example/{day}</link>"
            f"<guid>g{day}</guid><pubDate>{_rfc822(day)}</pubDate>"
            f"<description>&lt;p&gt;Body {day}&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
        "<link>http://n.example/</link>" + "".join(items) + "</channel></rss>"
    ).encode()


def _rfc822(day: int) -> str:
    hours, minutes = divmod(day, 60)
    return f"Mon, 20 May 2024 {hours % 24:02d}:{minutes:02d}:00 GMT"


def test_rss_cap_keeps_the_newest_in_document_order() -> None:
    parsed = parse_feed(rss(50), "http://n.example/rss", max_entries=10)
    assert [e.guid for e in parsed.entries] == [f"g{d}" for d in range(40, 50)]
    assert parsed.total_entries == 50
    assert parsed.warning and "took the newest 10" in parsed.warning


def test_cap_without_dates_keeps_the_first_entries() -> None:
    body = (
        '<rss version="2.0"><channel><title>t</title>'
        + "".join(f"<item><title>x{i}</title><link>http://a.example/{i}</link></item>" for i in range(30))
        + "</channel></rss>"
    ).encode()
    parsed = parse_feed(body, "http://a.example/", max_entries=5)
    assert [e.title for e in parsed.entries] == [f"x{i}" for i in range(5)]


def test_trim_streams_atom_and_keeps_namespaces() -> None:
    body = big_atom(2_000, dated=True)
    trimmed = trim_entries(body, 100)
    assert trimmed is not None and trimmed.total == 2_000 and trimmed.kept == 100
    parsed = parse_feed(trimmed.content, "http://flood.example/feed")
    assert len(parsed.entries) == 100 and parsed.kind == "atom10"
    assert {e.guid.rsplit("/", 1)[-1] for e in parsed.entries} == {f"e{i}" for i in range(1_900, 2_000)}


def test_trim_leaves_small_or_unstreamable_documents_alone() -> None:
    assert trim_entries(rss(5), 10) is None
    assert count_entry_openers(b"<item><entry x='1'><rss:item>") == 3


def test_entry_date_formats() -> None:
    assert entry_date("2024-05-20T00:00:00Z") == entry_date("Mon, 20 May 2024 00:00:00 GMT")
    assert entry_date("yesterday") is None and entry_date(None) is None


def test_json_feed_cap_and_deep_nesting() -> None:
    items = [
        {"id": str(i), "url": f"http://j.example/{i}", "title": f"t{i}",
         "date_published": f"2024-05-{1 + i % 28:02d}T00:00:00Z"}
        for i in range(40)
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    parsed = parse_feed(body, "http://j.example/feed.json", max_entries=3)
    assert parsed.total_entries == 40 and len(parsed.entries) == 3
    assert all(e.published and e.published.day >= 26 for e in parsed.entries)
    with pytest.raises(FeedError, match="nested too deeply"):
        parse_feed(deep_json(), "http://j.example/deep.json")


def test_json_feed_values_of_the_wrong_type_are_ignored() -> None:
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1", "title": ["a", ["b"]],
        "items": [{"id": {"x": 1}, "url": "http://j.example/1", "title": [[["deep"]]]}],
    }).encode()
    parsed = parse_feed(body, "http://j.example/f")
    assert parsed.title is None and parsed.entries[0].url == "http://j.example/1"


def test_entry_links_with_credentials_are_dropped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>leak</title><link>http://bob:pw@a.example/1</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(body, "http://a.example/")
    assert parsed.entries[0].url == "" and "pw" not in parsed.entries[0].guid


async def test_parse_feed_async_computes_entry_text_off_the_loop() -> None:
    parsed = await parse_feed_async(rss(3), "http://n.example/rss", max_entries=2)
    assert len(parsed.entries) == 2
    assert all(e.text is not None for e in parsed.entries)


async def test_big_feed_goes_to_the_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "SUBPROCESS_MIN_BYTES", 1000)
    parsed = await parse_feed_async(big_atom(5_000, dated=True), "http://flood.example/", max_entries=20)
    assert len(parsed.entries) == 20 and parsed.total_entries == 5_000
    with pytest.raises(FeedError, match="nested too deeply"):
        await parse_feed_async(deep_json(), "http://x.example/deep.json")


async def test_worker_limits_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "SUBPROCESS_MIN_BYTES", 10)
    monkeypatch.setattr(parsing, "WORKER_MEMORY_MB", 50)  # too little to even start
    with pytest.raises(FeedError) as info:
        await parse_feed_async(rss(3), "http://n.example/rss")
    assert "\n" not in str(info.value) and "http://n.example/rss" in str(info.value)


async def test_deep_documents_are_one_line_or_parsed() -> None:
    try:
        parsed = await parse_feed_async(deep_xml(), "http://x.example/deep.xml")
    except FeedError as exc:
        assert "\n" not in str(exc)
    else:
        assert len(parsed.entries) <= 1
    try:
        found = await extract_page_async(deep_html(), "http://x.example/deep.html")
    except ExtractionError as exc:
        assert "\n" not in str(exc)
    else:
        assert found is None or (found[0].text and len(found[1]) == 64)


def test_byte_scan_and_lxml_paths_keep_the_same_entries() -> None:
    """Without CDATA the entries are cut from the bytes as served; with it, lxml cuts."""
    plain = rss(300)
    fast = trim_entries(plain, 20)
    assert fast is not None and not fast.rewritten and fast.total == 300
    assert b"<title>Story 299</title>" in fast.content and b"<title>Story 279</title>" not in fast.content
    cdata = plain.replace(b"<title>Story 5</title>", b"<title><![CDATA[Story 5 <item>]]></title>")
    slow = trim_entries(cdata, 20)
    assert slow is not None and slow.rewritten and slow.total == 300
    a = parse_feed(fast.content, "http://n.example/rss")
    b = parse_feed(slow.content, "http://n.example/rss")
    assert [e.guid for e in a.entries] == [e.guid for e in b.entries] == [f"g{d}" for d in range(280, 300)]


def test_nested_or_unclosed_entries_are_left_to_lxml() -> None:
    nested = rss(30).replace(b"<item><title>Story 3</title>", b"<item><item></item><title>Story 3</title>")
    trimmed = trim_entries(nested, 5)
    assert trimmed is None or trimmed.rewritten
