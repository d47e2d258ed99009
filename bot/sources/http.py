"""HTTP fetching for feeds and article pages.

One :class:`Fetcher` per process owns one ``httpx.AsyncClient`` (connection
pooling, keep-alive) built from :class:`~bot.settings.Settings`::

    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url, etag=feed.etag, last_modified=feed.last_modified)
        if result.not_modified: ...

What it guarantees, so callers need not care:

* only ``http``/``https`` URLs, and (unless ``fetch_allow_private_networks``)
  only public addresses, checked on every connection including redirect hops
  (see :mod:`bot.sources.safety`);
* redirects are followed by hand, at most ``fetch_max_redirects`` hops, each
  hop re-checked;
* bodies are read raw and decoded here in bounded pieces
  (:mod:`bot.sources.decode`): decoding stops as soon as ``fetch_max_bytes``
  of *decoded* content is passed, inside every ``Content-Encoding`` layer, so a
  brotli or ``gzip, gzip`` bomb costs at most the cap in memory and CPU;
  encodings we cannot decode are refused, not passed on as garbage;
* each connect/read within ``fetch_timeout_s``, each hop within twice that,
  and the whole fetch, redirects included, within ``fetch_deadline_s`` (a
  server dripping one byte per second cannot hold a slot for long);
* URLs with credentials (``user:pass@host``) are refused before anything is
  sent, and the error line shows the URL without them;
* at most ``fetch_concurrency`` fetches at once, and at most
  ``fetch_per_host_concurrency`` to one host, so one slow site cannot starve
  the others nor be hammered;
* every failure is a :class:`~bot.errors.FetchError` subclass with one clear line.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin

import anyio._backends._asyncio
import anyio.streams.tls  # noqa: F401
import certifi
import httpcore
import httpx

from bot.errors import (
    BadResponseError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    TooLargeError,
    TooManyRedirectsError,
    UnsafeURLError,
)
from bot.settings import Settings
from bot.sources.decode import (
    ACCEPT_ENCODING,
    BoundedDecoder,
    DecodedTooLarge,
    DecodeError,
    UnsupportedEncoding,
)
from bot.sources.safety import (
    AddressGuard,
    BlockedAddressError,
    GuardedNetworkBackend,
    ResolutionError,
)
from bot.sources.urls import has_userinfo, redact_userinfo

logger = logging.getLogger(__name__)
# httpcore imports anyio's asyncio backend on the first connection; on the event
# loop that import held it for about 0.2 s in the middle of the first fetch, so
# it is imported above, with this module, at start-up.

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Response headers kept on :class:`FetchResult` (lower-case names).
KEPT_HEADERS = (
    "cache-control",
    "expires",
    "retry-after",
    "age",
    "date",
    "content-type",
    "content-language",
    "content-location",
    "x-robots-tag",
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched resource.

    ``url`` is the final URL after redirects. ``content_type`` is the bare
    media type, lower-cased (``"text/html"``), ``encoding`` the charset the
    server declared (or None). A 304 answer to a conditional request has
    ``not_modified=True`` and empty ``content``; its ``etag`` and
    ``last_modified`` are the server's new ones, else the ones sent.
    ``headers`` holds only the response headers in :data:`KEPT_HEADERS`.
    """

    url: str
    status: int
    content: bytes
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    requested_url: str | None = None

    @property
    def text(self) -> str:
        """The body decoded with the declared charset, else UTF-8 (bad bytes replaced)."""
        encoding = self.encoding or "utf-8"
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError:  # unknown charset name
            return self.content.decode("utf-8", errors="replace")

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _split_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'").lower()
    return media.strip().lower() or None, charset


