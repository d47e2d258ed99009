"""newsbot's one HTTP server: it starts, serves /healthz and the adapters' routes, stops."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.errors import ConfigError
from bot.web import WebServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_serves_health_and_routes_then_stops() -> None:
    async def hook(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"got {len(await request.body())} bytes")

    port = free_port()
    server = WebServer([Route("/telegram/webhook", hook, methods=["POST"])], "127.0.0.1", port)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).text == "ok"
            assert (await client.post("/telegram/webhook", content=b"{}")).text == "got 2 bytes"
            assert (await client.get("/telegram/webhook")).status_code == 405
    finally:
        await server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


async def test_port_in_use_is_an_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = WebServer([], "127.0.0.1", busy.getsockname()[1])
        with pytest.raises(ConfigError, match="NEWSBOT_HTTP_PORT"):
            await server.start()
