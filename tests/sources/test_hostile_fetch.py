"""Hostile servers against the Fetcher: bombs, drips, bad Locations, credentials."""

from __future__ import annotations

import time
from collections.abc import Callable

import brotli
import pytest

from bot.errors import FetchError, FetchTimeoutError, TooLargeError, UnsafeURLError
from bot.sources.http import Fetcher
from tests.fixtures.hostile import bomb
from tests.sources.conftest import make_settings
from tests.support.http_server import LoopbackServer, Response

ServerFactory = Callable[..., LoopbackServer]
MB = 1024 * 1024


@pytest.mark.parametrize("encoding", ["br", "gzip, gzip", "deflate", "gzip, br"])
async def test_bombs_are_refused_at_the_decoded_cap(
    http_server: ServerFactory, encoding: str
) -> None:
    body = bomb(encoding, 128 * MB)
    srv = http_server(
        {"/bomb": Response(body, content_type="text/html", headers={"Content-Encoding": encoding})}
    )
    async with Fetcher(make_settings(fetch_max_bytes=2 * MB)) as f:
        started = time.monotonic()
        with pytest.raises(TooLargeError) as info:
            await f.fetch(srv.url("/bomb"))
        elapsed = time.monotonic() - started
    assert "larger than the 2 MB size cap once decoded" in str(info.value)
    assert "\n" not in str(info.value)
    assert elapsed < 20


async def test_stacked_encodings_decode(http_server: ServerFactory, fetcher: Fetcher) -> None:
    text = "<p>" + "stacked " * 5000 + "</p>"
    import gzip

    body = brotli.compress(gzip.compress(text.encode()))
    srv = http_server({"/p": Response(body, headers={"Content-Encoding": "gzip, br"})})
    result = await fetcher.fetch(srv.url("/p"))
    assert result.text == text
    sent = srv.requests_to("/p")[0].headers
    assert sent["accept-encoding"] == "gzip, deflate, br"


@pytest.mark.parametrize("encoding", ["zstd", "gzip, compress"])
async def test_unknown_encoding_is_one_line(
    http_server: ServerFactory, fetcher: Fetcher, encoding: str
) -> None:
    srv = http_server({"/z": Response(b"\x28\xb5\x2f\xfd garbage", headers={"Content-Encoding": encoding})})
    with pytest.raises(FetchError) as info:
        await fetcher.fetch(srv.url("/z"))
    message = str(info.value)
    assert "cannot decode" in message and "\n" not in message


async def test_corrupt_gzip_is_one_line(http_server: ServerFactory, fetcher: Fetcher) -> None:
    srv = http_server({"/g": Response(b"not gzip at all", headers={"Content-Encoding": "gzip"})})
    with pytest.raises(FetchError, match="could not decode the response body"):
        await fetcher.fetch(srv.url("/g"))


async def test_total_deadline_covers_a_dripping_server(http_server: ServerFactory) -> None:
    """Each read is within the timeout, but the whole answer never completes in time."""
    srv = http_server(
        {"/drip": Response(b"x" * 400, chunked=True, chunk_size=1, chunk_delay=0.05)}
    )
    async with Fetcher(make_settings(fetch_timeout_s=1.0, fetch_deadline_s=1.5)) as f:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match=r"no complete answer within 1\.5s"):
            await f.fetch(srv.url("/drip"))
        assert time.monotonic() - started < 3.0


async def test_total_deadline_covers_redirect_hops(http_server: ServerFactory) -> None:
    routes = {f"/r{i}": Response.redirect(f"/r{i + 1}") for i in range(5)}
    routes = {k: Response(v.body, status=302, content_type=None, headers=v.headers, delay=0.4)
              for k, v in routes.items()}
    srv = http_server(routes)
    async with Fetcher(make_settings(fetch_timeout_s=1.0, fetch_deadline_s=1.0)) as f:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError):
            await f.fetch(srv.url("/r0"))
        assert time.monotonic() - started < 2.0


async def test_deadline_can_be_shortened_per_call(http_server: ServerFactory) -> None:
    srv = http_server({"/slow": Response("late", delay=1.0)})
    async with Fetcher(make_settings(fetch_timeout_s=5.0)) as f:
        with pytest.raises(FetchTimeoutError, match=r"within 0\.3s"):
            await f.fetch(srv.url("/slow"), deadline_s=0.3)


@pytest.mark.parametrize(
    "location",
    ["http:\\\\host\\", "http://[::1", "http://exa mple.com/", "http://host:99999/", "//\x00/"],
)
async def test_malformed_location_is_one_line(
    http_server: ServerFactory, fetcher: Fetcher, location: str
) -> None:
    from bot.commands.handlers import fetch_error_text
    from bot.errors import BadResponseError

    srv = http_server({"/r": Response.redirect(location)})
    with pytest.raises(FetchError) as info:
        await fetcher.fetch(srv.url("/r"))
    assert "\n" not in str(info.value)
    if location == "http:\\\\host\\":  # the case: the server's fault, not the network's
        assert isinstance(info.value, BadResponseError)
        said = fetch_error_text(info.value)
        assert "can't read" in said and "couldn't reach" not in said, said


@pytest.mark.parametrize(
    "url",
    ["http://user:secret@127.0.0.1:1/feed", "http://secret@127.0.0.1:1/", "http:\\\\user:secret@h/"],
)
async def test_credentials_in_url_are_refused_unsent(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(UnsafeURLError) as info:
        await fetcher.fetch(url)
    message = str(info.value)
    assert "secret" not in message and "user name or password" in message
    assert "secret" not in info.value.url


async def test_redirect_to_credentials_is_refused(
    http_server: ServerFactory, fetcher: Fetcher
) -> None:
    target = http_server({"/private": Response("token page")})
    srv = http_server(
        {"/r": Response.redirect(f"http://admin:hunter2@127.0.0.1:{target.port}/private")}
    )
    with pytest.raises(UnsafeURLError) as info:
        await fetcher.fetch(srv.url("/r"))
    assert "hunter2" not in str(info.value) and "redirected from" in str(info.value)
    assert target.requests == []
