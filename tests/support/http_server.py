"""A small, real HTTP/1.1 server on 127.0.0.1 for tests and benchmarks.

Routes map a path (``"/feed.xml"``, or a path with its query string) to a
:class:`Response`; they can be changed while the server runs. The server
honours ``If-None-Match`` / ``If-Modified-Since`` (-> 304) when the route has
an ETag / Last-Modified, can gzip, delay, stream chunked bodies and redirect,
and records every request it receives.

It is a ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive: usable from sync
and async tests alike (it runs on its own threads) and fast enough for
benchmarks (one pooled client fetches ~1000 small feeds from it in well under
two seconds on two cores; see ``bench/``).

Use it as a context manager::

    with LoopbackServer({"/feed.xml": Response(body=rss, content_type="application/rss+xml")}) as srv:
        fetch(srv.url("/feed.xml"))

or through the ``http_server`` pytest fixture (import it into a conftest:
``from tests.support.http_server import http_server``), which is a factory:
``server = http_server({...})``; servers stop when the test ends.
"""

from __future__ import annotations

import gzip as gzip_module
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

logger = logging.getLogger(__name__)


@dataclass
class Response:
    """What the server answers on one route.

    ``chunked=True`` sends the body with ``Transfer-Encoding: chunked`` and no
    Content-Length (in ``chunk_size`` pieces, ``chunk_delay`` seconds apart).
    ``declared_length`` overrides Content-Length (to lie about the size).
    """

    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    chunked: bool = False
    chunk_size: int = 16 * 1024
    chunk_delay: float = 0.0
    declared_length: int | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status=status, body=b"", content_type=None, headers={"Location": location})

    @property
    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # lower-case names


def _not_modified(route: Response, headers: Mapping[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if route.etag and inm is not None:
        return route.etag in [tag.strip() for tag in inm.split(",")] or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    if route.last_modified and ims:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection serves many requests
    disable_nagle_algorithm = True  # else headers and body writes meet delayed ACKs (40 ms)
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, *, head: bool) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner._record(RecordedRequest(self.command, self.path, headers))
        owner._enter()
        try:
            self._respond(owner.lookup(self.path), headers, head=head)
        finally:
            owner._leave()

    def _respond(self, route: Response | None, headers: Mapping[str, str], *, head: bool) -> None:
        if route is None:
            route = Response(status=404, body=b"not found")
        if route.delay:
            time.sleep(route.delay)
        if route.status < 300 and _not_modified(route, headers):
            self.send_response(304)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = route.body_bytes
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.gzip and "gzip" in headers.get("accept-encoding", ""):
            body = gzip_module.compress(body)
            self.send_header("Content-Encoding", "gzip")
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if head:
                return
            self._send_chunked(body, route)
            return
        length = route.declared_length if route.declared_length is not None else len(body)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    def _send_chunked(self, body: bytes, route: Response) -> None:
        try:
            for start in range(0, len(body), route.chunk_size):
                piece = body[start : start + route.chunk_size]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.wfile.flush()
                if route.chunk_delay:
                    time.sleep(route.chunk_delay)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-response (a fetcher hitting its size cap or
        timeout does) is normal here: note it quietly instead of printing a traceback."""
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class LoopbackServer:
    """A threaded HTTP/1.1 server bound to ``host`` (127.0.0.1) on a free port."""

    def __init__(
        self, routes: Mapping[str, Response] | None = None, *, host: str = "127.0.0.1"
    ) -> None:
        self.routes: dict[str, Response] = dict(routes or {})
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0  # most requests handled at the same time
        self._lock = threading.Lock()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def set(self, path: str, response: Response) -> None:
        with self._lock:
            self.routes[path] = response

    def lookup(self, raw_path: str) -> Response | None:
        with self._lock:
            route = self.routes.get(raw_path)
            if route is None:
                route = self.routes.get(raw_path.split("?", 1)[0])
            return route

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"loopback-http-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def http_server() -> Iterator[Callable[..., LoopbackServer]]:
    """Factory fixture: ``http_server(routes) -> LoopbackServer`` (started; stopped after the test)."""
    servers: list[LoopbackServer] = []

    def start(routes: Mapping[str, Response] | None = None, **kwargs: Any) -> LoopbackServer:
        server = LoopbackServer(routes, **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
