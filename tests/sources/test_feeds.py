"""parse_feed on our fixtures and on every real feed in the shared eval set."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import FeedError
from bot.sources.feeds import FeedEntry, ParsedFeed, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def load(name: str, url: str, **headers: str) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url, headers or None)


def test_rss20() -> None:
    feed = load("rss20.xml", "https://news.example.org/feed.xml")
    assert feed.kind == "rss20"
    assert feed.title == "The Riverside Herald – Latest"
    assert feed.site_url == "https://news.example.org/"
    assert feed.ttl_minutes == 30
    assert feed.warning is None
    assert len(feed.entries) == 20
    first = feed.entries[0]
    assert isinstance(first, FeedEntry)
    assert first.guid == "tag:news.example.org,2024:1000"
    assert first.title == "City council approves riverside pedestrian bridge"
    assert first.url == (
        "https://news.example.org/local/bridge-vote?utm_source=rss&utm_medium=feed"
    )
    assert first.canonical_url == "https://news.example.org/local/bridge-vote"
    assert first.author == "Ana Lopez"
    assert first.published == datetime(2024, 5, 19, 22, 30, tzinfo=UTC)
    assert first.summary.startswith("City council approves riverside pedestrian bridge.")
    assert "<p>" not in first.summary
    assert first.content_html is not None and '"We have listened' in first.content_html
    # a relative <link> is made absolute against the feed URL
    assert feed.entries[3].url == "https://news.example.org/science/battery-lab"


def test_rss10() -> None:
    feed = load("rss10.rdf", "https://science.example.net/rss")
    assert feed.kind == "rss10"
    assert feed.title == "Science Weekly"
    assert [e.url for e in feed.entries] == [
        "https://science.example.net/2024/05/comet",
        "https://science.example.net/2024/05/coral",
    ]
    assert feed.entries[0].author == "Rui Almeida"
    assert feed.entries[0].published == datetime(2024, 5, 14, 21, 5, tzinfo=UTC)
    assert feed.entries[1].published == datetime(2024, 5, 12, 6, 0, tzinfo=UTC)
    assert (
        feed.entries[1].summary
        == "Reefs in the Indian Ocean regrew 40% of their cover in six years."
    )


def test_atom() -> None:
    feed = load("atom.xml", "https://blog.example.com/atom.xml")
    assert feed.kind == "atom10"
    assert feed.site_url == "https://blog.example.com/"
    post, release = feed.entries
    assert post.title == "Why we moved to Postgres"
    assert post.url == "https://blog.example.com/posts/why-postgres"  # xml:base
    assert post.guid == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert post.author == "Mia Wong"
    assert post.published == datetime(2024, 5, 18, 7, 30, tzinfo=UTC)
    assert post.summary == "Three years of MySQL, one migration weekend."
    assert post.content_html is not None and "The migration took one weekend" in post.content_html
    # no <published>: the updated date stands in
    assert release.published == datetime(2024, 5, 10, 8, 0, tzinfo=UTC)
    assert release.summary == "Faster search.\n\nDark mode."


def test_json_feed() -> None:
    feed = load("jsonfeed.json", "https://micro.example.io/feed.json")
    assert feed.kind == "json1.1"
    assert feed.title == "Micro News"
    assert feed.site_url == "https://micro.example.io/"
    assert feed.warning == "1 malformed item(s) skipped"
    fares, park = feed.entries
    assert fares.guid == "2024-05-20-transit"
    assert fares.canonical_url == "https://micro.example.io/2024/05/20/transit"
    assert fares.author == "Lee Park"
    assert fares.summary == "Fares stay at 2.50 until next June."
    assert fares.published == datetime(2024, 5, 20, 11, 15, tzinfo=UTC)
    assert park.url == "https://micro.example.io/2024/05/19/park"
    assert park.title == "A new park opens downtown."  # no title: first line of the text
    assert park.summary == "A new park opens downtown.\n\nIt has a skate bowl and 300 trees."
    assert (
        park.content_html
        == "<p>A new park opens downtown.</p><p>It has a skate bowl and 300 trees.</p>"
    )


def test_bozo_feed_parsed_with_warning() -> None:
    feed = load("bozo.xml", "https://broken.example.com/rss")
    assert feed.warning is not None and feed.warning.startswith("malformed feed, parsed anyway:")
    assert "\n" not in feed.warning
    titles = [e.title for e in feed.entries]
    assert titles == ["Fish & Chips shop reopens", "Harbour festival dates announced"]
    assert feed.entries[1].published is None  # "not a date"


def test_guid_falls_back_to_link_then_hash() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>With link</title><link>https://e.com/a</link></item>
    <item><title>No link</title><pubDate>Tue, 14 May 2024 12:00:00 GMT</pubDate></item>
    <item><title>No link</title><pubDate>Wed, 15 May 2024 12:00:00 GMT</pubDate></item>
    </channel></rss>"""
    entries = parse_feed(rss, "https://e.com/rss").entries
    assert entries[0].guid == "https://e.com/a"
    assert entries[1].guid.startswith("sha256:") and entries[1].url == ""
    assert entries[1].guid != entries[2].guid
    assert parse_feed(rss, "https://e.com/rss").entries[1].guid == entries[1].guid  # stable


