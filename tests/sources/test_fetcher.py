"""Fetcher against a real loopback HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bot.errors import (
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    TooManyRedirectsError,
    UnsafeURLError,
)
from bot.sources.http import Fetcher, parse_retry_after
from tests.sources.conftest import make_settings
from tests.support.http_server import LoopbackServer, Response

ServerFactory = Callable[..., LoopbackServer]
LM = "Mon, 20 May 2024 08:00:00 GMT"


async def test_fetch_basic(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server(
        {
            "/feed.xml": Response(
                "<rss/>",
                content_type="application/rss+xml; charset=ISO-8859-1",
                headers={"Cache-Control": "max-age=300", "X-Other": "dropped"},
            )
        }
    )
    result = await fetcher.fetch(srv.url("/feed.xml"), accept="application/rss+xml")
    assert result.status == 200
    assert result.content == b"<rss/>"
    assert result.content_type == "application/rss+xml"
    assert result.encoding == "iso-8859-1"
    assert result.text == "<rss/>"
    assert result.headers["cache-control"] == "max-age=300"
    assert "x-other" not in result.headers
    assert not result.not_modified
    sent = srv.requests_to("/feed.xml")[0].headers
    assert sent["accept"] == "application/rss+xml"
    assert sent["user-agent"].startswith("newsbot/")


async def test_gzip_and_brotli_are_decoded(http_server: ServerFactory, fetcher: Fetcher) -> None:
    body = "<p>" + "news " * 2000 + "</p>"
    srv = http_server({"/page": Response(body, gzip=True, content_type="text/html")})
    result = await fetcher.fetch(srv.url("/page"))
    assert result.text == body
    sent = srv.requests_to("/page")[0].headers
    assert "gzip" in sent["accept-encoding"] and "br" in sent["accept-encoding"]


async def test_conditional_get_etag(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/f": Response("v1", etag='"abc"', last_modified=LM)})
    first = await fetcher.fetch(srv.url("/f"))
    assert first.etag == '"abc"' and first.last_modified == LM
    again = await fetcher.fetch(srv.url("/f"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.content == b""
    assert again.etag == '"abc"' and again.last_modified == LM
    sent = srv.requests_to("/f")[1].headers
    assert sent["if-none-match"] == '"abc"' and sent["if-modified-since"] == LM
    srv.set("/f", Response("v2", etag='"def"'))
    changed = await fetcher.fetch(srv.url("/f"), etag='"abc"')
    assert not changed.not_modified and changed.content == b"v2" and changed.etag == '"def"'


async def test_conditional_get_last_modified(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/f": Response("v1", last_modified=LM)})
    result = await fetcher.fetch(srv.url("/f"), last_modified=LM)
    assert result.not_modified and result.last_modified == LM


async def test_404_is_http_status_error(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({})
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(srv.url("/missing"))
    assert info.value.status == 404
    assert str(info.value) == f"the server answered HTTP 404: {srv.url('/missing')}"
    assert info.value.retry_after is None


async def test_429_keeps_retry_after(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/f": Response("slow down", status=429, headers={"Retry-After": "120"})})
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(srv.url("/f"))
    assert info.value.status == 429 and info.value.retry_after == 120.0


def test_parse_retry_after_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 5, 20, 8, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 20 May 2024 08:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


async def test_timeout(http_server: ServerFactory) -> None:
    srv = http_server({"/slow": Response("late", delay=1.0)})
    async with Fetcher(make_settings(fetch_timeout_s=0.2)) as f:
        with pytest.raises(FetchTimeoutError, match=r"timed out after 0\.2s"):
            await f.fetch(srv.url("/slow"))


async def test_too_large_by_content_length(http_server: ServerFactory) -> None:
    srv = http_server({"/big": Response(b"x" * 10, declared_length=5000)})
    async with Fetcher(make_settings(fetch_max_bytes=2048)) as f:
        with pytest.raises(TooLargeError, match="over the 2 kB size cap"):
            await f.fetch(srv.url("/big"))


async def test_too_large_while_streaming_chunked(http_server: ServerFactory) -> None:
    srv = http_server({"/big": Response(b"y" * 50_000, chunked=True, chunk_size=4096)})
    async with Fetcher(make_settings(fetch_max_bytes=10_000)) as f:
        with pytest.raises(TooLargeError, match="larger than the"):
            await f.fetch(srv.url("/big"))
        srv.set("/ok", Response(b"z" * 9_000, chunked=True, chunk_size=1000))
        assert len((await f.fetch(srv.url("/ok"))).content) == 9_000


async def test_gzip_bomb_is_capped_on_decoded_size(http_server: ServerFactory) -> None:
    srv = http_server({"/bomb": Response(b"\0" * 200_000, gzip=True)})  # ~200 bytes on the wire
    async with Fetcher(make_settings(fetch_max_bytes=50_000)) as f:
        with pytest.raises(TooLargeError):
            await f.fetch(srv.url("/bomb"))


async def test_redirects_followed(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server(
        {
            "/old": Response.redirect("/middle", 301),
            "/middle": Response.redirect("/new?x=1", 307),
            "/new": Response("here"),
        }
    )
    result = await fetcher.fetch(srv.url("/old"), etag='"e"')
    assert result.content == b"here"
    assert result.url == srv.url("/new?x=1")
    assert result.requested_url == srv.url("/old")
    # conditional headers travel with every hop
    assert srv.requests_to("/new")[0].headers["if-none-match"] == '"e"'


async def test_redirect_limit(http_server: ServerFactory) -> None:
    srv = http_server({f"/r{i}": Response.redirect(f"/r{i + 1}") for i in range(10)})
    async with Fetcher(make_settings(fetch_max_redirects=3)) as f:
        with pytest.raises(TooManyRedirectsError, match="more than 3 redirects"):
            await f.fetch(srv.url("/r0"))
    assert len(srv.requests) == 4


async def test_redirect_to_other_scheme_refused(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    srv = http_server({"/r": Response.redirect("file:///etc/passwd")})
    with pytest.raises(UnsafeURLError, match="refusing to fetch a file URL") as info:
        await fetcher.fetch(srv.url("/r"))
    assert "redirected from" in str(info.value)


async def test_redirect_without_location(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/r": Response(status=302, body=b"")})
    with pytest.raises(FetchError, match="without a Location"):
        await fetcher.fetch(srv.url("/r"))


async def test_connection_refused_is_fetch_error(fetcher: Fetcher) -> None:
    with LoopbackServer() as srv:
        url = srv.url("/gone")
    with pytest.raises(FetchError, match="could not connect") as info:
        await fetcher.fetch(url)
    assert type(info.value) is FetchError


@pytest.mark.parametrize("url", ["ftp://example.com/f", "javascript:alert(1)", "not a url"])
async def test_non_http_urls_refused(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError):
        await fetcher.fetch(url)


async def test_per_host_concurrency_limit(http_server: ServerFactory) -> None:
    srv = http_server({"/s": Response("ok", delay=0.05)})
    async with Fetcher(make_settings(fetch_per_host_concurrency=2)) as f:
        await asyncio.gather(*(f.fetch(srv.url(f"/s?i={i}")) for i in range(8)))
    assert len(srv.requests) == 8
    assert srv.max_in_flight <= 2


async def test_global_concurrency_limit(http_server: ServerFactory) -> None:
    srv = http_server({"/s": Response("ok", delay=0.05)})
    async with Fetcher(make_settings(fetch_concurrency=3, fetch_per_host_concurrency=10)) as f:
        await asyncio.gather(*(f.fetch(srv.url(f"/s?i={i}")) for i in range(9)))
    assert len(srv.requests) == 9
    assert srv.max_in_flight <= 3


async def test_fetch_requires_open_fetcher() -> None:
    f = Fetcher(make_settings())
    with pytest.raises(RuntimeError, match="async with"):
        await f.fetch("http://127.0.0.1/")
