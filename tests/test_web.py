"""newsbot's one HTTP server: it starts, serves /healthz and the adapters' routes, stops."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.errors import ConfigError
from bot.health import Readiness
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


async def _get(port: int, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        return await client.get(path)


async def test_readyz_is_503_naming_an_unreachable_database(tmp_path: Path) -> None:
    from bot.store import Store

    # a SQLite file in a folder that does not exist: every connection fails
    store = Store(f"sqlite:///{tmp_path / 'missing-folder' / 'newsbot.db'}")
    readiness = Readiness(timeout_s=5)
    readiness.add("database", store.stats.ping)
    readiness.add("scheduler", lambda: None)
    port = free_port()
    server = WebServer([], "127.0.0.1", port, readiness=readiness)
    await server.start()
    try:
        answer = await _get(port, "/readyz")
        assert answer.status_code == 503
        body = answer.json()
        assert body["ready"] is False
        assert list(body["not_ready"]) == ["database"]
        assert "unable to open database file" in body["not_ready"]["database"]
        assert "Traceback" not in answer.text
        assert body["checks"]["scheduler"] == "ok"
        assert (await _get(port, "/healthz")).text == "ok"  # alive, just not ready
    finally:
        await server.stop()
        await store.close()


async def test_readyz_is_200_when_every_check_passes(tmp_path: Path) -> None:
    from bot.store import Store

    store = await Store.open(f"sqlite:///{tmp_path / 'newsbot.db'}")
    readiness = Readiness()
    readiness.add("database", store.stats.ping)
    started = readiness.flag("platform:telegram", "not connected yet")
    port = free_port()
    server = WebServer([], "127.0.0.1", port, readiness=readiness)
    await server.start()
    try:
        waiting = await _get(port, "/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["not_ready"] == {"platform:telegram": "not connected yet"}
        started(None)
        ready = await _get(port, "/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"ready": True, "not_ready": {},
                                "checks": {"database": "ok", "platform:telegram": "ok"}}
    finally:
        await server.stop()
        await store.close()


async def test_a_hung_check_is_not_ready_within_its_timeout() -> None:
    async def hangs() -> None:
        await asyncio.sleep(30)

    readiness = Readiness(timeout_s=0.2)
    readiness.add("database", hangs)
    report = await readiness.check()
    assert report.not_ready == {"database": "no answer within 0.2s"}


async def test_run_serves_health_and_metrics_in_polling_mode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`newsbot run` with no webhook and NEWSBOT_HTTP_PORT set: the server runs, on loopback."""
    from bot.app import run
    from bot.settings import Settings

    monkeypatch.delenv("PORT", raising=False)
    port = free_port()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'run.db'}", http_port=port)
    assert settings.effective_http_host == "127.0.0.1"
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, stop))
    try:
        for _ in range(200):
            try:
                ready = await _get(port, "/readyz")
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
                continue
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.05)
        assert ready.status_code == 200, ready.text
        assert set(ready.json()["checks"]) == {"newsbot", "database", "platform:console",
                                               "scheduler"}
        metrics = await _get(port, "/metrics")
        assert "newsbot_feed_polls_total" in metrics.text
        assert 'newsbot_outbox_messages' in metrics.text or "# TYPE newsbot_outbox_messages" in metrics.text
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    with pytest.raises(httpx.ConnectError):
        await _get(port, "/healthz")


def test_http_host_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings

    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("NEWSBOT_HTTP_HOST", raising=False)
    assert Settings().effective_http_host == "127.0.0.1"
    monkeypatch.setenv("PORT", "5000")  # a PaaS web process: its router connects from outside
    assert Settings().effective_http_host == "0.0.0.0"
    monkeypatch.setenv("NEWSBOT_HTTP_HOST", "::1")
    assert Settings().effective_http_host == "::1"


async def test_readyz_names_a_postgresql_server_that_is_down() -> None:
    from bot.store import Store

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = Store(f"postgresql://postgres@127.0.0.1:{port}/newsbot")
    readiness = Readiness(timeout_s=5)
    readiness.add("database", store.stats.ping)
    try:
        report = await readiness.check()
    finally:
        await store.close()
    assert not report.ready
    reason = report.not_ready["database"]
    assert "OperationalError" in reason and "\n" not in reason
