"""A fake Slack on 127.0.0.1 and helpers that talk to newsbot the way Slack does.

``FakeSlack`` is an aiohttp server running in the test's own event loop. It
serves the Web API methods newsbot uses under ``/api/`` (auth.test,
chat.postMessage, chat.postEphemeral, chat.update, conversations.info,
conversations.join, users.info, apps.connections.open), ``response_url`` endpoints under
``/response/<name>``, and a Socket Mode WebSocket under ``/socket``. Every call
is recorded (:class:`Call`); faults can be injected for the next N calls of a
method or for every call to one channel.

Users: ``admins`` are workspace admins (``users.info``; ada, U0001, by default), and
``creators`` names a channel's creator (``conversations.info``).

Channel membership: ``members_of`` lists the channels the bot is in, ``private_channels``
the private ones with ``C`` ids (ids not starting with ``C`` or ``D`` are private too).
``conversations.info`` answers ``channel_not_found`` for a private channel the bot is not
in, as Slack does; ``conversations.join`` works for public, unarchived channels only.
``remove_bot(channel)`` takes the bot out of a channel so later posts there fail with
``not_in_channel``; ``add_bot`` (or a join) lets it back in. The event builders
(``member_left_channel``, ``member_joined_channel``, ``channel_left``, ``channel_archive``,
``channel_unarchive``) make the events Slack sends meanwhile.

The inbound half builds payloads as Slack sends them (form-encoded slash
commands, JSON ``event_callback`` envelopes, form-encoded ``payload=`` for
interactivity), signs them with the signing secret for real, and posts them to
an ASGI app (``SlackInbound``), e.g. a Starlette app built from
``SlackAdapter.routes()``. ``slack_rig()`` wires all of it around a command
layer so an end-to-end test can be a few lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import WSMsgType, web

TOKEN = "xoxb-1111-2222-fakebottokenfortests"
APP_TOKEN = "xapp-1-A0001-3333-fakeapptokenfortests"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0001"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"


@dataclass
class Call:
    """One request the fake received."""

    method: str  # Web API method ("chat.postMessage"), "response_url" or "socket"
    params: dict[str, Any]
    token: str | None
    status: int
    error: str | None
    at: float  # time.monotonic() when received
    path: str = ""


@dataclass
class _Fault:
    error: str | None
    status: int
    retry_after: float | None
    remaining: int | None  # None: forever


@dataclass
class FakeSlack:
    """Loopback Slack Web API + response_url + Socket Mode endpoint."""

    token: str = TOKEN
    app_token: str = APP_TOKEN
    team_id: str = TEAM_ID
    bot_user_id: str = BOT_USER_ID
    calls: list[Call] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    rate_violations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    archived: set[str] = field(default_factory=set)
    members_of: set[str] = field(default_factory=set)  # channels the bot is in (conversations.info)
    private_channels: set[str] = field(default_factory=set)  # private channels with C... ids
    removed_from: set[str] = field(default_factory=set)  # posts here fail: not_in_channel
    # Workspace admins/owners (users.info is_admin); ada (U0001), who sends the helpers'
    # commands by default, is one, so tests of translation are not refused by the core.
    admins: set[str] = field(default_factory=lambda: {"U0001"})
    creators: dict[str, str] = field(default_factory=dict)  # channel -> its creator's user id

    def __post_init__(self) -> None:
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._channel_faults: dict[str, _Fault] = {}
        self._ts = itertools.count(1)
        self._last_post: dict[str, float] = {}
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # ------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int = 200,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` fail: ``{"ok": false, "error": error}``
        (``status`` 429 with ``Retry-After`` when ``retry_after`` is given)."""
        if retry_after is not None and status == 200:
            status = 429
        if status == 429 and error is None:
            error = "ratelimited"
        self._faults[method].append(_Fault(error, status, retry_after, times))

    def fail_channel(self, channel: str, error: str, *, status: int = 200) -> None:
        """Every post to ``channel`` fails with ``error`` until :meth:`clear_faults`."""
        self._channel_faults[channel] = _Fault(error, status, None, None)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._channel_faults.clear()

    def _take_fault(self, method: str, channel: str | None) -> _Fault | None:
        queue = self._faults.get(method)
        if queue:
            fault = queue[0]
            assert fault.remaining is not None
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault
        if channel is not None and channel in self._channel_faults:
            return self._channel_faults[channel]
        return None

    # ------------------------------------------------------------ membership

    def is_private(self, channel: str) -> bool:
        return channel in self.private_channels or not channel.startswith(("C", "D"))

    def remove_bot(self, channel: str) -> None:
        """Someone removed the bot from ``channel``: later posts there fail with not_in_channel."""
        self.members_of.discard(channel)
        self.removed_from.add(channel)

    def add_bot(self, channel: str) -> None:
        """Someone invited the bot to ``channel``."""
        self.members_of.add(channel)
        self.removed_from.discard(channel)

    # ------------------------------------------------------------ queries

    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Successful chat.postMessage params (optionally for one channel)."""
        return [
            c.params
            for c in self.calls_to("chat.postMessage", ok_only=True)
            if c.error is None and (channel is None or c.params.get("channel") == channel)
        ]

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """Messages posted to response_url endpoints (optionally one of them)."""
        return [
            c.params
            for c in self.calls_to("response_url", ok_only=True)
            if name is None or c.path.endswith("/" + name)
        ]

    async def wait_for(self, predicate: Callable[[FakeSlack], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate(self)`` holds; TimeoutError (a test failure) if it never does."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # ------------------------------------------------------------ handlers

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for key in ("blocks", "attachments"):  # form-encoded calls send these as JSON strings
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        expected = self.app_token if method == "apps.connections.open" else self.token
        now = time.monotonic()
        channel = params.get("channel")

        status, body, headers = 200, None, {}
        if token != expected:
            body = {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        elif (fault := self._take_fault(method, channel)) is not None:
            status = fault.status
            body = {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
        elif channel is not None and channel in self.archived and method.startswith("chat."):
            body = {"ok": False, "error": "is_archived"}
        elif channel is not None and channel in self.removed_from and method.startswith("chat."):
            body = {"ok": False, "error": "not_in_channel"}
        else:
            body = self._answer(method, params)

        error = None if body.get("ok") else str(body.get("error"))
        if method == "chat.postMessage" and error is None and channel:
            last = self._last_post.get(channel)
            if last is not None and now - last < 1.0:
                self.rate_violations[channel] += 1
            self._last_post[channel] = now
        await self._record(Call(method, params, token, status, error, now, request.path))
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://newsbot-test.slack.com/",
                "team": "Newsbot Test",
                "user": "newsbot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            message = {"type": "message", "user": self.bot_user_id, "ts": ts}
            message.update({k: params[k] for k in ("text", "blocks") if k in params})
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": channel,
                "ts": params.get("ts"),
                "text": params.get("text"),
            }
        if method == "conversations.info":
            is_im = channel.startswith("D")
            is_member = is_im or channel in self.members_of
            if self.is_private(channel) and not is_member:
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": self._channel_object(channel)}
        if method == "conversations.join":
            if self.is_private(channel) or channel.startswith("D"):
                return {"ok": False, "error": "method_not_supported_for_channel_type"}
            if channel in self.archived:
                return {"ok": False, "error": "is_archived"}
            self.add_bot(channel)
            return {"ok": True, "channel": self._channel_object(channel)}
        if method == "users.info":
            user = str(params.get("user", ""))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": f"user-{user.lower()}",
                    "real_name": f"User {user}",
                    "tz": "Europe/Berlin",
                    "tz_label": "Central European Time",
                    "is_bot": False,
                    "is_admin": user in self.admins,
                    "is_owner": False,
                    "is_primary_owner": False,
                },
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _channel_object(self, channel: str) -> dict[str, Any]:
        is_im = channel.startswith("D")
        info: dict[str, Any] = {
            "id": channel,
            "name": None if is_im else f"chan-{channel.lower()}",
            "is_im": is_im,
            "is_channel": channel.startswith("C") and not self.is_private(channel),
            "is_group": self.is_private(channel),
            "is_private": self.is_private(channel),
            "is_archived": channel in self.archived,
            "is_member": is_im or channel in self.members_of,
        }
        if not is_im:
            info["creator"] = self.creators.get(channel, "U0CREATOR")
        return info

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await request.json()
        now = time.monotonic()
        fault = self._take_fault("response_url", None)
        if fault is not None:
            await self._record(
                Call("response_url", params, None, fault.status, fault.error, now, request.path)
            )
            headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after else {}
            return web.Response(status=fault.status, text=fault.error or "error", headers=headers)
        await self._record(Call("response_url", params, None, 200, None, now, request.path))
        return web.Response(text="ok")

    # ------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                ack = json.loads(msg.data)
                self.socket_acks.append(ack)
                await self._record(
                    Call("socket", ack, None, 200, None, time.monotonic(), "/socket")
                )
            elif msg.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
                break
        return ws

    async def socket_send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Push a Socket Mode envelope to every connected client; return its envelope_id."""
        envelope_id = f"env-{next(self._ts)}"
        message = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        for ws in self._sockets:
            if not ws.closed:
                await ws.send_json(message)
        return envelope_id

    @property
    def socket_connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)