def test_leading_whitespace_and_bom_are_tolerated() -> None:
    raw = (FEEDS / "atom.xml").read_bytes()
    feed = parse_feed(b"\xef\xbb\xbf\n\n  " + raw, "https://blog.example.com/atom.xml")
    assert feed.warning is None and len(feed.entries) == 2


def test_charset_from_headers() -> None:
    rss = '<rss version="2.0"><channel><title>Caf\u00e9 news</title></channel></rss>'.encode(
        "latin-1"
    )
    feed = parse_feed(rss, "https://e.com/rss", {"Content-Type": "text/xml; charset=iso-8859-1"})
    assert feed.title == "Café news"
    assert feed.entries == []


def test_feedparser_never_fetches(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("feedparser tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", boom)
    # content that *is* a URL must be parsed as (not) a feed, not fetched
    with pytest.raises(FeedError):
        parse_feed(b"https://example.com/feed.xml", "https://example.com/")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "returned an empty document"),
        (b"   \n", "returned an empty document"),
        ((PAGES / "site_home.html").read_bytes(), "is an HTML page"),
        (b"%PDF-1.4 ...", "is a PDF document"),
        (b"<note><to>Tove</to></note>", "is XML but not RSS or Atom"),
        (b"\x00\x01garbage\xff", "is neither RSS, Atom nor JSON Feed"),
        ((FEEDS / "not_a_feed.json").read_bytes(), "is JSON but not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1", ', "is not valid JSON"),
    ],
)
def test_not_a_feed(content: bytes, message: str) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(content, "https://example.com/x")
    text = str(info.value)
    assert message in text and "https://example.com/x" in text
    assert "\n" not in text


@pytest.fixture(scope="module")
def eval_feeds_dir() -> Path:
    """The shared eval feeds (../shared/eval/feeds beside the repository root)."""
    repo_root = Path(__file__).resolve().parents[2]
    path = (repo_root / ".." / "shared" / "eval" / "feeds").resolve()
    if not path.is_dir():
        pytest.skip(f"eval feeds not present at {path}")
    return path


@pytest.mark.slow  # every shared eval feed
def test_every_eval_feed_parses_or_raises_feed_error(eval_feeds_dir: Path) -> None:
    files = sorted(p for p in eval_feeds_dir.rglob("*") if p.is_file())
    assert files
    counts: Counter[str] = Counter()
    entries = 0
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), "https://example.com/feed")
        except FeedError as exc:
            counts["feed_error"] += 1
            assert "\n" not in str(exc)
            continue
        counts["warning" if feed.warning else "clean"] += 1
        entries += len(feed.entries)
        for entry in feed.entries:
            assert entry.guid
            assert entry.published is None or entry.published.tzinfo is not None
            assert entry.url == "" or entry.url.startswith(("http://", "https://")), entry.url
    print(f"\n{len(files)} eval feeds: {dict(counts)}, {entries} entries")
    assert counts["clean"] + counts["warning"] >= len(files) * 0.8
