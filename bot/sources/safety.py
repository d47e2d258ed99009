"""The SSRF guard: newsbot fetches only public internet addresses.

A user can subscribe a chat to any URL, so without a guard the bot could be
asked to read ``http://169.254.169.254/`` (cloud metadata), an admin panel on
``localhost`` or anything on the operator's LAN. Checking the URL once is not
enough: a public name can resolve to ``127.0.0.1`` (or start doing so between
the check and the connection: DNS rebinding), and a public server can redirect
to an internal one.

So the check lives at the connection level. :class:`GuardedNetworkBackend` is an
httpcore network backend: every TCP connection httpx opens (the first request,
each redirect hop, each new pooled connection) goes through its
``connect_tcp``, which resolves the host itself, refuses the connection if any
resolved address is not public, and then connects to the validated IP, so
there is no second, unchecked resolution. TLS still verifies the certificate
against the host name (httpcore passes ``server_hostname`` separately).

``Settings.fetch_allow_private_networks=True`` turns the guard off (tests, the
demo, intranet feeds).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

import httpcore

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddressError(Exception):
    """A connection to a non-public address was refused (mapped to UnsafeURLError)."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"refusing to fetch {kind} address ({address})")
        self.host = host
        self.address = address
        self.kind = kind


class ResolutionError(Exception):
    """The host name did not resolve (mapped to FetchError)."""

    def __init__(self, host: str, detail: str) -> None:
        super().__init__(f"could not resolve host name {host!r} ({detail})")
        self.host = host


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address tunnelled in an IPv6 one (mapped, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched (an article + adjective), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return address_kind(inner)
    if ip.is_unspecified:
        return "an unspecified"
    if ip.is_loopback or ip.is_private:
        return "a private or loopback"
    if ip.is_link_local:
        return "a link-local"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        # fec0::/10, deprecated (RFC 3879) but still routed inside some networks
        return "a site-local (fec0::/10)"
    if ip.is_multicast:
        return "a multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a shared (CGNAT 100.64.0.0/10)"
    if ip.is_reserved:
        return "a reserved"
    if not ip.is_global:
        return "a non-public"
    return None


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver, in the event loop's thread pool."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionError(host, str(exc) or type(exc).__name__) from None
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses may be connected to.

    ``allowed_networks`` are exempt from the check (for instance a known
    intranet feed server, or ``127.0.0.1/32`` in a test that must prove a
    redirect *elsewhere* is still refused). ``resolver`` is injectable so tests
    can make a public-looking name resolve to an internal address.
    """

    allowed_networks: Sequence[IPNetwork] = ()
    resolver: Resolver = field(default=system_resolver)

    def check_address(self, host: str, address: str) -> None:
        """Raise :class:`BlockedAddressError` unless ``address`` may be fetched."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in net for net in self.allowed_networks if net.version == ip.version):
            return
        kind = address_kind(ip)
        if kind is not None:
            raise BlockedAddressError(host, str(ip), kind)

    async def resolve(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and return its addresses, all of them checked."""
        literal = _literal_ip(host)
        addresses = [literal] if literal is not None else await self.resolver(host, port)
        if not addresses:
            raise ResolutionError(host, "no addresses")
        for address in addresses:
            self.check_address(host, address)
        return addresses


def _literal_ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to addresses the guard allows."""

    def __init__(
        self, guard: AddressGuard, backend: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.guard = guard
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.guard.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                logger.debug("connect to %s (%s) failed: %s", host, address, exc)
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError(path, path, "a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)