# ================================================================ inbound


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = f"v0:{ts}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_payload(
    text: str = "",
    *,
    command: str = "/newsbot",
    channel_id: str = "C0001",
    channel_name: str = "general",
    user_id: str = "U0001",
    user_name: str = "ada",
    response_url: str = "http://127.0.0.1:9/response/cmd",
    team_id: str = TEAM_ID,
) -> dict[str, str]:
    """The form fields of a slash command, as Slack posts them."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "newsbot-test",
        "channel_id": channel_id,
        "channel_name": "directmessage" if channel_id.startswith("D") else channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{int(time.time())}.1.trigger",
    }


def event_envelope(event: dict[str, Any], team_id: str = TEAM_ID) -> dict[str, Any]:
    """An Events API ``event_callback`` envelope around ``event``."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{int(time.time() * 1000)}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    }


def app_mention(
    text: str, *, channel: str = "C0001", user: str = "U0001", thread_ts: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "channel": channel,
        "event_ts": f"{time.time():.6f}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_message(
    text: str, *, channel: str = "D0001", user: str = "U0001", **extra: Any
) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "event_ts": f"{time.time():.6f}",
        "channel_type": "im",
    }
    event.update(extra)
    return event


def _channel_type(channel: str) -> str:
    return "G" if channel.startswith("G") else "C"


