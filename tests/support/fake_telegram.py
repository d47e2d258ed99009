"""A fake Telegram Bot API server on 127.0.0.1, for tests and benchmarks.

Real HTTP (aiohttp), so python-telegram-bot talks to it through its normal
client: point ``Settings.telegram_api_url`` at :attr:`FakeTelegram.api_url`.
It implements the methods newsbot uses (getMe, getUpdates with long polling,
sendMessage, sendChatAction, setMyCommands/getMyCommands, getChat,
getChatMember, answerCallbackQuery, editMessageText, setWebhook/deleteWebhook/
getWebhookInfo, deleteMessage, close, logOut), records every call, and checks
what a real server would reject: unknown HTML tags / unbalanced markup
(``can't parse entities``) and texts over 4,096 characters.

Test helpers push updates (``push_message``, ``push_callback``, and the bot's own
membership: ``push_my_chat_member`` for added/removed/blocked, ``push_migration`` for a
group becoming a supergroup; afterwards sends to the old chat fail as Telegram's do),
configure chats and administrators (``add_chat``, ``set_admins``, ``set_bot_admin``),
inject faults (``inject``: 429, 403 blocked/kicked, 400 chat-not-found or
migrate, 500, entity errors, delays) and optionally enforce Telegram's send
limits, counting violations (``enforce_limits``). ``getUpdates`` honours
``allowed_updates`` as Telegram does (remembered between calls; by default every type
except ``chat_member`` and the reaction updates).

It runs on the test's event loop (``async with FakeTelegram() as tg:``, or the
``fake_telegram`` fixture) or on its own thread (``start_in_thread()``) for
sync code and benchmarks; the helpers are thread-safe either way.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from aiohttp import web

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_x9Zq7Wb3KdLmN"
BOT_ID = 123456789
BOT_USERNAME = "newsbot_test_bot"

_STRING_PARAMS = frozenset(
    {
        "text",
        "url",
        "secret_token",
        "callback_query_id",
        "data",
        "description",
        "parse_mode",
        "action",
        "caption",
        "inline_message_id",
        "language_code",
        "scope_type",
        "ip_address",
    }
)
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
_URL_RE = re.compile(r"https?://[^\s<>\"']+")
# What getUpdates sends when allowed_updates was never given (or given as []).
_NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_post_messages",
    "can_edit_messages",
)
_RESTRICTED_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
)


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ApiCall:
    """One request the server received."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    description: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Fault:
    """An injected failure. ``times`` None = until cleared; ``probability`` None = always."""

    kind: str
    method: str | None = "sendMessage"
    chat_id: Any = None
    times: int | None = 1
    probability: float | None = None
    retry_after: int = 3
    migrate_to: int = -1001234567890
    delay: float = 5.0
    description: str = "Bad Request: message is too long"  # kind "bad_request"


class _ParseError(Exception):
    pass


class _TelegramHTML(HTMLParser):
    """Approximates Telegram's HTML parse mode: allowed tags only, balanced, text length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise _ParseError(f'Unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            raise _ParseError("Can't find href of the link")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise _ParseError(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_telegram_html(text: str) -> str:
    """The plain text Telegram would display; raises ValueError like its ``can't parse entities``."""
    parser = _TelegramHTML()
    try:
        parser.feed(text)
        parser.close()
    except _ParseError as exc:
        raise ValueError(str(exc)) from None
    if parser.stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    if re.search(r"<(?![a-zA-Z/])", text):
        raise ValueError("Unexpected '<' in text")
    return "".join(parser.text)


