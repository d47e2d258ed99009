"""newsbot's one HTTP server: health, readiness, metrics, and the platforms'
inbound routes (Telegram's webhook, Slack's events) share it.

``newsbot run`` starts it when an adapter needs inbound HTTP (Telegram
webhook mode, Slack HTTP mode) or when ``NEWSBOT_HTTP_PORT`` is set, in any
mode. Port: ``NEWSBOT_HTTP_PORT``, else ``PORT``, else 8080. Address:
``NEWSBOT_HTTP_HOST``, else 127.0.0.1 (``0.0.0.0`` when ``PORT`` is set, as
PaaS routers connect from outside); see docs/operations.md.

- ``GET /healthz``: ``ok`` while the process serves requests (liveness);
- ``GET /readyz``: 200 when every readiness check passes, else 503; the JSON
  body names each check and why it is not ready (:mod:`bot.health`);
- ``GET /metrics``: Prometheus text format (:mod:`bot.metrics`); the
  database gauges are read at each scrape.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.errors import ConfigError
from bot.health import Readiness
from bot.metrics import CONTENT_TYPE_LATEST, Metrics

logger = logging.getLogger(__name__)

#: A scrape waits at most this long for the database gauges; after that the
#: counters are served with the gauges' previous values.
REFRESH_TIMEOUT_S = 5.0


async def _health(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def build_app(routes: list[Any], *, metrics: Metrics | None = None,
              readiness: Readiness | None = None) -> Starlette:
    """The Starlette app: health, readiness and metrics, then ``routes``."""

    async def ready(_request: Request) -> JSONResponse:
        if readiness is None:
            return JSONResponse({"ready": True, "checks": {}, "not_ready": {}})
        report = await readiness.check()
        return JSONResponse(report.as_json(), status_code=200 if report.ready else 503)

    async def scrape(_request: Request) -> Response:
        if metrics is None:
            return PlainTextResponse("metrics are not enabled in this process\n", status_code=404)
        try:
            async with asyncio.timeout(REFRESH_TIMEOUT_S):
                await metrics.refresh()
        except Exception as exc:  # the database is down: still serve the counters
            metrics.scrape_errors.inc()
            logger.warning("metrics: could not read the database gauges: %s",
                           str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return Starlette(routes=[
        Route("/healthz", _health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/metrics", scrape, methods=["GET"]),
        *routes,
    ])


class WebServer:
    def __init__(self, routes: list[Any], host: str, port: int, *,
                 metrics: Metrics | None = None, readiness: Readiness | None = None) -> None:
        # log_config=None: uvicorn's loggers propagate to ours (same format,
        # JSON included, same redaction) instead of getting their own handlers.
        config = uvicorn.Config(build_app(routes, metrics=metrics, readiness=readiness),
                                host=host, port=port, log_level="warning", log_config=None,
                                access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.host, self.port = host, port
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Bind here, not inside uvicorn: it reports a busy port with sys.exit()
        # from a task; an OSError becomes one clear line instead.
        try:
            sock = socket.create_server((self.host, self.port), reuse_port=False)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                "set NEWSBOT_HTTP_PORT to a free port"
            ) from None
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]))
        while not self.server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.05)
        logger.info("HTTP server listening on http://%s:%d (/healthz, /readyz, /metrics)",
                    self.host, self.port)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task:
            await self._task