def member_left_channel(channel: str, *, user: str = BOT_USER_ID) -> dict[str, Any]:
    """``member_left_channel``: ``user`` (default: the bot) left or was removed."""
    return {
        "type": "member_left_channel",
        "user": user,
        "channel": channel,
        "channel_type": _channel_type(channel),
        "team": TEAM_ID,
        "event_ts": f"{time.time():.6f}",
    }


def member_joined_channel(
    channel: str, *, user: str = BOT_USER_ID, inviter: str = "U0001"
) -> dict[str, Any]:
    """``member_joined_channel``: ``user`` (default: the bot) was added by ``inviter``."""
    return {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": _channel_type(channel),
        "team": TEAM_ID,
        "inviter": inviter,
        "event_ts": f"{time.time():.6f}",
    }


def channel_left(channel: str, *, actor: str = "U0001") -> dict[str, Any]:
    """``channel_left`` (``group_left`` for a ``G`` id): sent to the bot it removed."""
    kind = "group_left" if channel.startswith("G") else "channel_left"
    return {"type": kind, "channel": channel, "actor_id": actor, "event_ts": f"{time.time():.6f}"}


def channel_archive(channel: str, *, user: str = "U0001") -> dict[str, Any]:
    kind = "group_archive" if channel.startswith("G") else "channel_archive"
    return {"type": kind, "channel": channel, "user": user, "event_ts": f"{time.time():.6f}"}


def channel_unarchive(channel: str, *, user: str = "U0001") -> dict[str, Any]:
    kind = "group_unarchive" if channel.startswith("G") else "channel_unarchive"
    return {"type": kind, "channel": channel, "user": user, "event_ts": f"{time.time():.6f}"}


