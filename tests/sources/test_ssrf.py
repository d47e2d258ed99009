"""The SSRF guard: literal IPs, names resolving inward, redirects, the opt-in."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

import pytest

from bot.errors import FetchError, UnsafeURLError
from bot.sources.http import Fetcher
from bot.sources.safety import AddressGuard, address_kind
from tests.sources.conftest import make_settings
from tests.support.http_server import LoopbackServer, Response

ServerFactory = Callable[..., LoopbackServer]
LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a private or loopback"),
        ("127.8.9.10", "a private or loopback"),
        ("10.1.2.3", "a private or loopback"),
        ("172.16.0.1", "a private or loopback"),
        ("192.168.1.1", "a private or loopback"),
        ("169.254.169.254", "a private or loopback"),  # cloud metadata (Python files it as private)
        ("100.64.0.1", "a shared (CGNAT 100.64.0.0/10)"),
        ("0.0.0.0", "an unspecified"),
        ("224.0.0.251", "a multicast"),
        ("240.0.0.1", "a private or loopback"),
        ("::1", "a private or loopback"),
        ("::", "an unspecified"),
        ("fe80::1", "a private or loopback"),
        ("fc00::1", "a private or loopback"),
        ("ff02::1", "a multicast"),
        ("::ffff:127.0.0.1", "a private or loopback"),
        ("::ffff:10.0.0.1", "a private or loopback"),
        ("64:ff9b::a9fe:a9fe", "a private or loopback"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "a private or loopback"),  # 6to4 of 127.0.0.1
        ("fec0::1", "a site-local (fec0::/10)"),  # deprecated site-local, still routed in places
        ("feff:ffff::1", "a site-local (fec0::/10)"),
    ],
)
def test_non_public_addresses(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1/x", "127.0.0.1"),
        ("http://10.0.0.5:8080/feed", "10.0.0.5"),
        ("http://[::1]/x", "::1"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://100.100.100.100/", "100.100.100.100"),
    ],
)
async def test_literal_ips_refused(url: str, shown: str) -> None:
    async with Fetcher(make_settings(fetch_allow_private_networks=False)) as f:
        with pytest.raises(UnsafeURLError) as info:
            await f.fetch(url)
    assert f"({shown})" in str(info.value)
    assert str(info.value).endswith(url)


async def test_localhost_name_refused_and_server_never_reached(http_server: ServerFactory) -> None:
    srv = http_server({"/x": Response("secret")})
    url = f"http://localhost:{srv.port}/x"
    async with Fetcher(make_settings(fetch_allow_private_networks=False)) as f:
        with pytest.raises(UnsafeURLError) as info:
            await f.fetch(url)
    # one clear line; localhost may resolve to 127.0.0.1 or ::1 first
    assert re.fullmatch(
        rf"refusing to fetch a private or loopback address \((127\.0\.0\.1|::1)\): {re.escape(url)}",
        str(info.value),
    )
    assert srv.requests == []


async def test_public_name_resolving_inward_is_refused(http_server: ServerFactory) -> None:
    """DNS rebinding: the check is on the resolved address, at connect time."""
    srv = http_server({"/feed": Response("internal")})

    async def rebinding_resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "127.0.0.1"] if host == "news.example.com" else []

    guard = AddressGuard(resolver=rebinding_resolver)
    async with Fetcher(make_settings(fetch_allow_private_networks=False), guard=guard) as f:
        with pytest.raises(UnsafeURLError, match=r"\(127\.0\.0\.1\)"):
            await f.fetch(f"http://news.example.com:{srv.port}/feed")
    assert srv.requests == []


async def test_redirect_to_private_address_refused(http_server: ServerFactory) -> None:
    """A allowed server redirects to an internal one: the hop is re-checked."""
    srv = http_server(
        {
            "/ok": Response("public content"),
            "/to-metadata": Response.redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-internal-name": Response.redirect("http://intranet.corp/admin"),
        }
    )

    async def resolver(host: str, port: int) -> list[str]:
        return {"intranet.corp": ["10.20.30.40"]}.get(host, [])

    # 127.0.0.1 plays the "public" server here; everything else non-public stays refused.
    guard = AddressGuard(allowed_networks=LOOPBACK_ONLY, resolver=resolver)
    async with Fetcher(make_settings(fetch_allow_private_networks=False), guard=guard) as f:
        assert (await f.fetch(srv.url("/ok"))).content == b"public content"
        with pytest.raises(UnsafeURLError) as info:
            await f.fetch(srv.url("/to-metadata"))
        assert "(169.254.169.254)" in str(info.value)
        assert f"redirected from {srv.url('/to-metadata')}" in str(info.value)
        with pytest.raises(UnsafeURLError, match=r"\(10\.20\.30\.40\)"):
            await f.fetch(srv.url("/to-internal-name"))


async def test_redirect_to_ipv6_loopback_refused(http_server: ServerFactory) -> None:
    srv = http_server({"/r": Response.redirect("http://[::1]:8080/admin")})
    guard = AddressGuard(allowed_networks=LOOPBACK_ONLY)
    async with Fetcher(make_settings(fetch_allow_private_networks=False), guard=guard) as f:
        with pytest.raises(UnsafeURLError, match=r"\(::1\)"):
            await f.fetch(srv.url("/r"))


async def test_opt_in_allows_private_networks(http_server: ServerFactory) -> None:
    srv = http_server({"/x": Response("intranet feed")})
    async with Fetcher(make_settings(fetch_allow_private_networks=True)) as f:
        assert f.guard is None
        assert (await f.fetch(f"http://localhost:{srv.port}/x")).content == b"intranet feed"
        assert (await f.fetch(srv.url("/x"))).content == b"intranet feed"


async def test_unresolvable_name_is_clear_fetch_error() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return []

    guard = AddressGuard(resolver=resolver)
    async with Fetcher(make_settings(fetch_allow_private_networks=False), guard=guard) as f:
        with pytest.raises(
            FetchError, match=r"could not resolve host name 'nowhere\.invalid'"
        ) as info:
            await f.fetch("http://nowhere.invalid/feed")
    assert type(info.value) is FetchError
