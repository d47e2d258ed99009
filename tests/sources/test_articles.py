"""fetch_article: page extraction, and what the feed entry said (``feed_copy``) as a fallback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import Article
from bot.errors import ExtractionError, FetchTimeoutError, HTTPStatusError, UnsupportedContentError
from bot.extract.html import content_fingerprint
from bot.records import FeedCopy
from bot.sources.articles import feed_copy, fetch_article
from bot.sources.feeds import FeedEntry
from bot.sources.http import Fetcher
from tests.sources.conftest import make_settings
from tests.support.http_server import LoopbackServer, Response

ServerFactory = Callable[..., LoopbackServer]
PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
HTML = "text/html; charset=utf-8"
BRIDGE = (PAGES / "article_bridge.html").read_bytes()
PDF = (PAGES / "report.pdf").read_bytes()


def entry(url: str, **overrides: object) -> FeedCopy:
    values: dict[str, object] = {
        "guid": "g1",
        "url": url,
        "canonical_url": url,
        "title": "Council approves bridge (feed title)",
        "summary": "Councillors voted 7-2 for the crossing.",
        "content_html": '<p>The council voted for the bridge.</p><p>"A good day," said the mayor.</p>',
        "published": datetime(2024, 5, 20, 6, 0, tzinfo=UTC),
        "author": "Feed Author",
    }
    values.update(overrides)
    return feed_copy(FeedEntry(**values))  # type: ignore[arg-type]


async def test_article_from_page(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/local/bridge-vote": Response(BRIDGE, content_type=HTML)})
    article = await fetch_article(fetcher, srv.url("/local/bridge-vote?utm_source=rss"))
    assert isinstance(article, Article)
    assert article.url == srv.url("/local/bridge-vote")  # canonical: tracking dropped
    assert article.title == "Council approves riverside pedestrian bridge"
    assert article.author == "Ana Lopez"
    assert article.site_name == "The Riverside Herald"
    assert article.language == "en"
    assert article.published == datetime(2024, 5, 20, 6, 30, tzinfo=UTC)
    assert article.extraction_note is None
    assert article.text.startswith("Riverside's city council voted seven to two")
    assert '"This is a good day for everyone who walks or cycles' in article.text
    assert article.fingerprint == content_fingerprint(article.text)
    for noise in (
        "Read more",
        "cookies",
        "Comments (12)",
        "Share this article",
        "All rights reserved",
    ):
        assert noise not in article.text


async def test_feed_date_preferred_over_page_date(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    srv = http_server({"/a": Response(BRIDGE, content_type=HTML)})
    article = await fetch_article(fetcher, srv.url("/a"), fallback=entry(srv.url("/a")))
    assert article.extraction_note is None
    assert article.published == datetime(2024, 5, 20, 6, 0, tzinfo=UTC)
    assert article.author == "Ana Lopez"  # the page's byline wins


@pytest.mark.parametrize(
    ("route", "note"),
    [
        (
            Response(status=403, body=b"bots not welcome"),
            "page answered HTTP 403; used the feed's content",
        ),
        (
            Response(PDF, content_type="application/pdf"),
            "page is not HTML (application/pdf); used the feed's content",
        ),
        (
            Response(b"<html><body><nav>Home</nav></body></html>", content_type=HTML),
            "no article text could be extracted from the page; used the feed's content",
        ),
    ],
)
async def test_fallback_to_feed_content(
    http_server: ServerFactory, fetcher: Fetcher, route: Response, note: str
) -> None:
    srv = http_server({"/a": route})
    fallback = entry(srv.url("/a"))
    article = await fetch_article(fetcher, srv.url("/a"), fallback=fallback)
    assert article.extraction_note == note
    assert article.text == 'The council voted for the bridge.\n\n"A good day," said the mayor.'
    assert article.title == fallback.title
    assert article.published == fallback.published
    assert article.fingerprint == content_fingerprint(article.text)


async def test_fallback_on_timeout(http_server: ServerFactory) -> None:
    srv = http_server({"/slow": Response(BRIDGE, content_type=HTML, delay=0.6)})
    async with Fetcher(make_settings(fetch_timeout_s=0.2)) as f:
        article = await fetch_article(f, srv.url("/slow"), fallback=entry(srv.url("/slow")))
        assert article.extraction_note == "page timed out; used the feed's content"
        with pytest.raises(FetchTimeoutError):
            await fetch_article(f, srv.url("/slow"))


async def test_fallback_uses_summary_when_no_content(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    srv = http_server({})
    article = await fetch_article(
        fetcher, srv.url("/gone"), fallback=entry(srv.url("/gone"), content_html=None)
    )
    assert article.text == "Councillors voted 7-2 for the crossing."
    assert article.extraction_note == "page answered HTTP 404; used the feed's content"


async def test_paywall_teaser_loses_to_longer_feed_content(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    teaser = (
        "<html><head><title>Big story</title></head><body><article><h1>Big story</h1>"
        "<p>The first two sentences of a long investigation are visible to everyone who visits. "
        "The rest is reserved for subscribers who pay for the newspaper.</p>"
        "<p>Subscribe now to keep reading this story.</p></article></body></html>"
    )
    long_content = "".join(
        f"<p>Paragraph {i} of the full story, with many details.</p>" for i in range(40)
    )
    srv = http_server({"/story": Response(teaser, content_type=HTML)})
    article = await fetch_article(
        fetcher, srv.url("/story"), fallback=entry(srv.url("/story"), content_html=long_content)
    )
    assert article.extraction_note is not None and "paywall" in article.extraction_note
    assert "Paragraph 39" in article.text


async def test_errors_without_fallback(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server(
        {
            "/pdf": Response(PDF, content_type="application/pdf"),
            "/pdf-untyped": Response(PDF, content_type=None),
            "/img": Response(b"\x89PNG\r\n", content_type="image/png"),
            "/empty": Response(b"<html><body><p>Hi</p></body></html>", content_type=HTML),
        }
    )
    with pytest.raises(UnsupportedContentError, match="the page is a PDF document") as info:
        await fetch_article(fetcher, srv.url("/pdf"))
    assert info.value.content_type == "application/pdf"
    with pytest.raises(UnsupportedContentError, match="PDF"):
        await fetch_article(fetcher, srv.url("/pdf-untyped"))
    with pytest.raises(UnsupportedContentError, match="image/png, not HTML"):
        await fetch_article(fetcher, srv.url("/img"))
    with pytest.raises(ExtractionError, match="no article text could be extracted from http"):
        await fetch_article(fetcher, srv.url("/empty"))
    with pytest.raises(HTTPStatusError):
        await fetch_article(fetcher, srv.url("/missing"))
    # an entry with nothing in it is no fallback at all
    with pytest.raises(HTTPStatusError):
        await fetch_article(
            fetcher, srv.url("/missing"), fallback=entry("x", content_html=None, summary="")
        )