def block_action_payload(
    value: str,
    *,
    action_id: str = "newsbot.choice.0",
    channel_id: str = "C0001",
    user_id: str = "U0001",
    response_url: str = "http://127.0.0.1:9/response/action",
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``block_actions`` payload for a button press on a bot message."""
    return {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "newsbot-test"},
        "user": {"id": user_id, "username": "ada", "name": "ada", "team_id": team_id},
        "api_app_id": "A0001",
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "channel_id": channel_id,
        },
        "trigger_id": "1.2.trigger",
        "channel": {"id": channel_id, "name": "general"},
        "message": {"type": "message", "ts": "1700000000.000001", "text": "pick one"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "x"},
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


class SlackInbound:
    """Posts signed Slack requests into an ASGI app (in the test's own event loop)."""

    def __init__(
        self, asgi_app: Any, secret: str = SIGNING_SECRET, path: str = "/slack/events"
    ) -> None:
        self.path = path
        self.secret = secret
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=asgi_app), base_url="http://newsbot.test"
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        signed = sign(body, secret or self.secret, timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        return await self.http.post(self.path, content=body.encode(), headers=all_headers)

    async def slash(self, text: str = "", **kwargs: Any) -> httpx.Response:
        post_kwargs = {k: kwargs.pop(k) for k in ("timestamp", "secret", "headers") if k in kwargs}
        body = urlencode(slash_payload(text, **kwargs))
        return await self.post(body, "application/x-www-form-urlencoded", **post_kwargs)

    async def event(self, event: dict[str, Any], **post_kwargs: Any) -> httpx.Response:
        return await self.post(json.dumps(event_envelope(event)), "application/json", **post_kwargs)

    async def action(self, value: str, **kwargs: Any) -> httpx.Response:
        post_kwargs = {k: kwargs.pop(k) for k in ("timestamp", "secret", "headers") if k in kwargs}
        body = urlencode({"payload": json.dumps(block_action_payload(value, **kwargs))})
        return await self.post(body, "application/x-www-form-urlencoded", **post_kwargs)

    async def url_verification(self, challenge: str) -> httpx.Response:
        body = json.dumps({"token": "x", "challenge": challenge, "type": "url_verification"})
        return await self.post(body, "application/json")


@dataclass
class SlackRig:
    fake: FakeSlack
    adapter: Any  # bot.adapters.slack.SlackAdapter
    inbound: SlackInbound  # signed requests to the adapter's routes
    core: Any = None  # the bot.ports.Core the adapter was started with

    async def start(self, core: Any) -> None:
        self.core = core
        await self.adapter.start(core)


@contextlib.asynccontextmanager
async def slack_rig(
    handler: Any = None,
    *,
    limiter: Any = None,
    members_manage: tuple[Any, ...] = (),
    **settings: Any,
) -> AsyncIterator[SlackRig]:
    """FakeSlack + an HTTP-mode SlackAdapter (with generous test rate limits) + a signed
    inbound client.

    With ``handler`` (a command layer) the adapter is started in front of the
    core's real access rules and reply policy around it (``limiter``: the
    platform's, default a ``RecordingLimiter`` with generous limits that records
    penalties without waiting them out; ``members_manage``: see
    ``AccessPolicy``). Without one the rig
    is yielded unstarted: build the core around ``rig.adapter`` (the
    composition root's ``wire``) and ``await rig.start(core)``. ``settings``
    override Settings fields (e.g. ``slack_app_token`` for Socket Mode).
    """
    from starlette.applications import Starlette

    from bot.adapters.slack import SlackAdapter
    from bot.settings import Settings
    from tests.support.inbound import FAST as FAST_LIMITS
    from tests.support.inbound import RecordingLimiter, inbound_for

    async with FakeSlack() as fake:
        config = Settings(
            slack_bot_token=TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.base_url,
            **settings,
        )
        adapter = SlackAdapter(config, limits=FAST_LIMITS)
        inbound = SlackInbound(Starlette(routes=adapter.routes()))
        rig = SlackRig(fake, adapter, inbound)
        try:
            if handler is not None:
                await rig.start(inbound_for(handler, adapter, limiter=limiter or RecordingLimiter(),
                                            members_manage=members_manage))
            yield rig
        finally:
            await inbound.aclose()
            await adapter.close()
