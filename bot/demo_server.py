"""A loopback web server for ``newsbot demo``: two fictional news sites, offline.

It serves the files bundled in ``bot/demo_data`` (found through
``importlib.resources``, so it works from a wheel as well as from a checkout)
on ``127.0.0.1`` at a free port, from a background thread, so the demo can run
the real pipeline against it: real HTTP fetches, feed discovery from the home
pages, feed parsing, article extraction, conditional GET.

Text files may contain the placeholder ``{base}``; it is replaced with
``http://127.0.0.1:PORT`` when served, so feeds carry absolute item links.
Every 200 answer has a strong ETag (a hash of the served bytes) and an
``If-None-Match`` that matches gets ``304 Not Modified``. Unknown paths get 404
(the Northfield feed links to one missing article on purpose, so the demo shows
the fallback to the feed's own text).

Usage (sync)::

    with DemoServer() as demo:
        print(demo.site_urls, demo.feed_urls)

or, from async code, ``demo = DemoServer().start()`` ... ``demo.stop()``
(both return immediately; the server runs on its own threads, so it never
blocks the event loop).
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

__all__ = ["CONTENT_TYPES", "SITES", "DemoServer"]

#: (home page path, feed path) of each bundled site, in display order.
SITES: tuple[tuple[str, str], ...] = (
    ("/gazette/", "/gazette/rss.xml"),
    ("/northfield/", "/northfield/feed.xml"),
)

#: Content-Type by file suffix; unknown suffixes are served as octet streams.
CONTENT_TYPES: dict[str, str] = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}
_TEXT_SUFFIXES = frozenset({".xml", ".html", ".css", ".txt", ".svg"})
_PLACEHOLDER = "{base}"


@dataclass(frozen=True, slots=True)
class _Page:
    body: bytes
    content_type: str
    etag: str


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _load_pages(root: Traversable, base_url: str) -> dict[str, _Page]:
    """Read every bundled file once, substituting ``{base}`` in text files.

    Files are small (a few kB each); serving from memory keeps the handler
    trivial and makes ETags stable for the life of the server.
    """
    pages: dict[str, _Page] = {}
    stack: list[tuple[str, Traversable]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        for entry in folder.iterdir():
            if entry.name.startswith((".", "__")):
                continue
            path = f"{prefix}/{entry.name}"
            if entry.is_dir():
                stack.append((path, entry))
                continue
            suffix = _suffix(entry.name)
            body = entry.read_bytes()
            if suffix in _TEXT_SUFFIXES:
                body = body.decode("utf-8").replace(_PLACEHOLDER, base_url).encode("utf-8")
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            pages[path] = _Page(body, CONTENT_TYPES.get(suffix, "application/octet-stream"), etag)
    # A directory URL serves its index.html, as static web servers do.
    for path in [p for p in pages if p.endswith("/index.html")]:
        pages[path[: -len("index.html")]] = pages[path]
    return pages


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return etag in tags or f"W/{etag}" in tags


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsbot-demo"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the demo prints a digest, not an access log."""
        logger.debug("demo server: " + format, *args)

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, *, head: bool) -> None:
        path = posixpath.normpath(unquote(urlsplit(self.path).path))
        if self.path.split("?", 1)[0].endswith("/") and path != "/":
            path += "/"
        page = self.server.pages.get(path)
        if page is None:
            self._send(
                404,
                b"404 Not Found: this page is not part of the newsbot demo\n",
                "text/plain; charset=utf-8",
                etag=None,
                head=head,
            )
            return
        inm = self.headers.get("If-None-Match")
        if inm is not None and _etag_matches(inm, page.etag):
            self._send(304, b"", None, etag=page.etag, head=True)
            return
        self._send(200, page.body, page.content_type, etag=page.etag, head=head)

    def _send(
        self, status: int, body: bytes, content_type: str | None, *, etag: str | None, head: bool
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Length", "0" if status == 304 else str(len(body)))
        self.end_headers()
        if not head and status != 304:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, _Page]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-response (a fetcher hitting its size cap or
        timeout does) is normal here: note it quietly instead of printing a traceback."""
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class DemoServer:
    """Serves the bundled demo sites on ``127.0.0.1`` at an ephemeral port.

    The socket is bound in ``__init__`` (so ``base_url`` is known before
    ``start``); ``start`` launches the serving thread, ``stop`` shuts it down
    and closes the socket. Both are idempotent.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler, bind_and_activate=True)
        self.host = host
        self.port: int = self._server.server_address[1]
        self.base_url: str = f"http://{host}:{self.port}"
        self._server.pages = _load_pages(files("bot") / "demo_data", self.base_url)
        self.site_urls: list[str] = [self.base_url + home for home, _ in SITES]
        self.feed_urls: list[str] = [self.base_url + feed for _, feed in SITES]
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def paths(self) -> list[str]:
        """Every path the server answers 200 on (sorted)."""
        return sorted(self._server.pages)

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> DemoServer:
        if self._closed:
            raise RuntimeError("DemoServer was stopped; create a new one")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"newsbot-demo-{self.port}",
                daemon=True,
            )
            self._thread.start()
            logger.debug("demo sites served at %s", self.base_url)
        return self

    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> DemoServer:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()