def _human_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} kB"


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with our network backend under its connection pool.

    httpx does not expose ``network_backend``, so the pool is rebuilt with the
    same options plus :class:`GuardedNetworkBackend`.
    """

    def __init__(self, *, guard: AddressGuard, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(guard),
        )


class _HostLimiter:
    """One semaphore per host, dropped again when nobody uses it."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        sem, users = self._slots.get(host, (asyncio.Semaphore(self.per_host), 0))
        self._slots[host] = (sem, users + 1)
        try:
            async with sem:
                yield
        finally:
            sem, users = self._slots[host]
            if users <= 1:
                del self._slots[host]
            else:
                self._slots[host] = (sem, users - 1)


class Fetcher:
    """The process's HTTP client; use as ``async with Fetcher(settings) as f``.

    ``guard`` replaces the default SSRF guard (tests inject a resolver or an
    allow-list); ``transport`` replaces the whole transport (e.g.
    ``httpx.MockTransport``), which also bypasses the connection-level guard.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        guard: AddressGuard | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.max_bytes = settings.fetch_max_bytes
        self.max_redirects = settings.fetch_max_redirects
        self.guard: AddressGuard | None = (
            None
            if settings.fetch_allow_private_networks and guard is None
            else guard or AddressGuard()
        )
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(settings.fetch_concurrency)
        self._hosts = _HostLimiter(settings.fetch_per_host_concurrency)
        self._hop_deadline = settings.fetch_timeout_s * 2

    def _build_client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self.settings.fetch_concurrency,
            max_keepalive_connections=self.settings.fetch_concurrency,
            keepalive_expiry=30.0,
        )
        transport = self._transport
        if transport is None:
            if self.guard is None:
                transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
            else:
                transport = _GuardedTransport(guard=self.guard, limits=limits)
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self.settings.fetch_timeout_s),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": self.settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )

    async def __aenter__(self) -> Fetcher:
        self._client = self._build_client()
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    def _check_url(self, url: str, *, redirected_from: str | None = None) -> httpx.URL:
        hint = f" (redirected from {redirected_from})" if redirected_from else ""
        if has_userinfo(url):
            raise UnsafeURLError(
                redact_userinfo(url),
                "refusing a URL with a user name or password in it (credentials are never "
                f"sent); give the address without the 'user:password@' part{hint}",
            )
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise FetchError(url, f"invalid URL ({_short(exc)}){hint}") from None
        if parsed.scheme not in ("http", "https"):
            why = f"refusing to fetch a {parsed.scheme or 'scheme-less'} URL (only http and https are allowed)"
            raise UnsafeURLError(url, why + hint)
        if not parsed.host:
            raise FetchError(url, f"invalid URL (no host){hint}")
        return parsed

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        deadline_s: float | None = None,
    ) -> FetchResult:
        """GET ``url``, following redirects; see the module docstring for the rules.

        ``deadline_s`` shortens the total deadline (``fetch_deadline_s``) for
        this call, e.g. to what is left of a discovery's own deadline.
        Raises :class:`UnsafeURLError`, :class:`HTTPStatusError` (with
        ``retry_after``), :class:`FetchTimeoutError`, :class:`TooLargeError`,
        :class:`TooManyRedirectsError` or :class:`FetchError`.
        """
        if self._client is None:
            raise RuntimeError("Fetcher is not open: use `async with Fetcher(settings) as f`")
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        url = url.strip()
        self._check_url(url)  # refuse before queueing for a slot
        deadline = self.settings.fetch_deadline_s
        if deadline_s is not None:
            deadline = max(0.0, min(deadline, deadline_s))
        async with self._global:
            try:
                async with asyncio.timeout(deadline):
                    return await self._follow(url, headers, etag, last_modified)
            except TimeoutError:
                raise FetchTimeoutError(
                    url, f"no complete answer within {deadline:g}s (redirects included)"
                ) from None

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        current = url
        previous: str | None = None
        for _hop in range(self.max_redirects + 1):
            target = self._check_url(current, redirected_from=previous)
            outcome = await self._fetch_hop(target, current, headers, previous)
            if isinstance(outcome, FetchResult):
                if outcome.not_modified:
                    outcome = replace(
                        outcome,
                        etag=outcome.etag or etag,
                        last_modified=outcome.last_modified or last_modified,
                    )
                return replace(outcome, requested_url=url)
            previous, current = current, outcome
        raise TooManyRedirectsError(
            url, f"more than {self.max_redirects} redirects (last to {redact_userinfo(current)})"
        )

    async def _fetch_hop(
        self, target: httpx.URL, url: str, headers: dict[str, str], previous: str | None
    ) -> FetchResult | str:
        """One request: a result, or the next URL when the answer is a redirect."""
        client = self._client
        assert client is not None
        hint = f" (redirected from {previous})" if previous else ""
        try:
            async with self._hosts.slot(target.host), asyncio.timeout(self._hop_deadline):
                request = client.build_request("GET", target, headers=headers)
                response = await client.send(request, stream=True)
                try:
                    return await self._handle_response(response, url)
                finally:
                    await response.aclose()
        except BlockedAddressError as exc:
            raise UnsafeURLError(url, f"{exc}{hint}") from None
        except ResolutionError as exc:
            raise FetchError(url, f"{exc}{hint}") from None
        except (httpx.TimeoutException, TimeoutError):
            raise FetchTimeoutError(
                url, f"timed out after {self.settings.fetch_timeout_s:g}s{hint}"
            ) from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"could not connect ({_short(exc)}){hint}") from None
        except UnsupportedEncoding as exc:
            raise BadResponseError(
                url,
                f"the server sent the body as Content-Encoding {exc.name!r}, which newsbot "
                f"cannot decode (it asks for {ACCEPT_ENCODING}){hint}",
            ) from None
        except (httpx.DecodingError, DecodeError) as exc:
            raise BadResponseError(url, f"could not decode the response body ({_short(exc)})") from None
        except httpx.InvalidURL as exc:  # e.g. a redirect whose Location is malformed
            raise BadResponseError(
                url, f"the server's answer holds a malformed URL ({_short(exc)}){hint}"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__} ({_short(exc)}){hint}") from None

    async def _handle_response(self, response: httpx.Response, url: str) -> FetchResult | str:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                raise BadResponseError(url, f"HTTP {status} redirect without a Location header")
            try:
                return urljoin(url, location.strip())
            except ValueError:
                raise BadResponseError(
                    url, f"HTTP {status} redirect to a malformed Location ({location[:200]!r})"
                ) from None
        kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if status == 304:
            return FetchResult(
                url=url,
                status=304,
                content=b"",
                etag=etag,
                last_modified=last_modified,
                not_modified=True,
                headers=kept,
            )
        if status >= 400:
            raise HTTPStatusError(
                url, status, retry_after=parse_retry_after(response.headers.get("retry-after"))
            )
        content = await self._read_capped(response, url)
        media, charset = _split_content_type(response.headers.get("content-type"))
        return FetchResult(
            url=url,
            status=status,
            content=content,
            content_type=media,
            encoding=charset,
            etag=etag,
            last_modified=last_modified,
            headers=kept,
        )

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        cap = self.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap:
            raise TooLargeError(
                url,
                f"the response is {_human_bytes(int(declared))}, over the "
                f"{_human_bytes(cap)} size cap",
            )
        decoder = BoundedDecoder(response.headers.get("content-encoding"), cap)
        chunks: list[bytes] = []
        pieces = 0
        try:
            async for raw in response.aiter_raw():
                for piece in decoder.feed(raw):
                    chunks.append(piece)
                    pieces += 1
                    if pieces % _PIECES_PER_YIELD == 0:
                        await asyncio.sleep(0)  # let other tasks run during a long decode
        except DecodedTooLarge:
            chunks.clear()
            layers = ", ".join(decoder.encodings)
            how = f" once decoded ({layers})" if layers else ""
            raise TooLargeError(
                url, f"the response is larger than the {_human_bytes(cap)} size cap{how}"
            ) from None
        return b"".join(chunks)


#: Decoded pieces (64 kB each) between two yields to the event loop.
_PIECES_PER_YIELD = 8


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text and text[0] else type(exc).__name__
