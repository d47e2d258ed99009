"""The bundled demo sites, served for real on 127.0.0.1 (bot/demo_server.py)."""

from __future__ import annotations

import asyncio
import importlib.resources as resources
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest

from bot.demo_server import DemoServer

ARTICLE_PATHS = [
    "/gazette/news/2026/11/harbor-bridge-closure.html",
    "/gazette/news/2026/11/ferry-extra-crossings.html",
    "/gazette/news/2026/11/fish-market-reopens.html",
    "/northfield/news/2026/11/harbor-bridge-closed-six-weeks.html",
    "/northfield/news/2026/11/library-makerspace.html",
    "/northfield/news/2026/11/robotics-state-finals.html",
]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def test_urls_are_loopback_and_point_at_the_two_sites(demo: DemoServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", demo.base_url)
    assert demo.site_urls == [demo.base_url + "/gazette/", demo.base_url + "/northfield/"]
    assert demo.feed_urls == [
        demo.base_url + "/gazette/rss.xml",
        demo.base_url + "/northfield/feed.xml",
    ]


def test_demo_data_is_package_data() -> None:
    names = {p.name for p in (resources.files("bot") / "demo_data").iterdir()}
    assert {"gazette", "northfield"} <= names


def test_feeds_are_rss_with_base_substituted(demo: DemoServer) -> None:
    for url in demo.feed_urls:
        r = httpx.get(url)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/rss+xml; charset=utf-8"
        assert "{base}" not in r.text
        channel = ET.fromstring(r.content).find("channel")
        assert channel is not None
        items = channel.findall("item")
        assert len(items) >= 3
        for item in items:
            for tag in ("title", "link", "guid", "pubDate", "description"):
                assert (item.findtext(tag) or "").strip(), (url, tag)
            assert item.findtext("link", "").startswith(demo.base_url + "/")
            assert parsedate_to_datetime(item.findtext("pubDate", "")).year == 2026


def test_every_feed_link_serves_except_the_deliberately_broken_one(demo: DemoServer) -> None:
    statuses: dict[str, int] = {}
    with httpx.Client() as client:
        for feed in demo.feed_urls:
            for link in ET.fromstring(client.get(feed).content).iter("link"):
                if link.text and link.text.endswith(".html"):
                    statuses[link.text] = client.get(link.text).status_code
    assert sorted(u.removeprefix(demo.base_url) for u, s in statuses.items() if s == 200) == sorted(
        ARTICLE_PATHS
    )
    assert [u for u, s in statuses.items() if s == 404] == [
        demo.base_url + "/northfield/news/2026/11/parking-plan-vote.html"
    ]


def test_home_pages_advertise_their_feed(demo: DemoServer) -> None:
    for site, feed in zip(demo.site_urls, demo.feed_urls, strict=True):
        r = httpx.get(site)
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        links = re.findall(
            r'<link rel="alternate" type="application/rss\+xml"[^>]*href="([^"]+)"', r.text
        )
        assert links == [feed]


@pytest.mark.parametrize("path", ARTICLE_PATHS)
def test_article_pages_are_full_news_pages(demo: DemoServer, path: str) -> None:
    r = httpx.get(demo.url(path))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    assert '<html lang="en">' in page and "{base}" not in page
    for needle in (
        'property="og:title"',
        'property="article:published_time"',
        'name="author"',
        "<header",
        "<article>",
        "<h1>",
        'class="byline"',
        "<figcaption>",
        "Photo: ",
        "Credit: ",
        "Read more",
        "newsletter",
        "<footer",
        "cookie",
    ):
        assert needle in page, (path, needle)
    body = re.search(r"<article>(.*)</article>", page, re.S)
    assert body is not None
    paragraphs = re.findall(r"<p>([^<]+)</p>", body.group(1))
    words = sum(len(p.split()) for p in paragraphs)
    assert len(paragraphs) >= 6 and 350 <= words <= 600, (path, len(paragraphs), words)


def test_unknown_paths_are_404(demo: DemoServer) -> None:
    for path in (
        "/nope.html",
        "/gazette/news/2026/11/missing.html",
        "/../pyproject.toml",
        "/gazette/../../x",
    ):
        assert httpx.get(demo.url(path)).status_code == 404, path


def test_etag_and_conditional_get(demo: DemoServer) -> None:
    url = demo.feed_urls[0]
    first = httpx.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert httpx.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    other = httpx.get(demo.feed_urls[1]).headers["etag"]
    assert other != etag


def test_head_has_headers_and_no_body(demo: DemoServer) -> None:
    r = httpx.head(demo.site_urls[0])
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["content-length"]) > 1000


def test_two_servers_get_their_own_ports_and_bases() -> None:
    with DemoServer() as a, DemoServer() as b:
        assert a.port != b.port
        assert b.base_url in httpx.get(b.feed_urls[1]).text
        assert a.base_url not in httpx.get(b.feed_urls[1]).text


async def test_async_use_does_not_block_the_loop() -> None:
    async with DemoServer() as demo, httpx.AsyncClient() as client:
        responses = await asyncio.gather(*(client.get(u) for u in demo.feed_urls + demo.site_urls))
        assert [r.status_code for r in responses] == [200] * 4
    with pytest.raises(httpx.ConnectError):
        httpx.get(demo.feed_urls[0])


def test_stop_is_idempotent_and_start_after_stop_fails() -> None:
    demo = DemoServer().start()
    demo.stop()
    demo.stop()
    with pytest.raises(RuntimeError):
        demo.start()


def test_requests_do_not_write_to_stderr(
    demo: DemoServer, capfd: pytest.CaptureFixture[str]
) -> None:
    httpx.get(demo.site_urls[0])
    httpx.get(demo.url("/missing"))
    assert capfd.readouterr().err == ""
