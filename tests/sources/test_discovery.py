"""resolve_feed: a feed URL, a page linking to its feed, common paths, nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import FeedError, HTTPStatusError
from bot.sources.discovery import find_feed_links, resolve_feed
from bot.sources.http import Fetcher
from tests.support.http_server import LoopbackServer, Response

ServerFactory = Callable[..., LoopbackServer]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RSS = (FIXTURES / "feeds" / "rss20.xml").read_bytes()
ATOM = (FIXTURES / "feeds" / "atom.xml").read_bytes()
HOME = (FIXTURES / "pages" / "site_home.html").read_bytes()
NO_FEED = (FIXTURES / "pages" / "no_feed.html").read_bytes()
HTML = "text/html; charset=utf-8"


def test_find_feed_links() -> None:
    assert find_feed_links(HOME, "https://news.example.org/section/") == [
        "https://news.example.org/feeds/latest.xml",
        "https://news.example.org/feeds/latest.atom",
    ]
    page = b'<html><head><base href="https://cdn.example/x/"><link rel="Alternate feed" type="application/feed+json" href="f.json"><link rel="alternate" type="application/rss+xml" href="javascript:x"></head></html>'
    assert find_feed_links(page, "https://e.com/") == ["https://cdn.example/x/f.json"]
    assert find_feed_links(b"", "https://e.com/") == []


async def test_feed_url_is_returned_as_is(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/feed.xml": Response(RSS, content_type="application/rss+xml")})
    url, feed = await resolve_feed(fetcher, srv.url("/feed.xml"))
    assert url == srv.url("/feed.xml")
    assert len(feed.entries) == 20


async def test_feed_served_as_text_html_is_still_a_feed(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    srv = http_server({"/rss": Response(RSS, content_type=HTML)})
    url, feed = await resolve_feed(fetcher, srv.url("/rss"))
    assert url == srv.url("/rss") and feed.kind == "rss20"


async def test_page_with_alternate_link(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server(
        {
            "/": Response(HOME, content_type=HTML),
            "/feeds/latest.xml": Response(status=500, body=b"oops"),  # first link broken
            "/feeds/latest.atom": Response(ATOM, content_type="application/atom+xml"),
        }
    )
    url, feed = await resolve_feed(fetcher, srv.url("/"))
    assert url == srv.url("/feeds/latest.atom")
    assert feed.title == "Example Engineering Blog"


async def test_common_path_fallback(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server(
        {
            "/blog/post": Response(NO_FEED, content_type=HTML),
            "/index.xml": Response(RSS, content_type="application/xml"),
        }
    )
    url, _feed = await resolve_feed(fetcher, srv.url("/blog/post"))
    assert url == srv.url("/index.xml")
    tried = [r.path for r in srv.requests]
    assert tried == ["/blog/post", "/feed", "/rss", "/atom.xml", "/index.xml"]


async def test_no_feed_found(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/": Response(NO_FEED, content_type=HTML)})
    with pytest.raises(FeedError) as info:
        await resolve_feed(fetcher, srv.url("/"))
    assert str(info.value) == (
        f"no feed found at {srv.url('/')}: it is not a feed and has no "
        '<link rel="alternate"> to one'
    )


async def test_advertised_links_all_broken(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/": Response(HOME, content_type=HTML)})
    with pytest.raises(FeedError, match=r"the 2 feed link\(s\) it advertises"):
        await resolve_feed(fetcher, srv.url("/"))


async def test_fetch_errors_of_the_url_itself_propagate(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    srv = http_server({})
    with pytest.raises(HTTPStatusError):
        await resolve_feed(fetcher, srv.url("/nope"))


async def test_json_that_is_not_a_feed(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/api": Response(b'{"ok": true}', content_type="application/json")})
    with pytest.raises(FeedError, match="is JSON but not a JSON Feed"):
        await resolve_feed(fetcher, srv.url("/api"))


async def test_discovery_deadline_with_dripping_feeds(http_server: ServerFactory) -> None:
    """A page advertising five feeds that each drip forever: one answer, in time."""
    import time

    from bot.sources.http import Fetcher as _Fetcher
    from tests.sources.conftest import make_settings

    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="/f{i}.xml">' for i in range(5)
    )
    drip = Response(b"<rss>" + b" " * 2000, chunked=True, chunk_size=1, chunk_delay=0.2)
    routes = {f"/f{i}.xml": drip for i in range(5)}
    routes["/"] = Response(f"<html><head>{links}</head><body>hi</body></html>", content_type=HTML)
    srv = http_server(routes)
    # Each feed alone may take 30 s (its own deadline), so five of them would take minutes:
    # only the discovery deadline can end this early. The bounds below leave room for a
    # loaded machine; the timing itself is measured in bench/hostile.py.
    settings = make_settings(fetch_timeout_s=1.0, fetch_deadline_s=30.0, discovery_deadline_s=2.5)
    async with _Fetcher(settings) as f:
        started = time.monotonic()
        with pytest.raises(FeedError) as info:
            await resolve_feed(f, srv.url("/"))
        elapsed = time.monotonic() - started
    assert elapsed < 20.0
    assert "within 2.5s" in str(info.value)
    assert re.search(r"tried [1-5] candidate", str(info.value))


def test_feed_links_with_credentials_are_skipped() -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="http://u:pw@e.com/f">'
        b'<link rel="alternate" type="application/rss+xml" href="http://e.com/ok"></head></html>'
    )
    assert find_feed_links(page, "https://e.com/") == ["http://e.com/ok"]
