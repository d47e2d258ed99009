"""newsbot's one HTTP server: Telegram's webhook and Slack's events share it.

Only started when an adapter needs inbound HTTP (Telegram webhook mode, Slack
HTTP mode). Port: ``NEWSBOT_HTTP_PORT``, else ``PORT``, else 8080.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.errors import ConfigError

logger = logging.getLogger(__name__)


async def _health(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def build_app(routes: list[Any]) -> Starlette:
    return Starlette(routes=[Route("/healthz", _health, methods=["GET"]), *routes])


class WebServer:
    def __init__(self, routes: list[Any], host: str, port: int) -> None:
        config = uvicorn.Config(build_app(routes), host=host, port=port, log_level="warning",
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
        logger.info("HTTP server listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task:
            await self._task