class FakeTelegram:
    """The fake Bot API. See the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int = BOT_ID,
        bot_username: str = BOT_USERNAME,
        seed: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self.violations: dict[str, int] = {"chat": 0, "global": 0}
        self.port = 0
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids: dict[Any, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[Any, int], dict[str, Any]] = {}
        self._chats: dict[Any, dict[str, Any]] = {}
        self._admins: dict[Any, set[int]] = defaultdict(set)
        self._creators: dict[Any, int] = {}
        self._bot_admin_in: set[Any] = set()
        self._bot_gone_from: dict[Any, str] = {}  # chat id -> the 403 description of a send
        self._migrated: dict[Any, int] = {}  # old group id -> supergroup id
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default
        self._faults: list[Fault] = []
        self._limits: dict[str, Any] | None = None
        self._last_send: dict[Any, float] = {}
        self._recent_sends: deque[float] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._closing = False
        self._in_progress = 0  # requests being handled (settle())

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``Settings.telegram_api_url`` should be (PTB appends the token)."""
        return f"{self.base_url}/bot"

    async def start(self) -> FakeTelegram:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._closing = True
        self._wake()  # end pending long polls now rather than at their timeout
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self) -> FakeTelegram:
        """Run the server on its own event loop in a daemon thread (for sync code, benchmarks)."""
        started = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            started.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-telegram", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("fake Telegram server did not start")
        return self

    def stop_thread(self) -> None:
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    # ------------------------------------------------------------ configuration

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        title: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name or f"User{chat_id}"
        else:
            chat["title"] = title or f"Chat {chat_id}"
        if username:
            chat["username"] = username
        with self._lock:
            self._chats[chat_id] = chat
            if username:
                self._chats["@" + username.lower()] = chat
        return chat

    def set_admins(self, chat_id: int, user_ids: list[int], *, creator: int | None = None) -> None:
        with self._lock:
            self._admins[chat_id] = set(user_ids)
            if creator is not None:
                self._creators[chat_id] = creator

    def set_bot_admin(self, chat_id: int, is_admin: bool = True) -> None:
        with self._lock:
            (self._bot_admin_in.add if is_admin else self._bot_admin_in.discard)(chat_id)

    def inject(self, kind: str, **kwargs: Any) -> Fault:
        """Fail matching calls. ``kind``: ``retry_after`` (429), ``blocked``/``kicked`` (403),
        ``chat_not_found``, ``migrate``, ``bad_entities`` (400), ``bad_request`` (400 with
        ``description``, e.g. ``"Bad Request: BUTTON_DATA_INVALID"``), ``server_error`` (500),
        ``delay`` (answer after ``delay`` s). Keyword arguments are :class:`Fault` fields."""
        fault = Fault(kind, **kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def enforce_limits(
        self,
        *,
        global_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        reject: bool = False,
        tolerance: float = 0.9,
    ) -> None:
        """Count (and with ``reject``, answer 429 to) sends faster than Telegram allows.

        Per chat: two sends closer than ``tolerance / per_chat_per_second``. Globally: more
        than ``global_per_second / tolerance`` sends within one second.
        """
        with self._lock:
            self._limits = {
                "global": global_per_second,
                "chat": per_chat_per_second,
                "reject": reject,
                "tolerance": tolerance,
            }

    # ------------------------------------------------------------ updates

    def _chat_object(
        self, chat_id: int, chat_type: str | None = None, title: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            known = self._chats.get(chat_id)
        if known is not None and (chat_type is None or known["type"] == chat_type):
            return dict(known)
        if chat_type is None:
            chat_type = (
                "private"
                if chat_id > 0
                else ("supergroup" if str(chat_id).startswith("-100") else "group")
            )
        return self.add_chat(chat_id, chat_type, title=title)

    @staticmethod
    def _user_object(user_id: int, name: str | None = None) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": name or f"User{user_id}",
            "username": f"user{user_id}",
        }

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Newsbot",
            "username": self.bot_username,
        }

    @staticmethod
    def entities_for(text: str) -> list[dict[str, Any]]:
        """``bot_command`` and ``url`` entities as Telegram computes them (UTF-16 offsets)."""
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            head = text.split()[0]
            entities.append({"type": "bot_command", "offset": 0, "length": _u16(head)})
        for match in _URL_RE.finditer(text):
            entities.append(
                {
                    "type": "url",
                    "offset": _u16(text[: match.start()]),
                    "length": _u16(match.group(0)),
                }
            )
        return entities

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
        self._wake()
        return update

    def message_object(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to: dict[str, Any] | str | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat = self._chat_object(chat_id, chat_type, chat_title)
        with self._lock:
            message_id = next(self._message_ids[chat_id])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "text": text,
        }
        if chat["type"] != "channel":
            message["from"] = self._user_object(user_id if user_id is not None else abs(chat_id))
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        entities = self.entities_for(text)
        if entities:
            message["entities"] = entities
        if isinstance(reply_to, str):
            reply_to = self.message_object(chat_id, reply_to, user_id=user_id, chat_type=chat_type)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        with self._lock:
            self._messages[(chat_id, message_id)] = message
        return message

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
        reply_to: dict[str, Any] | str | None = None,
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a user's message (``chat_type`` defaults from the id: >0 private, <0 group).

        ``reply_to`` is the replied-to message (a dict from :meth:`message_object`) or just its
        text. Channel posts (``chat_type="channel"``) are sent as ``channel_post`` updates.
        """
        message = self.message_object(
            chat_id,
            text,
            user_id=user_id,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to=reply_to,
            sender_chat=sender_chat,
        )
        kind = "channel_post" if message["chat"]["type"] == "channel" else "message"
        return self.push_update({kind: message})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a button press on the bot's message ``message_id`` (default: its last one in the chat)."""
        with self._lock:
            if message_id is None:
                own = [
                    mid
                    for (cid, mid), m in self._messages.items()
                    if cid == chat_id and m.get("from", {}).get("id") == self.bot_id
                ]
                if not own:
                    raise LookupError(f"the bot has sent no message to chat {chat_id}")
                message_id = max(own)
            message = self._messages[(chat_id, message_id)]
            query_id = str(next(self._update_ids) * 1000 + 7)
        callback = {
            "id": query_id,
            "from": self._user_object(user_id if user_id is not None else abs(chat_id)),
            "message": message,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return self.push_update({"callback_query": callback})

    def chat_member_object(self, status: str, user: dict[str, Any]) -> dict[str, Any]:
        """A ChatMember of ``status`` (creator, administrator, member, restricted, left,
        kicked) with the fields the Bot API sends for it."""
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(can_be_edited=False, is_anonymous=False, **dict.fromkeys(_ADMIN_RIGHTS, True))
        elif status == "restricted":
            member.update(is_member=False, until_date=0, **dict.fromkeys(_RESTRICTED_RIGHTS, False))
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def push_my_chat_member(
        self,
        chat_id: int,
        new_status: str,
        *,
        old_status: str | None = None,
        user_id: int | None = None,
        chat_type: str | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """Queue a ``my_chat_member`` update: the bot's status in ``chat_id`` changed to
        ``new_status``, by ``user_id`` (default: the private chat's user, else user 1).

        ``kicked``/``left`` (in a private chat ``kicked`` = the user blocked the bot) also
        make later sends to that chat fail with Telegram's 403; ``member``/``administrator``
        undo that (``administrator`` also makes the bot an admin for getChatMember).
        """
        chat = self._chat_object(chat_id, chat_type, chat_title)
        if old_status is None:
            old_status = "member" if new_status in ("kicked", "left", "restricted") else "left"
        if user_id is None:
            user_id = chat_id if chat["type"] == "private" else 1
        with self._lock:
            if new_status in ("kicked", "left"):
                self._bot_gone_from[chat_id] = _gone_description(chat["type"])
            elif new_status in ("member", "administrator", "creator"):
                self._bot_gone_from.pop(chat_id, None)
            if new_status == "administrator":
                self._bot_admin_in.add(chat_id)
            elif new_status != "creator":
                self._bot_admin_in.discard(chat_id)
        change = {
            "chat": chat,
            "from": self._user_object(user_id),
            "date": int(time.time()),
            "old_chat_member": self.chat_member_object(old_status, self._bot_user()),
            "new_chat_member": self.chat_member_object(new_status, self._bot_user()),
        }
        return self.push_update({"my_chat_member": change})

    def push_migration(
        self, old_chat_id: int, new_chat_id: int, *, user_id: int = 1, both: bool = True
    ) -> list[dict[str, Any]]:
        """A group becomes the supergroup ``new_chat_id``: queue the ``migrate_to_chat_id``
        service message in the old group and (``both``) the ``migrate_from_chat_id`` one in
        the new supergroup, as Telegram does. Later sends to the old id answer 400 with
        ``migrate_to_chat_id``."""
        old = self._chat_object(old_chat_id, "group")
        new = self.add_chat(new_chat_id, "supergroup", title=old.get("title"))
        with self._lock:
            self._migrated[old_chat_id] = new_chat_id
        pushed = [self._push_service(old, user_id, migrate_to_chat_id=new_chat_id)]
        if both:
            pushed.append(self._push_service(new, user_id, migrate_from_chat_id=old_chat_id))
        return pushed

    def _push_service(self, chat: dict[str, Any], user_id: int, **fields: Any) -> dict[str, Any]:
        with self._lock:
            message_id = next(self._message_ids[chat["id"]])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self._user_object(user_id),
            **fields,
        }
        return self.push_update({"message": message})

    def _wake(self) -> None:
        loop, event = self._loop, self._new_update
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    # ------------------------------------------------------------ inspection

    def calls_to(
        self, method: str, *, chat_id: Any = None, ok: bool | None = None
    ) -> list[ApiCall]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method
                and (chat_id is None or str(c.chat_id) == str(chat_id))
                and (ok is None or c.ok == ok)
            ]

    def sent_messages(self, chat_id: Any = None) -> list[dict[str, Any]]:
        """Params of every successful sendMessage (optionally to one chat), in order."""
        return [c.params for c in self.calls_to("sendMessage", chat_id=chat_id, ok=True)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._messages[(chat_id, message_id)])

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        chat_id: Any = None,
        ok: bool | None = True,
        timeout: float = 10.0,
    ) -> list[ApiCall]:
        """Wait until at least ``count`` matching calls were received; return them."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls_to(method, chat_id=chat_id, ok=ok)
            if len(calls) >= count:
                return calls
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(calls)} of {count} {method} calls after {timeout}s")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------ HTTP

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
                return params
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key, value in list(params.items()):
            if isinstance(value, str) and key not in _STRING_PARAMS:
                with suppress(ValueError):
                    params[key] = json.loads(value)
        return params

    def settle(self, quiet_s: float = 0.2, timeout: float = 10.0) -> None:
        """Block (from another thread) until no request has been in progress for
        ``quiet_s``: a client killed mid-request may still have one in the
        server's socket buffer, recorded a moment after the kill."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            with self._lock:
                busy = self._in_progress
            if busy:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return
            time.sleep(0.01)

    async def _handle(self, request: web.Request) -> web.Response:
        with self._lock:
            self._in_progress += 1
        try:
            return await self._handle_one(request)
        finally:
            with self._lock:
                self._in_progress -= 1

    async def _handle_one(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = ApiCall(method, params, time.monotonic())
        with self._lock:
            self.calls.append(call)
        if request.match_info["token"] != self.token:
            return self._error(call, 401, "Unauthorized")
        fault = self._matching_fault(method, params)
        if fault is not None:
            if fault.kind == "delay":
                deadline = time.monotonic() + fault.delay
                while time.monotonic() < deadline and not self._closing:
                    await asyncio.sleep(min(0.05, fault.delay))
            else:
                response = self._fault_response(call, fault, params)
                if response is not None:
                    return response
        handler: Callable[[dict[str, Any]], Any] | None = getattr(
            self, f"_api_{method.lower()}", None
        )
        if handler is None:
            return self._error(call, 404, "Not Found: method not found")
        try:
            result = await handler(params) if method.lower() == "getupdates" else handler(params)
        except _ApiError as exc:
            return self._error(call, exc.status, exc.description, exc.parameters)
        call.result = result
        return web.json_response({"ok": True, "result": result})

    def _error(
        self, call: ApiCall, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> web.Response:
        call.status, call.description = status, description
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _matching_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method is not None and fault.method.lower() != method.lower():
                    continue
                if fault.chat_id is not None and str(fault.chat_id) != str(params.get("chat_id")):
                    continue
                if fault.kind == "bad_entities" and not params.get("parse_mode"):
                    continue
                if fault.probability is not None and self._random.random() >= fault.probability:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def _fault_response(
        self, call: ApiCall, fault: Fault, params: dict[str, Any]
    ) -> web.Response | None:
        kind = fault.kind
        if kind == "retry_after":
            return self._error(
                call,
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        if kind == "blocked":
            return self._error(call, 403, "Forbidden: bot was blocked by the user")
        if kind == "kicked":
            return self._error(call, 403, "Forbidden: bot was kicked from the group chat")
        if kind == "chat_not_found":
            return self._error(call, 400, "Bad Request: chat not found")
        if kind == "migrate":
            return self._error(
                call,
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.migrate_to},
            )
        if kind == "bad_entities":
            return self._error(
                call,
                400,
                'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
            )
        if kind == "bad_request":
            return self._error(call, 400, fault.description)
        if kind == "server_error":
            return self._error(call, 500, "Internal Server Error")
        raise ValueError(f"unknown fault kind {kind!r}")

    # ------------------------------------------------------------ methods

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        assert self._new_update is not None
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):  # remembered until changed; [] means the default
            self._allowed_updates = frozenset(allowed) or None
        while True:
            self._new_update.clear()
            with self._lock:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()  # confirmed by the client
                wanted = (u for u in self._updates if self._wanted(u))
                pending = list(itertools.islice(wanted, limit))
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0 or self._closing:
                return pending
            with suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    def _wanted(self, update: dict[str, Any]) -> bool:
        """Whether getUpdates sends this update under the current ``allowed_updates``."""
        kind = next(k for k in update if k != "update_id")
        if self._allowed_updates is None:
            return kind not in _NOT_SENT_BY_DEFAULT
        return kind in self._allowed_updates

    def _check_limits(self, chat_id: Any) -> dict[str, Any] | None:
        """Record a send against the limits; the 429 parameters when rejecting it."""
        limits = self._limits
        if limits is None:
            return None
        now = time.monotonic()
        violation = False
        with self._lock:
            last = self._last_send.get(chat_id)
            if last is not None and now - last < limits["tolerance"] / limits["chat"]:
                self.violations["chat"] += 1
                violation = True
            while self._recent_sends and now - self._recent_sends[0] > 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) + 1 > limits["global"] / limits["tolerance"]:
                self.violations["global"] += 1
                violation = True
            if not (violation and limits["reject"]):
                self._last_send[chat_id] = now
                self._recent_sends.append(now)
        return {"retry_after": 1} if violation and limits["reject"] else None

    def _check_text(self, params: dict[str, Any]) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        shown = text
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                shown = parse_telegram_html(text)
            except ValueError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if _u16(shown) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return text

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        text = self._check_text(params)
        with self._lock:
            chat = (
                self._chats.get(chat_id)
                if not isinstance(chat_id, str)
                else self._chats.get(chat_id.lower())
            )
        if chat is None and isinstance(chat_id, str):
            raise _ApiError(400, "Bad Request: chat not found")
        self._check_reachable(chat["id"] if chat else chat_id)
        rejected = self._check_limits(chat_id)
        if rejected:
            raise _ApiError(
                429, f"Too Many Requests: retry after {rejected['retry_after']}", rejected
            )
        chat_obj = chat or self._chat_object(int(chat_id))
        with self._lock:
            message_id = next(self._message_ids[chat_obj["id"]])
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat_obj,
            "from": self._bot_user(),
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            self._messages[(chat_obj["id"], message_id)] = message
        return message

    def _check_reachable(self, chat_id: Any) -> None:
        """The bot was removed from the chat, or the group moved to a supergroup."""
        with self._lock:
            gone = self._bot_gone_from.get(chat_id)
            moved_to = self._migrated.get(chat_id)
        if moved_to is not None:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": moved_to},
            )
        if gone is not None:
            raise _ApiError(403, gone)

    def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("chat_id"), int(params.get("message_id") or 0))
        text = self._check_text(params)
        with self._lock:
            message = self._messages.get(key)
            if message is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            if message.get("text") == text and message.get("reply_markup") == params.get(
                "reply_markup"
            ):
                raise _ApiError(400, "Bad Request: message is not modified")
            message["text"] = text
            message["edit_date"] = int(time.time())
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            else:
                message.pop("reply_markup", None)
            return dict(message)

    def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands:
            raise _ApiError(400, "Bad Request: commands must be a non-empty list")
        for command in commands:
            name = command.get("command", "")
            if (
                not re.fullmatch(r"[a-z0-9_]{1,32}", name)
                or not 1 <= len(command.get("description", "")) <= 256
            ):
                raise _ApiError(400, f"Bad Request: invalid command {name!r}")
        self.commands = commands
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    def _lookup_chat(self, chat_id: Any) -> dict[str, Any]:
        with self._lock:
            chat = self._chats.get(chat_id.lower() if isinstance(chat_id, str) else chat_id)
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _api_getchat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._lookup_chat(params.get("chat_id"))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._lookup_chat(params.get("chat_id"))
        user_id = int(params.get("user_id", 0))
        chat_id = chat["id"]
        with self._lock:
            bot_is_admin = chat_id in self._bot_admin_in
            if chat["type"] == "channel" and not bot_is_admin:
                raise _ApiError(400, "Bad Request: member list is inaccessible")
            if user_id == self.bot_id:
                is_admin, is_creator = bot_is_admin, False
            else:
                is_creator = self._creators.get(chat_id) == user_id
                is_admin = user_id in self._admins.get(chat_id, set())
        user = self._bot_user() if user_id == self.bot_id else self._user_object(user_id)
        if is_creator:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if is_admin:
            rights = dict.fromkeys(_ADMIN_RIGHTS, True)
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **rights,
            }
        return {"status": "member", "user": user}

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        return True

    def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._messages.pop((params.get("chat_id"), int(params.get("message_id") or 0)), None)
        return True

    def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
        }
        return True

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            with self._lock:
                self._updates.clear()
        return True

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            pending = len(self._updates)
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logout(self, params: dict[str, Any]) -> bool:
        return True


def _gone_description(chat_type: str) -> str:
    """Telegram's 403 for a send to a chat the bot was removed from (or blocked in)."""
    return {
        "private": "Forbidden: bot was blocked by the user",
        "group": "Forbidden: bot was kicked from the group chat",
        "supergroup": "Forbidden: bot was kicked from the supergroup chat",
        "channel": "Forbidden: bot is not a member of the channel chat",
    }.get(chat_type, "Forbidden: bot is not a member of the chat")


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


# ------------------------------------------------------------ pytest helpers


@asynccontextmanager
async def running_fake_telegram(**kwargs: Any) -> AsyncIterator[FakeTelegram]:
    """``async with running_fake_telegram() as tg:`` a started fake server on this loop."""
    server = FakeTelegram(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def telegram_settings(server: FakeTelegram, **overrides: Any) -> Any:
    """newsbot Settings pointing the Telegram adapter at ``server``."""
    from bot.settings import Settings

    values: dict[str, Any] = {"telegram_token": server.token, "telegram_api_url": server.api_url}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API server (import into a conftest to use)."""
    async with running_fake_telegram() as server:
        yield server
